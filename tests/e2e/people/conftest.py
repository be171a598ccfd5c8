"""The real dispatcher, polling the fake Bot API, with a knowledge double that reads FAQ files.

Until the knowledge engine is merged, `FaqAnswerer` stands in for it: it abstains on everything
except questions that an FAQ Markdown file (as written by `FaqService`) answers, and it is
re-indexed through the same `index_paths` call the engine offers.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage

from bot.config import Settings
from bot.telegram.app import create_dispatcher
from bot.telegram.container import AppServices, build_services
from bot.telegram.runner import embedded_worker
from knowledge.answers import Answer, Citation
from tests.databases import sqlite_at_head
from tests.fakebotapi import ChatMessage, FakeTelegram

ADMIN = 9001


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


class FaqAnswerer:
    """Answers exactly the questions of indexed FAQ files; abstains otherwise."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, str, str, str]] = {}
        self.index_calls = 0

    def index_paths(self, paths: Sequence[Path]) -> None:
        self.index_calls += 1
        self.entries = {}
        for folder in paths:
            for path in sorted(folder.glob("*.md")):
                text = path.read_text(encoding="utf-8")
                title = re.search(r"^# (.+)$", text, re.MULTILINE)
                for match in re.finditer(r"^## (.+?)\n\n(.+?)\n\n", text, re.MULTILINE | re.DOTALL):
                    self.entries[_key(match.group(1))] = (
                        title.group(1) if title else path.stem,
                        match.group(1),
                        match.group(2),
                        path.name,
                    )

    async def ask(self, question: str) -> Answer:
        found = self.entries.get(_key(question))
        if found is None:
            return Answer(question, "I don't know.", abstained=True, latency_ms=1.0)
        title, section, answer, document = found
        citation = Citation(title, section, "faq", 1.0, document=document)
        return Answer(question, answer, abstained=False, citations=[citation], latency_ms=1.0)


@dataclass
class PeopleBot:
    """A running bot and helpers that act as Telegram users and wait for the bot's replies."""

    tg: FakeTelegram
    services: AppServices
    answerer: Any
    dispatcher: Dispatcher | None = None
    polling: asyncio.Task[None] | None = None
    # Builds the FSM storage for each (re)start; None: the configured one (the database).
    storage_factory: Callable[[], BaseStorage] | None = None

    async def start(self) -> None:
        """Start polling with a new Dispatcher (and a new FSM storage object)."""
        storage = self.storage_factory() if self.storage_factory else None
        self.dispatcher = create_dispatcher(self.services, storage=storage)
        self.polling = await start_polling(self.dispatcher, self.tg.make_bot(), self.tg)

    async def stop(self) -> None:
        if self.dispatcher is not None and self.polling is not None:
            await self.dispatcher.stop_polling()
            await self.polling
            await self.dispatcher.storage.close()
        self.dispatcher = self.polling = None

    async def restart(self) -> None:
        """What a process restart leaves: only the database."""
        await self.stop()
        await self.start()

    def messages(self, chat_id: int) -> list[ChatMessage]:
        return self.tg.messages_to(chat_id)

    async def until(self, condition: Callable[[], bool], what: str, *, timeout: float = 20) -> None:
        """Wait for `condition`; generous, as outbox messages wait for the worker's pacing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(f"the bot never did: {what}")
            await asyncio.sleep(0.02)

    async def send(
        self, user_id: int, text: str, *, expect: int = 1, **kwargs: Any
    ) -> list[ChatMessage]:
        """The user writes; returns the bot's new messages in their chat (at least `expect`)."""
        before = len(self.messages(user_id))
        self.tg.push_message(user_id, text, **kwargs)
        await self.until(lambda: len(self.messages(user_id)) >= before + expect, f"reply {text!r}")
        return self.messages(user_id)[before:]

    async def press(
        self,
        user_id: int,
        message: ChatMessage,
        data: str,
        *,
        expect: int = 1,
        check_button: bool = True,
    ) -> list[ChatMessage]:
        """The user presses a button; waits for the callback's answer and `expect` messages."""
        before = len(self.messages(user_id))
        answers = len(self.tg.requests("answerCallbackQuery"))
        self.tg.push_callback(user_id, message.message_id, data, check_button=check_button)
        await self.until(
            lambda: len(self.tg.requests("answerCallbackQuery")) > answers, f"answer {data}"
        )
        await self.until(lambda: len(self.messages(user_id)) >= before + expect, f"after {data}")
        return self.messages(user_id)[before:]

    def last_alert(self) -> str:
        return str(self.tg.requests("answerCallbackQuery")[-1].params.get("text", ""))

    def button(self, message: ChatMessage, starts_with: str) -> str:
        matches = [data for data in message.callback_data if data.startswith(starts_with)]
        assert matches, f"no button {starts_with!r} in {message.callback_data}"
        return matches[0]

    async def onboard(
        self, user_id: int, university: str = "comsats", *, kind: str = "student"
    ) -> None:
        [notice] = await self.send(user_id, "/start")
        [language] = await self.press(user_id, notice, "ob:privacy:yes")
        [kinds] = await self.press(user_id, language, "ob:lang:en")
        await self.press(user_id, kinds, f"ob:kind:{kind}")
        [choices] = await self.send(user_id, university)
        [done] = await self.press(user_id, choices, choices.callback_data[0])
        assert "All set" in (done.text or "")

    async def onboard_staff(self, user_id: int, start: str = "/start") -> None:
        messages = await self.send(user_id, start, expect=2 if " " in start else 1)
        notice = messages[-1]
        [language] = await self.press(user_id, notice, "ob:privacy:yes")
        [done] = await self.press(user_id, language, "ob:lang:en")
        assert "All set" in (done.text or "")


async def start_polling(dispatcher: Dispatcher, bot: Bot, tg: FakeTelegram) -> asyncio.Task[None]:
    task = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=1, handle_signals=False, close_bot_session=False
        )
    )
    await tg.wait_for_long_poll()
    return task


@asynccontextmanager
async def running_bot(
    settings: Settings,
    answerer: Any,
    storage_factory: Callable[[], BaseStorage] | None = None,
) -> AsyncIterator[PeopleBot]:
    settings = settings.model_copy(update={"admin_ids": frozenset({ADMIN})})
    await sqlite_at_head(settings)
    services = await build_services(settings, answerer=answerer)
    async with FakeTelegram() as tg, embedded_worker(services, tg.make_bot()):
        # Tickets to focal persons go through the outbox, which the worker sends.
        people = PeopleBot(tg, services, answerer, storage_factory=storage_factory)
        await people.start()
        try:
            yield people
        finally:
            await people.stop()
    await services.close()


@pytest.fixture
async def people_bot(settings: Settings) -> AsyncIterator[PeopleBot]:
    async with running_bot(settings, FaqAnswerer()) as people:
        yield people
