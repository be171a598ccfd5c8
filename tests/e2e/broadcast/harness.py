"""The broadcast tests' view of the one harness (tests/e2e/harness.py): no embedded worker but
one the test steps by hand on a fake clock (webinar reminders at the right minutes), and people
added straight to the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from aiogram import Bot

from bot.config import Settings
from bot.delivery.worker import DeliveryWorker
from bot.storage.models import Role, User
from bot.telegram.container import AppServices
from bot.telegram.runner import NoAnswerer
from tests.delivery.fakes import FakeClock
from tests.e2e.harness import BotHarness
from tests.fakebotapi import ChatMessage, FakeTelegram, RecordedRequest


@dataclass
class Harness:
    running: BotHarness
    services: AppServices
    worker: DeliveryWorker
    clock: FakeClock

    @property
    def fake(self) -> FakeTelegram:
        return self.running.fake

    @property
    def bot(self) -> Bot:
        return self.running.bot

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
    async with BotHarness(fake, settings, answerer=NoAnswerer(), worker=False) as running:
        services = running.services
        assert services is not None
        clock = FakeClock(datetime.now(UTC))
        worker = DeliveryWorker(
            services.database,
            running.bot,
            settings,
            scheduler=services.scheduler,
            users=services.users,
            clock=clock,
        )
        yield Harness(running, services, worker, clock)
