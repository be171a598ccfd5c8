"""Synchronous filters run on the event loop's thread, with the arguments aiogram gives them."""

from __future__ import annotations

import threading
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import Message, Update

from bot.config import Settings
from bot.storage.db import Database
from bot.telegram.app import create_dispatcher
from bot.telegram.container import build_services
from bot.telegram.inline_filters import run_filters_inline, threaded_filters
from tests.production.doubles import EchoAnswerer


def text_update(update_id: int, text: str) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_780_000_000,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5, "is_bot": False, "first_name": "Sana"},
                "text": text,
            },
        }
    )


def recording_router(threads: list[int], seen: list[str]) -> Router:
    def mentions_course(message: Message, event_from_user: Any) -> bool:
        threads.append(threading.get_ident())
        assert event_from_user.id == 5  # the data aiogram hands filters still arrives
        return "course" in (message.text or "")

    async def on_course(message: Message) -> None:
        seen.append(f"course: {message.text}")

    async def on_other(message: Message) -> None:
        seen.append(f"other: {message.text}")

    router = Router()
    router.message.register(on_course, F.text, ~F.text.startswith("/"), mentions_course)
    router.message.register(on_other, F.text)
    return router


async def test_sync_filters_run_on_the_loop_and_still_decide():
    threads: list[int] = []
    seen: list[str] = []
    dispatcher = Dispatcher()
    dispatcher.include_router(recording_router(threads, seen))
    assert run_filters_inline(dispatcher) == 4  # three on the first handler, one on the second
    assert threaded_filters(dispatcher) == []
    bot = Bot("42:TEST")
    try:
        await dispatcher.feed_update(bot, text_update(1, "which course for cloud?"))
        await dispatcher.feed_update(bot, text_update(2, "when is the deadline?"))
    finally:
        await bot.session.close()
    assert seen == ["course: which course for cloud?", "other: when is the deadline?"]
    assert threads == [threading.get_ident()] * 2


async def test_the_bot_dispatcher_runs_no_filter_in_a_thread(
    settings: Settings, database: Database
):
    services = await build_services(settings, answerer=EchoAnswerer())
    try:
        dispatcher = create_dispatcher(services)
        assert threaded_filters(dispatcher) == []
        await dispatcher.storage.close()
    finally:
        await services.close()
