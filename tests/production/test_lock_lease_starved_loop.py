"""A learner's lock holds while a starved event loop handles their update.

The lease (`bot.storage.locks`) used to be renewed from the event loop: a handler that held the
loop longer than the lease (a synchronous call, or just a loaded host) let it lapse. The release
then raised `LockNotOwnedError`, which the error router turned into an error reply after the
learner's answer, and a second copy of the update (Telegram delivers one again when an answer
is slow) could be taken by another instance and answered twice. Here the handler blocks the loop
with a synchronous sleep three leases long.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.storage.db import Database
from bot.storage.locks import LeasedEventIsolation
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.container import AppServices, build_services
from bot.telegram.webserver import create_web_app
from knowledge.answers import Answer
from tests.factories import make_user
from tests.fakebotapi import DEFAULT_TOKEN, FakeTelegram
from tests.production.doubles import EchoAnswerer

pytestmark = pytest.mark.redis

LEARNER = 7101
SECRET = "lease-test-secret"
PATH = "/telegram/webhook"
LEASE_SECONDS = 1.0
BLOCK_SECONDS = 3 * LEASE_SECONDS


class LoopBlockingAnswerer(EchoAnswerer):
    """Answers after holding the event loop: `time.sleep`, not `asyncio.sleep`, on purpose."""

    def __init__(self) -> None:
        super().__init__()
        self.blocking = threading.Event()

    async def ask(self, question: str) -> Answer:
        self.blocking.set()
        time.sleep(BLOCK_SECONDS)  # noqa: ASYNC251 - the point: the loop is held
        return await super().ask(question)


def question(update_id: int, text: str, bot: Bot) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_780_000_000,
                "chat": {"id": LEARNER, "type": "private", "first_name": "Ayesha"},
                "from": {"id": LEARNER, "is_bot": False, "first_name": "Ayesha"},
                "text": text,
            },
        },
        context={"bot": bot},
    )


@dataclass
class Instance:
    services: AppServices
    dispatcher: Dispatcher
    bot: Bot


async def start_instance(settings: Settings, answerer: EchoAnswerer) -> Instance:
    services = await build_services(settings, answerer=answerer)
    dispatcher = create_dispatcher(services)
    isolation = dispatcher.fsm.events_isolation
    assert isinstance(isolation, LeasedEventIsolation)
    isolation.lease_seconds = LEASE_SECONDS
    return Instance(services, dispatcher, create_bot(settings))


async def stop_instance(instance: Instance) -> None:
    await instance.bot.session.close()
    await instance.dispatcher.fsm.close()
    await instance.services.close()


@pytest.fixture
async def fake(
    settings: Settings, database: Database, redis_url: str
) -> AsyncIterator[FakeTelegram]:
    await make_user(database, LEARNER)
    async with FakeTelegram(strict_chats=False) as fake:
        settings.telegram.bot_token = SecretStr(DEFAULT_TOKEN)
        settings.telegram.api_base = fake.base_url
        yield fake


def replies(fake: FakeTelegram) -> list[str]:
    return [str(r.params.get("text", "")) for r in fake.requests("sendMessage", chat_id=LEARNER)]


async def test_an_update_holding_the_loop_past_the_lease_is_answered_once_without_an_error(
    settings: Settings, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
):
    instance = await start_instance(settings, LoopBlockingAnswerer())
    try:
        with caplog.at_level(logging.WARNING):
            # As polling hands it over: errors that reach the error router become replies.
            await instance.dispatcher.feed_update(
                instance.bot, question(51, "Is the licence free?", instance.bot)
            )
    finally:
        await stop_instance(instance)
    [reply] = replies(fake)  # the answer, and no error reply after it
    assert "Answer to: Is the licence free?" in reply
    problems = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith(("bot.", "handlers."))
    ]
    assert problems == []


async def delivered_by_webhook(instance: Instance, update: Update) -> int:
    """Post the update to the instance's own webhook app, as Telegram does; the HTTP status."""
    app = create_web_app(
        instance.services, instance.dispatcher, instance.bot, webhook_path=PATH, secret=SECRET
    )
    async with TestServer(app) as server, ClientSession() as http:
        response = await http.post(
            server.make_url(PATH),
            data=update.model_dump_json(exclude_none=True),
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        return response.status


async def test_a_copy_delivered_to_another_instance_meanwhile_is_not_answered_twice(
    settings: Settings, fake: FakeTelegram
):
    """Instance A holds its loop on the update; Telegram's second copy reaches instance B (its
    own thread and event loop, as another process), which must wait for A and then skip it."""
    answerer = LoopBlockingAnswerer()
    first = await start_instance(settings, answerer)
    other_ready = threading.Event()
    other: dict[str, object] = {}

    def run_other_instance() -> None:
        async def main() -> None:
            instance = await start_instance(settings, EchoAnswerer())
            try:
                other_ready.set()
                await asyncio.to_thread(answerer.blocking.wait, 30)
                copy = question(52, "Who gets a licence?", instance.bot)
                other["status"] = await delivered_by_webhook(instance, copy)
                other["duplicates"] = instance.services.metrics.value(
                    "hecbot_updates_duplicate_total"
                )
            finally:
                await stop_instance(instance)

        try:
            asyncio.run(main())
        except BaseException as error:  # reported to the test below
            other["error"] = error
            other_ready.set()

    thread = threading.Thread(target=run_other_instance)
    thread.start()
    try:
        await asyncio.to_thread(other_ready.wait, 60)
        status = await delivered_by_webhook(first, question(52, "Who gets a licence?", first.bot))
        await asyncio.to_thread(thread.join, 60)
    finally:
        await stop_instance(first)
    assert "error" not in other, other.get("error")
    assert (status, other["status"]) == (200, 200)  # no 503: neither is delivered a third time
    [reply] = replies(fake)
    assert "Answer to: Who gets a licence?" in reply
    assert other["duplicates"] == 1  # B took the lock after A had finished, and recognised it
