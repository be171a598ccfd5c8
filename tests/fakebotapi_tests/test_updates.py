"""Updates reach the real Dispatcher by long polling and by webhook."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.fakebotapi import FakeTelegram
from tests.fakebotapi_tests.conftest import WELCOME, echo_router

USER = 7770001


async def test_polling_round_trip_echoes_text(
    fake_telegram: FakeTelegram, polling_bot: Bot
) -> None:
    fake_telegram.push_message(USER, "Is my licence active? <yes>", language_code="ur")

    (reply,) = await fake_telegram.wait_for("sendMessage")

    assert reply.ok
    assert reply.chat_id == USER
    last = fake_telegram.last_message_to(USER)
    assert last is not None and last.text == "Is my licence active? <yes>"


async def test_polling_round_trip_with_button_press(
    fake_telegram: FakeTelegram, polling_bot: Bot
) -> None:
    fake_telegram.push_message(USER, "/start")
    await fake_telegram.wait_for("sendMessage")
    welcome = fake_telegram.last_message_to(USER)
    assert welcome is not None and welcome.callback_data == ["topic:licence"]

    fake_telegram.push_callback(USER, welcome.message_id, "topic:licence")
    await fake_telegram.wait_for("editMessageText")

    (answer,) = fake_telegram.requests("answerCallbackQuery")
    assert answer.ok and answer.params["text"] == "Noted"
    (visible,) = fake_telegram.messages_to(USER)
    assert visible.text == "You chose topic:licence"
    assert visible.edits[0]["text"] == "Welcome, learner!"
    assert WELCOME.startswith("Welcome")


async def test_long_poll_returns_when_an_update_is_pushed(fake_telegram: FakeTelegram) -> None:
    bot = fake_telegram.make_bot()
    polling = asyncio.create_task(bot.get_updates(timeout=30))
    await fake_telegram.wait_for_long_poll()

    pushed = fake_telegram.push_message(USER, "hello")
    updates = await polling

    assert [u.update_id for u in updates] == [pushed["update_id"]]
    assert updates[0].message is not None and updates[0].message.text == "hello"
    # Confirming with offset removes the update from the queue.
    assert await bot.get_updates(offset=pushed["update_id"] + 1) == []


async def test_second_poller_terminates_the_first(fake_telegram: FakeTelegram) -> None:
    bot = fake_telegram.make_bot()
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await fake_telegram.wait_for_long_poll()

    await bot.get_updates(timeout=0)

    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first


class WebhookTarget:
    """A plain aiohttp endpoint that records webhook POSTs and can fail the first ones."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[str | None, dict[str, object]]] = []
        self._changed = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        body = await request.json()
        async with self._changed:
            self.received.append((secret, body))
            self._changed.notify_all()
        if self.failures:
            self.failures -= 1
            return web.Response(status=502)
        return web.json_response({})

    async def wait_received(self, count: int) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.received) >= count), 5)


@pytest.fixture
async def serve() -> AsyncIterator[list[web.AppRunner]]:
    runners: list[web.AppRunner] = []
    yield runners
    for runner in runners:
        await runner.cleanup()


async def start_app(app: web.Application, runners: list[web.AppRunner]) -> str:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    runners.append(runner)
    port = runner.addresses[0][1]
    return f"http://127.0.0.1:{port}/webhook"


async def test_webhook_delivers_with_secret_and_runs_the_reply_method(
    fake_telegram: FakeTelegram, serve: list[web.AppRunner]
) -> None:
    bot = fake_telegram.make_bot()
    dispatcher = Dispatcher()
    dispatcher.include_router(echo_router())
    app = web.Application()
    SimpleRequestHandler(
        dispatcher, bot, secret_token="hec-Secret_1", handle_in_background=False
    ).register(app, path="/webhook")
    url = await start_app(app, serve)
    await bot.set_webhook(url, secret_token="hec-Secret_1")

    fake_telegram.push_message(USER, "/start")
    (reply,) = await fake_telegram.wait_for("sendMessage")

    # aiogram answered inside the webhook response; the fake executed it like Telegram.
    assert reply.via_webhook_reply and reply.ok
    assert reply.params["text"] == WELCOME
    (delivery,) = fake_telegram.webhook_deliveries
    assert (delivery.status, delivery.secret_token) == (200, "hec-Secret_1")
    info = await bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()


async def test_webhook_wrong_secret_is_rejected_and_retried(
    fake_telegram: FakeTelegram, serve: list[web.AppRunner]
) -> None:
    target = WebhookTarget(failures=2)
    app = web.Application()
    app.router.add_post("/webhook", target.handle)
    url = await start_app(app, serve)
    fake_telegram.set_webhook_targets([url], secret_token="s3cret")

    pushed = fake_telegram.push_message(USER, "retry me")
    await target.wait_received(3)

    assert [body["update_id"] for _, body in target.received] == [pushed["update_id"]] * 3
    assert {secret for secret, _ in target.received} == {"s3cret"}
    statuses = [d.status for d in fake_telegram.webhook_deliveries]
    assert statuses[:2] == [502, 502]


async def test_webhook_round_robin_over_instances(
    fake_telegram: FakeTelegram, serve: list[web.AppRunner]
) -> None:
    targets = [WebhookTarget(), WebhookTarget()]
    urls = []
    for target in targets:
        app = web.Application()
        app.router.add_post("/webhook", target.handle)
        urls.append(await start_app(app, serve))
    fake_telegram.set_webhook_targets(urls)

    for n in range(4):
        fake_telegram.push_message(USER, f"message {n}")
    for target in targets:
        await target.wait_received(2)

    assert [len(t.received) for t in targets] == [2, 2]
    assert targets[0].received[0][0] is None  # no secret configured, no header
