"""Running hecbot's real dispatcher and delivery worker against the fake Bot API, and pressing
buttons like a person. Invitations travel the production path: SurveyScheduler -> outbox rows ->
DeliveryWorker -> Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

from aiogram import Dispatcher

from bot.config import Settings
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import Clock, SurveyService
from bot.telegram.app import create_dispatcher
from bot.telegram.container import AppServices, build_services
from bot.telegram.runner import embedded_worker
from handlers.buttons import TelegramButtons
from tests.databases import sqlite_at_head
from tests.fakebotapi import ChatMessage, FakeTelegram


class NoAnswerer:
    """Survey tests never ask the knowledge base."""

    async def ask(self, question: str) -> Any:
        raise AssertionError(f"unexpected question {question!r}")


class RunningBot:
    """hecbot's services, dispatcher and embedded delivery worker against the fake; `restart()`
    is a process restart (only the database survives)."""

    def __init__(
        self,
        fake: FakeTelegram,
        settings: Settings,
        *,
        clock: Clock | None = None,
        answerer: Any = None,
    ) -> None:
        self.fake = fake
        self.settings = settings
        self.clock = clock
        self.answerer = answerer or NoAnswerer()
        self.bot = fake.make_bot()
        self.services: AppServices | None = None
        self._dispatcher: Dispatcher | None = None
        self._polling: asyncio.Task[None] | None = None
        self._worker: contextlib.AsyncExitStack | None = None

    async def start(self) -> AppServices:
        await sqlite_at_head(self.settings)
        self.services = services = await build_services(self.settings, answerer=self.answerer)
        if self.clock is not None:
            services.surveys = SurveyService(services.database, clock=self.clock)
        # The worker runs its scheduler once as it starts; a test that queues invitations
        # itself waits for that pass, so the two never invite the same learners at once.
        first_pass = asyncio.Event()

        async def note_first_pass(now: datetime) -> int:
            first_pass.set()
            return 0

        services.scheduler.register("test-first-pass", note_first_pass, every_seconds=3600)
        self._dispatcher = create_dispatcher(services)
        self._worker = contextlib.AsyncExitStack()
        await self._worker.enter_async_context(embedded_worker(services, self.bot))
        self._polling = asyncio.create_task(
            self._dispatcher.start_polling(
                self.bot, polling_timeout=1, handle_signals=False, close_bot_session=False
            )
        )
        await self.fake.wait_for_long_poll()
        await asyncio.wait_for(first_pass.wait(), timeout=30)
        return services

    async def stop(self) -> None:
        if self._dispatcher is not None and self._polling is not None:
            await self._dispatcher.stop_polling()
            await self._polling
            await self._dispatcher.storage.close()
        if self._worker is not None:
            await self._worker.aclose()
        if self.services is not None:
            await self.services.close()
        self.services = self._dispatcher = self._polling = self._worker = None

    async def restart(self) -> AppServices:
        await self.stop()
        return await self.start()

    async def invite(self, now: datetime | None = None) -> int:
        """Run the survey scheduler at `now` (default: the clock's) and wait until the
        delivery worker has sent (or failed to send) everything queued; returns how many."""
        services = self.services
        assert services is not None
        now = now or (self.clock() if self.clock is not None else datetime.now(UTC))
        scheduler = SurveyScheduler(
            services.database,
            services.outbox,
            services.catalogue,
            buttons=TelegramButtons(services.catalogue),
        )
        queued = await scheduler.run_due(now)
        await self.delivered()
        return queued

    async def delivered(self, timeout: float = 60) -> None:
        """Wait until no outbox row is pending or being sent."""
        services = self.services
        assert services is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            jobs = await services.outbox.jobs(limit=1000)
            if all(job.progress.is_finished for job in jobs):
                return
            if loop.time() > deadline:
                raise AssertionError(f"outbox not drained: {[job.progress for job in jobs]}")
            await asyncio.sleep(0.05)


class Learner:
    """One simulated person in a private chat with the bot."""

    def __init__(self, fake: FakeTelegram, user_id: int) -> None:
        self.fake = fake
        self.id = user_id

    def _sent(self) -> int:
        return len(self.fake.requests("sendMessage", chat_id=self.id))

    def _edits(self) -> int:
        return len(self.fake.requests("editMessageReplyMarkup", chat_id=self.id))

    def last_keyboard_message(self) -> ChatMessage:
        for message in reversed(self.fake.messages_to(self.id)):
            if message.callback_data:
                return message
        raise AssertionError(f"learner {self.id} has no message with buttons")

    @property
    def last_text(self) -> str:
        message = self.fake.last_message_to(self.id)
        assert message is not None and message.text is not None
        return message.text

    def button(self, label: str, message: ChatMessage | None = None) -> tuple[int, str]:
        message = message or self.last_keyboard_message()
        assert message.reply_markup is not None
        buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]
        for matches in (lambda text: text == label, lambda text: label in text):
            for button in buttons:
                if matches(button["text"]):
                    return message.message_id, button["callback_data"]
        labels = [button["text"] for button in buttons]
        recent = [m.text for m in self.fake.history(self.id)[-4:]]
        raise AssertionError(f"learner {self.id}: no button {label!r} in {labels}; chat: {recent}")

    async def press(self, label: str, *, message: ChatMessage | None = None) -> str:
        """Press a button and wait for the bot's next message; returns its text."""
        message_id, data = self.button(label, message)
        return await self.press_data(message_id, data)

    async def press_data(self, message_id: int, data: str) -> str:
        before = self._sent()
        self.fake.push_callback(self.id, message_id, data)
        await self.fake.wait_for(
            "sendMessage", lambda r: r.chat_id == self.id, count=before + 1, timeout=30
        )
        return self.last_text

    async def tick(self, label: str) -> None:
        """Tick a multiple-choice option (the keyboard is edited in place)."""
        before = self._edits()
        message_id, data = self.button(label)
        self.fake.push_callback(self.id, message_id, data)
        await self.fake.wait_for(
            "editMessageReplyMarkup", lambda r: r.chat_id == self.id, count=before + 1, timeout=30
        )

    async def say(self, text: str, *, expect_replies: int = 1) -> str:
        before = self._sent()
        self.fake.push_message(self.id, text)
        await self.fake.wait_for(
            "sendMessage",
            lambda r: r.chat_id == self.id,
            count=before + expect_replies,
            timeout=30,
        )
        return self.last_text
