"""The webhook app in-process: secret token, malformed bodies, /healthz, /metrics, replies.

`webhook_app` (tests/production/conftest.py) is the e2e harness serving the webhook.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import pytest
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiohttp import ClientSession
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError

from bot.config import Settings
from bot.storage.db import Database
from bot.telegram.container import build_services
from tests.e2e.harness import BotHarness, Person, message_update
from tests.production.conftest import SECRET
from tests.production.doubles import EchoAnswerer


async def test_a_question_posted_with_the_secret_is_answered(webhook_app: BotHarness):
    response = await webhook_app.post(message_update(1, 7001, "Who gets a licence?"))
    assert response.status == 200
    sent = await webhook_app.fake.wait_for("sendMessage", lambda r: r.chat_id == 7001)
    assert "Answer to: Who gets a licence?" in sent[0].params["text"]
    metrics = webhook_app.services.metrics
    assert metrics.value("hecbot_updates_handled_total", {"type": "message"}) == 1
    assert metrics.value("hecbot_answer_latency_seconds_count") == 1
    assert metrics.value("hecbot_answers_abstained_total") == 0
    # The Telegram connection it held, for sizing WEBHOOK_MAX_CONNECTIONS: given back.
    assert metrics.value("hecbot_webhook_request_seconds_count") == 1
    assert metrics.value("hecbot_webhook_requests_in_flight") == 0


async def test_a_learner_typing_reaches_the_bot_through_the_webhook_telegram_calls(
    webhook_app: BotHarness,
):
    learner = Person(webhook_app.fake, 7002)
    (reply,) = await learner.says("Who gets a licence?")
    assert "Answer to: Who gets a licence?" in (reply.text or "")
    # The reply is sent while the update is handled, before the webhook's response is recorded.
    await webhook_app.until(lambda: bool(webhook_app.fake.webhook_deliveries), "a response")
    [delivery] = webhook_app.fake.webhook_deliveries
    assert (delivery.status, delivery.secret_token) == (200, SECRET)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
async def test_a_request_without_the_right_secret_is_forbidden(
    webhook_app: BotHarness, secret: str | None
):
    response = await webhook_app.post(message_update(2, 7002, "hi"), secret=secret)
    assert response.status == 403
    assert webhook_app.answerer.questions == []
    assert webhook_app.fake.requests("sendMessage") == []
    assert (
        webhook_app.services.metrics.value("hecbot_webhook_rejected_total", {"reason": "secret"})
        == 1
    )


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'{"message": {"text": "no update id"}}',
        b'{"update_id": "seven", "message": 12}',
    ],
)
async def test_a_malformed_update_is_refused_with_400_and_logged(
    webhook_app: BotHarness, body: bytes, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.WARNING, logger="bot.telegram.webserver"):
        response = await webhook_app.post(body)
    assert response.status == 400
    assert any("malformed webhook body" in record.getMessage() for record in caplog.records)
    assert (
        webhook_app.services.metrics.value("hecbot_webhook_rejected_total", {"reason": "malformed"})
        == 1
    )


async def test_healthz_reports_each_service(webhook_app: BotHarness):
    response = await webhook_app.get("/healthz")
    body = await response.json()
    assert response.status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert "knowledge" in body["checks"]


async def test_healthz_is_503_when_the_database_is_unreachable(webhook_app: BotHarness):
    await webhook_app.services.database.close()
    real = webhook_app.services.database
    webhook_app.services.database = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        response = await webhook_app.get("/healthz")
        body = await response.json()
    finally:
        await webhook_app.services.database.close()
        webhook_app.services.database = real
    assert response.status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False


async def test_metrics_expose_prometheus_text(webhook_app: BotHarness):
    await webhook_app.post(message_update(3, 7003, "What is the weather?"))
    await webhook_app.fake.wait_for("sendMessage", lambda r: r.chat_id == 7003)
    response = await webhook_app.get("/metrics")
    text = await response.text()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert 'hecbot_updates_handled_total{type="message"} 1.0' in text
    assert "hecbot_answers_abstained_total 1.0" in text
    assert "hecbot_answer_latency_seconds_bucket" in text


async def test_an_unreachable_knowledge_index_gets_a_polite_reply_and_the_bot_goes_on(
    webhook_app: BotHarness,
):
    webhook_app.answerer.broken = ConnectionError("chroma server refused the connection")
    response = await webhook_app.post(message_update(4, 7004, "Who gets a licence?"))
    assert response.status == 200
    reply = await webhook_app.fake.wait_for("sendMessage", lambda r: r.chat_id == 7004)
    catalogue = webhook_app.services.catalogue.for_language("en")
    assert reply[0].params["text"] == catalogue("error-knowledge-unavailable")

    webhook_app.answerer.broken = None
    await webhook_app.post(message_update(5, 7004, "Who gets a licence now?"))
    replies = await webhook_app.fake.wait_for("sendMessage", lambda r: r.chat_id == 7004, count=2)
    assert "Answer to: Who gets a licence now?" in replies[1].params["text"]
    assert (
        webhook_app.services.metrics.value(
            "hecbot_errors_total", {"error": "KnowledgeUnavailableError"}
        )
        == 1
    )


async def test_two_apps_in_one_process_keep_separate_metrics(
    settings: Settings, database: Database
):
    first = await build_services(settings, answerer=EchoAnswerer())
    second = await build_services(settings, answerer=EchoAnswerer())
    try:
        first.metrics.update_handled("message")
        assert first.metrics.value("hecbot_updates_handled_total", {"type": "message"}) == 1
        assert second.metrics.value("hecbot_updates_handled_total", {"type": "message"}) == 0
    finally:
        await first.close()
        await second.close()


async def test_the_worker_probe_server_reports_health_and_metrics(
    settings: Settings, database: Database
):
    from bot.telegram.webserver import start_probe_server
    from tests.production.tcp_proxy import free_port

    services = await build_services(settings, answerer=EchoAnswerer())
    services.metrics.message_sent(kind="broadcast", outcome="sent")
    port = free_port()
    runner = await start_probe_server(services, "127.0.0.1", port)
    try:
        async with ClientSession() as http:
            health = await http.get(f"http://127.0.0.1:{port}/healthz")
            body = await health.json()
            metrics = await (await http.get(f"http://127.0.0.1:{port}/metrics")).text()
    finally:
        await runner.cleanup()
        await services.close()
    assert health.status == 200
    assert set(body["checks"]) == {"database", "send_budget"}
    assert 'hecbot_delivery_sends_total{kind="broadcast",outcome="sent"} 1.0' in metrics


class RedisGoneAt(BaseEventIsolation):
    """The per-user lock as Redis would hold it if Redis went away on taking or on releasing."""

    def __init__(self, moment: str) -> None:
        self.moment = moment

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        if self.moment == "take":
            raise RedisConnectionError("Redis went away")
        if self.moment == "still held":
            raise LockError("Unable to acquire lock within the time specified")
        yield
        raise RedisConnectionError("Redis went away")

    async def close(self) -> None:
        pass


async def test_an_update_answered_before_redis_went_away_is_not_delivered_again(
    webhook_app: BotHarness, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    webhook_app.dispatcher.fsm.events_isolation = RedisGoneAt("release")
    update = message_update(41, 7002, "Is the licence free?")
    response = await webhook_app.post(update)
    # Answered: a 503 would make Telegram deliver it again and the learner get two replies.
    assert response.status == 200
    sent = await webhook_app.fake.wait_for("sendMessage", lambda r: r.chat_id == 7002)
    assert len(sent) == 1 and "Answer to: Is the licence free?" in sent[0].params["text"]
    assert "handled, then" in caplog.text
    # The outage itself is the one line above DEBUG (bot.outages), not one per update.
    assert [r.getMessage()[:17] for r in caplog.records if r.levelno >= logging.WARNING] == [
        "Redis unreachable"
    ]


@pytest.mark.parametrize("moment", ["take", "still held"])
async def test_an_update_redis_failed_before_it_was_handled_is_asked_for_again(
    webhook_app: BotHarness, moment: str
):
    # "still held": the learner's lock outlived its wait, e.g. one an instance could not release
    # while Redis was cut off; it expires, so the update is asked for again, not dropped.
    webhook_app.dispatcher.fsm.events_isolation = RedisGoneAt(moment)
    response = await webhook_app.post(message_update(42, 7003, "Is it free?"))
    assert response.status == 503
    assert webhook_app.fake.requests("sendMessage", chat_id=7003) == []
