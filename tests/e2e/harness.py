"""The one end-to-end harness: hecbot's real bot against the fake Bot API, and people typing.

`BotHarness` runs what `hecbot run` runs: the services (built from settings at each start, or
handed in), the Dispatcher from `bot.telegram.app.create_dispatcher` polling the fake server (or,
given a webhook secret, the web app of `hecbot run --webhook` serving it on loopback, the fake
posting every update there as Telegram does) and the embedded delivery worker; `restart()` is a
process restart (only the database survives).
`Person` is one Telegram user who types, presses buttons and waits for the bot's replies.
`at_the_terminal` is the same bot as `hecbot chat` runs it, with `TerminalPerson` at the keyboard.
Every end-to-end test drives the bot through these two; the feature folders' fixtures only choose
the settings, the knowledge double and the people.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import EllipsisType
from typing import Any

import pytest
from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import TelegramObject, Update
from aiohttp import ClientResponse, ClientSession
from aiohttp.test_utils import TestServer
from sqlmodel import select

from bot.config import Settings
from bot.services.knowledge_bridge import build_knowledge_engine
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import Clock, SurveyService
from bot.storage.db import Database
from bot.storage.models import QuestionLog
from bot.telegram.app import create_dispatcher
from bot.telegram.container import AppServices, build_services
from bot.telegram.runner import embedded_worker, terminal_chat
from bot.telegram.terminal import TerminalChat
from bot.telegram.webserver import create_web_app
from handlers.buttons import TelegramButtons
from knowledge.engine import KnowledgeEngine
from tests.bounded import bounded, run_every, stop_polling
from tests.databases import sqlite_started
from tests.factories import make_user
from tests.fakebotapi import ChatMessage, FakeTelegram

# Adjusts the services after they are built and before the Dispatcher is made (a test double
# for one service, a hook); may be a coroutine function.
Prepare = Callable[[AppServices], Awaitable[None] | None]


def message_update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    """A private message as Telegram posts it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_780_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Ayesha"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Ayesha", "language_code": "en"},
            "text": text,
        },
    }


class NoAnswerer:
    """For tests that never ask the knowledge base: a question is a failure."""

    async def ask(self, question: str) -> Any:
        raise AssertionError(f"unexpected question {question!r}")


class FinishedUpdates(BaseMiddleware):
    """The ids of the updates the Dispatcher has finished with, whatever their handlers did
    (answered, replied, failed): what a test waits for instead of sleeping."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            if isinstance(event, Update):
                self.ids.add(event.update_id)


@dataclass(eq=False)
class BotHarness:
    """The running bot, and helpers that act as Telegram users and wait for its replies.

    Give `settings` (services are built from them at every start and closed at every stop) or
    `services` (used as they are and left open: the test owns them).
    """

    fake: FakeTelegram
    settings: Settings | None = None
    answerer: Any = None
    services: AppServices | None = None
    # Builds the FSM storage for each (re)start; None: the configured one (the database).
    storage_factory: Callable[[], BaseStorage] | None = None
    # Surveys read time from it (the tests move it); None: the real clock.
    clock: Clock | None = None
    prepare: Prepare | None = None
    # The embedded delivery worker (tickets, reminders, invitations go through the outbox).
    worker: bool = True
    # Wait, at each start, until the worker's scheduler has run its first pass, so a test that
    # queues invitations itself never races it.
    wait_for_first_pass: bool = True
    # The bound of each step of `stop` (polling, the worker, the storage, the services).
    stop_seconds: float = 30.0
    # Serve the webhook with this secret instead of polling (None: poll). The fake Bot API
    # posts the people's updates to it, retrying as Telegram does; `post` sends any body.
    webhook_secret: str | None = None
    dispatcher: Dispatcher | None = None
    bot: Bot = field(init=False)
    # In webhook mode: the web app's server, and a client for `post` and `get`.
    server: TestServer | None = field(default=None, init=False)
    http: ClientSession | None = field(default=None, init=False)
    _owns_services: bool = field(init=False)
    _polling: asyncio.Task[None] | None = field(default=None, init=False)
    _running: contextlib.AsyncExitStack | None = field(default=None, init=False)
    _finished: FinishedUpdates = field(default_factory=FinishedUpdates, init=False)

    def __post_init__(self) -> None:
        if (self.settings is None) == (self.services is None):
            raise ValueError("give the harness settings or services, not both or neither")
        self._owns_services = self.services is None
        self.bot = self.fake.make_bot()

    @property
    def tg(self) -> FakeTelegram:
        return self.fake

    # ---- lifecycle --------------------------------------------------------------------------

    async def start(self) -> AppServices:
        """Start the bot: services, the worker, a new Dispatcher (and FSM storage) polling."""
        if self._owns_services:
            assert self.settings is not None
            await sqlite_started(self.settings)
            answerer = self.answerer if self.answerer is not None else NoAnswerer()
            self.services = await build_services(self.settings, answerer=answerer)
        services = self.services
        assert services is not None
        if self.clock is not None:
            services.surveys = SurveyService(services.database, clock=self.clock)
        if self.prepare is not None:
            prepared = self.prepare(services)
            if inspect.isawaitable(prepared):
                await prepared
        first_pass = asyncio.Event()
        wait_for_first_pass = self.worker and self.wait_for_first_pass
        if wait_for_first_pass:
            # The worker runs its scheduler once as it starts; this job, registered last, marks
            # the end of that pass.
            async def note_first_pass(now: datetime) -> int:
                first_pass.set()
                return 0

            name = f"test-first-pass-{id(first_pass)}"  # one per start: restarts keep services
            services.scheduler.register(name, note_first_pass, every_seconds=3600)
        storage = self.storage_factory() if self.storage_factory else None
        self.dispatcher = create_dispatcher(services, storage=storage)
        # Registered last of the outer middlewares: it sees every update the bot's own outer
        # middlewares pass on (all of them, in private chats without throttling).
        self.dispatcher.update.outer_middleware(self._finished)
        self._running = contextlib.AsyncExitStack()
        if self.worker:
            await self._running.enter_async_context(embedded_worker(services, self.bot))
        if self.webhook_secret is not None:
            await self._serve_webhook(services, self.webhook_secret)
        else:
            self._polling = asyncio.create_task(
                self.dispatcher.start_polling(
                    self.bot, polling_timeout=1, handle_signals=False, close_bot_session=False
                )
            )
            await self.fake.wait_for_long_poll(timeout=20)
        if wait_for_first_pass:
            await asyncio.wait_for(first_pass.wait(), timeout=30)
        return services

    async def _serve_webhook(self, services: AppServices, secret: str) -> None:
        assert self.dispatcher is not None and self._running is not None
        app = create_web_app(services, self.dispatcher, self.bot, secret=secret)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        self._running.push_async_callback(server.close)
        http = await self._running.enter_async_context(ClientSession())
        self.server, self.http = server, http
        self.fake.set_webhook_targets([self.webhook_url], secret)

    async def stop(self) -> None:
        """Stop polling (or serving the webhook) and the worker; close the services the
        harness built.

        Each step has a bound (`stop_seconds`) and runs even when one before it failed; the
        first failure is raised at the end, naming the step and where it hung, rather than a
        stop that hangs holding the test run.
        """
        dispatcher, polling, running = self.dispatcher, self._polling, self._running
        services = self.services if self._owns_services else None
        self.dispatcher = self._polling = self._running = None
        self.server = self.http = None
        if services is not None:
            self.services = None
        if self.webhook_secret is not None:
            self.fake.set_webhook_targets([])
        seconds = self.stop_seconds
        steps: list[Callable[[], Awaitable[object]]] = []
        if dispatcher is not None and polling is not None:
            steps.append(lambda: stop_polling(dispatcher, polling, seconds))
        if running is not None:
            worker = "stopping the delivery worker (and the webhook server)"
            steps.append(lambda: bounded(running.aclose(), seconds, worker))
        if dispatcher is not None:
            storage = "closing the FSM storage"
            steps.append(lambda: bounded(dispatcher.storage.close(), seconds, storage))
        if services is not None:
            steps.append(lambda: bounded(services.close(), seconds, "closing the services"))
        await run_every(steps)

    async def restart(self) -> AppServices:
        """What a process restart leaves: only the database (and Redis, when configured)."""
        await self.stop()
        return await self.start()

    async def __aenter__(self) -> BotHarness:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await self.stop()
        finally:
            await bounded(self.bot.session.close(), self.stop_seconds, "closing the bot's session")

    # ---- the webhook, as Telegram and a load balancer reach it ------------------------------

    @property
    def webhook_url(self) -> str:
        assert self.server is not None, "the harness serves no webhook"
        assert self.services is not None
        return str(self.server.make_url(self.services.settings.telegram.webhook_path))

    async def post(
        self, body: bytes | str | dict[str, object], *, secret: str | EllipsisType | None = ...
    ) -> ClientResponse:
        """POST `body` (a dict is sent as JSON) to the webhook, with `secret` in Telegram's
        header (by default the harness's; None: no header)."""
        assert self.http is not None, "the harness serves no webhook"
        headers = {"Content-Type": "application/json"}
        if isinstance(secret, EllipsisType):
            secret = self.webhook_secret
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        data = json.dumps(body) if isinstance(body, dict) else body
        async with self.http.post(self.webhook_url, data=data, headers=headers) as response:
            await response.read()
            return response

    async def get(self, path: str) -> ClientResponse:
        """GET a probe route of the web app (`/healthz`, `/readyz`, `/livez`, `/metrics`)."""
        assert self.http is not None and self.server is not None, "the harness serves no webhook"
        async with self.http.get(self.server.make_url(path)) as response:
            await response.read()
            return response

    # ---- waiting ----------------------------------------------------------------------------

    async def until(self, condition: Callable[[], bool], what: str, *, timeout: float = 20) -> None:
        """Wait for `condition`; generous, as outbox messages wait for the worker's pacing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(f"the bot never did: {what}")
            await asyncio.sleep(0.02)

    async def handled(self, update_ids: Iterable[int], what: str, *, timeout: float = 20) -> None:
        """Wait until the Dispatcher has finished with these updates (pushed to the fake), the
        work their handlers do after answering included."""
        waiting = set(update_ids)
        await self.until(lambda: waiting <= self._finished.ids, what, timeout=timeout)

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

    # ---- people, by user id -----------------------------------------------------------------

    def person(self, user_id: int, *, language_code: str = "en") -> Person:
        return Person(self.fake, user_id, language_code=language_code)

    def messages(self, chat_id: int) -> list[ChatMessage]:
        return self.fake.messages_to(chat_id)

    async def send(
        self, user_id: int, text: str, *, expect: int = 1, **kwargs: Any
    ) -> list[ChatMessage]:
        """The user writes; returns the bot's new messages in their chat (at least `expect`)."""
        before = len(self.messages(user_id))
        self.fake.push_message(user_id, text, **kwargs)
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
        answers = len(self.fake.requests("answerCallbackQuery"))
        self.fake.push_callback(user_id, message.message_id, data, check_button=check_button)
        await self.until(
            lambda: len(self.fake.requests("answerCallbackQuery")) > answers, f"answer {data}"
        )
        await self.until(lambda: len(self.messages(user_id)) >= before + expect, f"after {data}")
        return self.messages(user_id)[before:]

    def last_alert(self) -> str:
        return str(self.fake.requests("answerCallbackQuery")[-1].params.get("text", ""))

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


@asynccontextmanager
async def running_bot(fake: FakeTelegram, services: AppServices) -> AsyncIterator[BotHarness]:
    """The bot over services the test owns (they stay open afterwards)."""
    async with BotHarness(fake, services=services) as harness:
        yield harness


@dataclass
class Person:
    """One Telegram user in a private chat with the bot, through the fake server.

    `says`/`presses` count the replies from where this person last looked (`seen`);
    `say`/`press` wait for the bot's next message and return its text.
    """

    fake: FakeTelegram
    user_id: int
    language_code: str = "en"
    seen: int = field(default=0)

    @property
    def id(self) -> int:
        return self.user_id

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

    # ---- the next message, as text ----------------------------------------------------------

    def _sent(self) -> int:
        return len(self.fake.requests("sendMessage", chat_id=self.user_id))

    def _edits(self) -> int:
        return len(self.fake.requests("editMessageReplyMarkup", chat_id=self.user_id))

    def last_keyboard_message(self) -> ChatMessage:
        for message in reversed(self.fake.messages_to(self.user_id)):
            if message.callback_data:
                return message
        raise AssertionError(f"learner {self.user_id} has no message with buttons")

    @property
    def last_text(self) -> str:
        message = self.fake.last_message_to(self.user_id)
        assert message is not None and message.text is not None
        return message.text

    def button(self, label: str, message: ChatMessage | None = None) -> tuple[int, str]:
        """(message id, callback data) of the button labelled `label` (exactly, else partly)."""
        message = message or self.last_keyboard_message()
        assert message.reply_markup is not None
        buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]
        for matches in (lambda text: text == label, lambda text: label in text):
            for button in buttons:
                if matches(button["text"]):
                    return message.message_id, button["callback_data"]
        labels = [button["text"] for button in buttons]
        recent = [m.text for m in self.fake.history(self.user_id)[-4:]]
        raise AssertionError(
            f"learner {self.user_id}: no button {label!r} in {labels}; chat: {recent}"
        )

    async def press(self, label: str, *, message: ChatMessage | None = None) -> str:
        """Press a button and wait for the bot's next message; returns its text."""
        message_id, data = self.button(label, message)
        return await self.press_data(message_id, data)

    async def press_data(self, message_id: int, data: str) -> str:
        before = self._sent()
        self.fake.push_callback(self.user_id, message_id, data)
        await self.fake.wait_for(
            "sendMessage", lambda r: r.chat_id == self.user_id, count=before + 1, timeout=30
        )
        return self.last_text

    async def tick(self, label: str) -> None:
        """Tick a multiple-choice option (the keyboard is edited in place)."""
        before = self._edits()
        message_id, data = self.button(label)
        self.fake.push_callback(self.user_id, message_id, data)
        await self.fake.wait_for(
            "editMessageReplyMarkup",
            lambda r: r.chat_id == self.user_id,
            count=before + 1,
            timeout=30,
        )

    async def say(self, text: str, *, expect_replies: int = 1) -> str:
        """Send a message and wait for `expect_replies` new messages; returns the last's text."""
        before = self._sent()
        self.fake.push_message(self.user_id, text)
        await self.fake.wait_for(
            "sendMessage",
            lambda r: r.chat_id == self.user_id,
            count=before + expect_replies,
            timeout=30,
        )
        return self.last_text


# The name the tests use for the person they follow.
Learner = Person


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


class TerminalPerson:
    """The person at `hecbot chat`: reads what the bot printed, types lines, presses buttons by
    typing the numbers printed beside them."""

    def __init__(self, chat: TerminalChat, output: io.StringIO) -> None:
        self.chat = chat
        self.output = output
        self.read = 0

    def new_output(self) -> str:
        text = self.output.getvalue()[self.read :]
        self.read = len(self.output.getvalue())
        return text

    def number_of(self, label: str) -> str:
        """The number printed beside the button `label` under the newest keyboard."""
        keyboard = self.chat.session.keyboard
        assert keyboard is not None, "no buttons on screen"
        _, markup = keyboard
        labels = [button.text for row in markup.inline_keyboard for button in row]
        exact = [n for n, text in enumerate(labels, 1) if text == label]
        found = exact or [n for n, text in enumerate(labels, 1) if label in text]
        assert found, f"no button {label!r} in {labels}"
        number = str(found[0])
        # The screen shows that number beside the label.
        assert f"[{number}] {labels[found[0] - 1]}" in self.output.getvalue()
        return number

    async def type(self, line: str) -> str:
        """Type a line and return what the bot printed in reply."""
        await self.chat.handle_line(line)
        return self.new_output()

    async def press(self, label: str) -> str:
        return await self.type(self.number_of(label))

    async def types(self, *lines: str) -> str:
        """What `hecbot chat` prints for these lines typed one after another (it starts with
        /start, as the command does); returns all of it."""
        await self.chat.run(io.StringIO("\n".join(lines) + "\n"), prompt=False)
        return self.new_output()


@asynccontextmanager
async def at_the_terminal(services: AppServices) -> AsyncIterator[TerminalPerson]:
    """`hecbot chat` over services the test owns (bot.telegram.runner.terminal_chat: the
    Dispatcher and the embedded worker), and the person at its keyboard."""
    output = io.StringIO()
    async with terminal_chat(services, output) as chat:
        yield TerminalPerson(chat, output)


# An operator's own knowledge base (tests/e2e/test_own_*.py): `hecbot` as the operator runs it,
# and what the learner reads of an answer.

HECBOT = [sys.executable, "-m", "bot.cli"]
# The one-line note under an English rule shown to an Urdu reader (knowledge/composing.py).
NO_URDU_VERSION = "اس اصول کا اردو ترجمہ ابھی دستیاب نہیں"


def operator_env(data_dir: Path) -> dict[str, str]:
    """The environment of an operator's shell: only the data dir set, no token, no servers."""
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    for name in ("CHROMA_URL", "REDIS_URL", "ADMIN_IDS", "HECBOT_THROTTLE_SECONDS"):
        env.pop(name, None)
    env["HECBOT_DATA_DIR"] = str(data_dir)
    return env


def hecbot(data_dir: Path, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [*HECBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=operator_env(data_dir),
        cwd=data_dir.parent,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def hecbot_ask(data_dir: Path, questions: Iterable[str], *options: str) -> list[dict[str, Any]]:
    """Ask ``questions`` through `hecbot ask --json` (one a line on stdin, with ``options`` such as
    ``--lang ur``) over ``data_dir``: the answers as the JSON objects the command prints."""
    out = hecbot(data_dir, "ask", "--json", *options, stdin="".join(f"{q}\n" for q in questions))
    return [json.loads(line) for line in out.splitlines()]


def index_own_knowledge_base(data_dir: Path, folder: Path, name: str, documents: int) -> None:
    """Index ``folder`` alone into ``data_dir`` as an operator does (`hecbot kb index PATH --as
    NAME`), checking every one of its ``documents`` was added."""
    out = hecbot(data_dir, "kb", "index", str(folder), "--as", name)
    assert f"added {documents}" in out and "failed 0" in out, out


def operator_engine(data_dir: Path, name: str, sources: set[str]) -> KnowledgeEngine:
    """The engine `hecbot run` builds from settings naming ``data_dir`` (no CHROMA_URL: the
    embedded index), holding exactly ``sources`` under the folder name ``name``."""
    engine = build_knowledge_engine(Settings(HECBOT_DATA_DIR=data_dir))  # type: ignore[call-arg]
    assert isinstance(engine, KnowledgeEngine)
    indexed = {(info.root, info.source) for info in engine.list_sources()}
    assert indexed == {(name, source) for source in sources}, indexed
    return engine


def own_kb_fixtures(
    name: str, sources: set[str], kb: Path | Callable[[Path], Path]
) -> tuple[object, object]:
    """The two fixtures of a module whose bot answers from an operator's own knowledge base,
    indexed once for the module; assign them to module attributes of the same names:

        own_kb_data_dir, answering_engine = own_kb_fixtures("idlp", SOURCES, build)

    `own_kb_data_dir` is a temp data dir holding that knowledge base alone, indexed as ``name``
    by `hecbot kb index PATH --as NAME` (every one of ``sources`` added); ``kb`` is its folder, or
    a function building it in the folder it is given. `answering_engine` (overriding the e2e
    conftest's) is the engine `hecbot run` builds from settings naming that data dir, holding
    exactly ``sources``, closed when the module ends.
    """

    @pytest.fixture(scope="module", name="own_kb_data_dir")
    def data_dir_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
        base = tmp_path_factory.mktemp(f"own-kb-{name}")
        folder = kb if isinstance(kb, Path) else kb(base / name)
        data_dir = base / "data"
        index_own_knowledge_base(data_dir, folder, name, documents=len(sources))
        return data_dir

    @pytest.fixture(scope="module", name="answering_engine")
    def engine_fixture(own_kb_data_dir: Path) -> Iterator[KnowledgeEngine]:
        with operator_engine(own_kb_data_dir, name, sources) as engine:
            yield engine

    return data_dir_fixture, engine_fixture


async def stored_questions(services: AppServices) -> list[QuestionLog]:
    async with services.database.session() as session:
        return list((await session.exec(select(QuestionLog).order_by(QuestionLog.id))).all())  # type: ignore[arg-type]


def first_source(answer: ChatMessage) -> str:
    """The first numbered line under "Sources:" (title › section), as the learner reads it."""
    text = answer.text or ""
    found = re.search(r"^1\. (.+)$", text, re.MULTILINE)
    assert found, text
    return found.group(1)
