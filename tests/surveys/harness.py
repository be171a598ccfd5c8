"""Running hecbot's real dispatcher against the fake Bot API, and pressing buttons like a person."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup

from bot.app import create_dispatcher
from bot.config import Settings
from bot.container import AppServices, build_services
from bot.delivery import OutgoingMessage
from bot.services.surveys import Clock, SurveyService
from tests.fakebotapi import ChatMessage, FakeTelegram


class NoAnswerer:
    """Survey tests never ask the knowledge base."""

    async def ask(self, question: str) -> Any:
        raise AssertionError(f"unexpected question {question!r}")


@dataclass
class ImmediateOutbox:
    """The outbox contract, sending on `flush()` in order; stands in for the delivery worker."""

    services: AppServices
    pending: list[OutgoingMessage] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)

    async def enqueue_job(
        self,
        *,
        kind: str,
        reference: str | None,
        messages: Iterable[OutgoingMessage],
        created_by: int | None = None,
        priority: int = 0,
        not_before: datetime | None = None,
        session: Any = None,
    ) -> int:
        self.pending.extend(messages)
        return 1

    async def flush(self, bot: Bot) -> None:
        while self.pending:
            message = self.pending.pop(0)
            markup = (
                InlineKeyboardMarkup.model_validate(message.reply_markup)
                if message.reply_markup
                else None
            )
            try:
                await bot.send_message(message.chat_id, message.text, reply_markup=markup)
            except TelegramForbiddenError:
                self.blocked.append(message.chat_id)
                await self.services.users.mark_unreachable(message.chat_id)


class RunningBot:
    """hecbot's services and dispatcher polling the fake; `restart()` is a process restart."""

    def __init__(
        self, fake: FakeTelegram, settings: Settings, *, clock: Clock | None = None
    ) -> None:
        self.fake = fake
        self.settings = settings
        self.clock = clock
        self.bot = fake.make_bot()
        self.services: AppServices | None = None
        self._dispatcher: Dispatcher | None = None
        self._polling: asyncio.Task[None] | None = None

    async def start(self) -> AppServices:
        self.services = await build_services(self.settings, answerer=NoAnswerer())
        if self.clock is not None:
            self.services.extras["surveys"] = SurveyService(
                self.services.database, clock=self.clock
            )
        self._dispatcher = create_dispatcher(self.services)
        self._polling = asyncio.create_task(
            self._dispatcher.start_polling(
                self.bot, polling_timeout=1, handle_signals=False, close_bot_session=False
            )
        )
        await self.fake.wait_for_long_poll()
        return self.services

    async def stop(self) -> None:
        if self._dispatcher is not None and self._polling is not None:
            await self._dispatcher.stop_polling()
            await self._polling
            await self._dispatcher.storage.close()
        if self.services is not None:
            await self.services.close()
        self.services = self._dispatcher = self._polling = None

    async def restart(self) -> AppServices:
        await self.stop()
        return await self.start()


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
