"""An outage of PostgreSQL or Redis, in-process: 503 while down (Telegram redelivers), then the
same update is handled once the service is back, over reconnected pools."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.container import build_services
from bot.telegram.webserver import create_web_app
from tests import real_services
from tests.factories import make_user
from tests.fakebotapi import DEFAULT_TOKEN, FakeTelegram
from tests.production.doubles import EchoAnswerer
from tests.production.tcp_proxy import TcpProxy
from tests.production.test_webhook_app import message_update

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SECRET = "outage-secret"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await real_services.create_postgres_database()
    try:
        yield url
    finally:
        await real_services.drop_postgres_database(url)


@pytest.mark.parametrize("service", ["postgres", "redis"])
async def test_an_update_during_an_outage_gets_503_and_succeeds_when_redelivered(
    service: str, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    await real_services.require("redis")
    monkeypatch.chdir(tmp_path)
    proxy = TcpProxy("127.0.0.1", 5432 if service == "postgres" else 6379)
    database_url, redis_url = postgres_url, real_services.REDIS_TEST_URL
    if service == "postgres":
        database_url = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    else:
        redis_url = redis_url.replace("127.0.0.1:6379", f"127.0.0.1:{proxy.port}")
    prefix = real_services.new_redis_prefix()
    async with proxy, FakeTelegram(strict_chats=False) as fake:
        settings = Settings(  # type: ignore[call-arg]
            HECBOT_DATA_DIR=tmp_path / "data",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            REDIS_KEY_PREFIX=prefix,
            TELEGRAM_API_BASE=fake.base_url,
            HECBOT_THROTTLE_SECONDS=0,
        )
        settings.telegram.bot_token = SecretStr(DEFAULT_TOKEN)
        services = await build_services(settings, answerer=EchoAnswerer())
        learner = 5_000_000_501
        await make_user(services.database, learner)
        dispatcher = create_dispatcher(services)
        app = create_web_app(services, dispatcher, create_bot(settings), secret=SECRET)
        server = TestServer(app)
        await server.start_server()
        url = str(server.make_url(settings.telegram.webhook_path))
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        try:
            async with ClientSession() as http:

                async def post(update_id: int, text: str) -> int:
                    body = json.dumps(message_update(update_id, learner, text))
                    async with http.post(url, data=body, headers=headers) as response:
                        return response.status

                assert await post(1, "How do I apply before the deadline?") == 200
                await proxy.stop()
                assert await post(2, "Who approves licences during exams?") == 503
                assert (
                    await post(2, "Who approves licences during exams?") == 503
                )  # Telegram retries; still down
                health = await http.get(server.make_url("/healthz"))
                assert health.status == 503
                await proxy.start()
                assert (
                    await post(2, "Who approves licences during exams?") == 200
                )  # the redelivery after the restart
                assert await post(3, "Where do I send my licence documents?") == 200
                health = await http.get(server.make_url("/healthz"))
                assert health.status == 200
        finally:
            await server.close()
            await dispatcher.storage.close()
            await services.close()
            await real_services.delete_redis_keys(prefix)
    answers = [str(r.params["text"]) for r in fake.requests("sendMessage", chat_id=learner)]
    for text in (
        "How do I apply before the deadline?",
        "Who approves licences during exams?",
        "Where do I send my licence documents?",
    ):
        assert sum(f"Answer to: {text}" in a for a in answers) == 1, answers
    assert not any("try again" in a.lower() for a in answers), answers
    assert (
        services.metrics.value(
            "hecbot_errors_total",
            {"error": "ServiceUnavailableError" if service == "postgres" else "ConnectionError"},
        )
        >= 1
    )
