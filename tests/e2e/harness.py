"""The real bot, polling the fake Bot API server, with the real knowledge engine.

`running_bot(fake, services)` starts the Dispatcher built by `bot.telegram.app.create_dispatcher` in
a task and stops it afterwards; `Learner` types messages and presses buttons as a person would and
waits for the bot's replies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher

from bot.storage.db import Database
from bot.telegram.app import create_dispatcher
from bot.telegram.container import AppServices
from bot.telegram.runner import embedded_worker
from tests.factories import make_user
from tests.fakebotapi import ChatMessage, FakeTelegram


@dataclass
class RunningBot:
    fake: FakeTelegram
    services: AppServices
    dispatcher: Dispatcher
    bot: Bot


@asynccontextmanager
async def running_bot(fake: FakeTelegram, services: AppServices) -> AsyncIterator[RunningBot]:
    dispatcher = create_dispatcher(services)
    bot = fake.make_bot()
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        await fake.wait_for_long_poll(timeout=20)
        # Messages that are not direct replies (tickets, reminders) go through the outbox.
        async with embedded_worker(services, bot):
            yield RunningBot(fake, services, dispatcher, bot)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, timeout=10)
        await dispatcher.storage.close()


@dataclass
class Learner:
    """One Telegram user talking to the bot through the fake server."""

    fake: FakeTelegram
    user_id: int
    language_code: str = "en"
    seen: int = field(default=0)

    async def says(self, text: str, *, replies: int = 1, timeout: float = 20) -> list[ChatMessage]:
        """Send a message and wait until the bot has sent `replies` new messages to this chat."""
        self.fake.push_message(self.user_id, text, language_code=self.language_code)
        return await self._replies(replies, timeout)

    async def presses(
        self, message: ChatMessage, button_text: str, *, replies: int = 0, timeout: float = 20
    ) -> list[ChatMessage]:
        """Press the inline button whose label contains `button_text` under `message`."""
        data = _button_data(message, button_text)
        before = len(self.fake.requests("answerCallbackQuery"))
        self.fake.push_callback(self.user_id, message.message_id, data)
        await self.fake.wait_for(
            "answerCallbackQuery",
            predicate=lambda _: len(self.fake.requests("answerCallbackQuery")) > before,
            timeout=timeout,
        )
        return await self._replies(replies, timeout)

    async def onboards(
        self,
        *,
        language: str = "English",
        kind: str = "Student",
        university: str = "comsats",
        university_button: str = "COMSATS",
    ) -> list[ChatMessage]:
        """The first conversation: privacy notice, language, who they are, their university.

        Returns the bot's messages: notice, languages, kinds, university prompt, choices, done.
        """
        (notice,) = await self.says("/start")
        (languages,) = await self.presses(notice, "✅", replies=1)
        (kinds,) = await self.presses(languages, language, replies=1)
        (prompt,) = await self.presses(kinds, kind, replies=1)
        (choices,) = await self.says(university)
        (done,) = await self.presses(choices, university_button, replies=1)
        return [notice, languages, kinds, prompt, choices, done]

    async def _replies(self, count: int, timeout: float) -> list[ChatMessage]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            messages = self.fake.messages_to(self.user_id)
            if len(messages) >= self.seen + count:
                new = messages[self.seen : self.seen + count]
                self.seen += count
                return new
            if loop.time() > deadline:
                texts = [m.text for m in messages[self.seen :]]
                raise AssertionError(f"expected {count} replies to {self.user_id}, got {texts}")
            await asyncio.sleep(0.02)


def _button_data(message: ChatMessage, button_text: str) -> str:
    markup = message.reply_markup or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if button_text in button.get("text", "") and "callback_data" in button:
                return str(button["callback_data"])
    raise AssertionError(f"no button {button_text!r} under message {message.text!r}")


async def onboarded_learner(
    database: Database, user_id: int, *, language: str = "en", university_id: int | None = None
) -> None:
    """A learner who finished onboarding earlier (privacy accepted), stored directly."""
    await make_user(database, user_id, language=language, university_id=university_id)
