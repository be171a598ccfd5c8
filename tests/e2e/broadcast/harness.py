"""The real dispatcher and delivery worker against the fake Bot API, with factories for people."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from aiogram import Bot, Dispatcher

from bot.config import Settings
from bot.delivery.worker import DeliveryWorker
from bot.storage.models import Role, User
from bot.telegram.app import create_dispatcher
from bot.telegram.container import AppServices, build_services
from bot.telegram.runner import NoAnswerer
from tests.databases import sqlite_at_head
from tests.delivery.fakes import FakeClock
from tests.fakebotapi import ChatMessage, FakeTelegram, RecordedRequest


@dataclass
class Harness:
    fake: FakeTelegram
    services: AppServices
    bot: Bot
    dispatcher: Dispatcher
    worker: DeliveryWorker
    clock: FakeClock

    async def add_person(
        self,
        user_id: int,
        *,
        role: Role = Role.LEARNER,
        university_id: int | None = 1,
        language: str = "en",
    ) -> None:
        async with self.services.database.session() as session:
            session.add(
                User(
                    id=user_id,
                    role=role.value,
                    university_id=university_id,
                    language=language,
                    privacy_accepted_at=datetime.now(UTC),
                    onboarded_at=datetime.now(UTC),
                )
            )
        self.fake.add_user(user_id, language_code=language)

    async def say(self, user_id: int, text: str = "", **media: object) -> RecordedRequest:
        """The user writes; returns the bot's next reply to them."""
        seen = len(self._replies(user_id))
        self.fake.push_message(user_id, text, **media)  # type: ignore[arg-type]
        return await self._next_reply(user_id, seen)

    async def press(self, user_id: int, data: str, *, message: ChatMessage | None = None) -> None:
        """Press the button with `data` on the newest bot message that has it."""
        target = message or next(
            m for m in reversed(self.fake.messages_to(user_id)) if data in m.callback_data
        )
        answered = len(self.fake.requests("answerCallbackQuery"))
        self.fake.push_callback(user_id, target.message_id, data, check_button=message is None)
        await self.fake.wait_for("answerCallbackQuery", count=answered + 1)

    async def press_and_reply(self, user_id: int, data: str) -> RecordedRequest:
        seen = len(self._replies(user_id))
        await self.press(user_id, data)
        return await self._next_reply(user_id, seen)

    def button(self, user_id: int, label_part: str) -> str:
        """callback_data of the newest button whose label contains `label_part`."""
        for message in reversed(self.fake.messages_to(user_id)):
            for row in (message.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    if label_part in button["text"] and "callback_data" in button:
                        return str(button["callback_data"])
        raise AssertionError(f"no button {label_part!r} for {user_id}")

    def _replies(self, user_id: int) -> list[RecordedRequest]:
        return [
            r
            for r in self.fake.requests(chat_id=user_id)
            if r.method in {"sendMessage", "sendDocument", "sendPhoto"} and r.ok
        ]

    async def _next_reply(self, user_id: int, seen: int) -> RecordedRequest:
        for _ in range(200):
            replies = self._replies(user_id)
            if len(replies) > seen:
                return replies[seen]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no reply to {user_id}")

    def texts_to(self, user_id: int) -> list[str]:
        return [m.text or m.caption or "" for m in self.fake.messages_to(user_id)]


@asynccontextmanager
async def running_bot(settings: Settings, fake: FakeTelegram) -> AsyncIterator[Harness]:
    await sqlite_at_head(settings)
    services = await build_services(settings, answerer=NoAnswerer())
    bot = fake.make_bot()
    dispatcher = create_dispatcher(services)
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=1, handle_signals=False, close_bot_session=False
        )
    )
    await fake.wait_for_long_poll()
    clock = FakeClock(datetime.now(UTC))
    worker = DeliveryWorker(
        services.database,
        bot,
        settings,
        scheduler=services.scheduler,
        users=services.users,
        clock=clock,
    )
    try:
        yield Harness(fake, services, bot, dispatcher, worker, clock)
    finally:
        await dispatcher.stop_polling()
        await polling
        await dispatcher.storage.close()
        await services.close()
