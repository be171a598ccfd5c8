"""One log line when PostgreSQL or Redis goes away, one when it is back, however many updates
the outage fails in between; `/readyz` says it is down meanwhile, and for how long."""

from __future__ import annotations

import json
import logging
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

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

SECRET = "outage-log-secret"
UPDATES_DURING_OUTAGE = 6


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await real_services.create_postgres_database()
    try:
        yield url
    finally:
        await real_services.drop_postgres_database(url)


def outage_records(records: list[logging.LogRecord], dependency: str) -> list[str]:
    return [
        str(getattr(r, "outage", ""))
        for r in records
        if getattr(r, "dependency", None) == dependency and getattr(r, "outage", None)
    ]


@pytest.mark.parametrize("service", ["postgres", "redis"])
async def test_an_outage_of_many_updates_is_one_down_and_one_up_line(
    service: str,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    await real_services.require("redis")
    dependency = "database" if service == "postgres" else "Redis"
    monkeypatch.chdir(tmp_path)
    proxy = TcpProxy("127.0.0.1", 5432 if service == "postgres" else 6379)
    database_url, redis_url = postgres_url, real_services.REDIS_TEST_URL
    if service == "postgres":
        database_url = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    else:
        redis_url = redis_url.replace("127.0.0.1:6379", f"127.0.0.1:{proxy.port}")
    prefix = real_services.new_redis_prefix()
    caplog.set_level(logging.DEBUG)
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
        learners = [5_000_000_601 + n for n in range(UPDATES_DURING_OUTAGE)]
        for learner in learners:
            await make_user(services.database, learner)
        dispatcher = create_dispatcher(services)
        bot = create_bot(settings)
        app = create_web_app(services, dispatcher, bot, secret=SECRET)
        server = TestServer(app)
        await server.start_server()
        url = str(server.make_url(settings.telegram.webhook_path))
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        try:
            async with ClientSession() as http:

                async def post(update_id: int, learner: int) -> int:
                    body = json.dumps(message_update(update_id, learner, f"Question {update_id}?"))
                    async with http.post(url, data=body, headers=headers) as response:
                        return response.status

                assert await post(1, learners[0]) == 200
                assert outage_records(caplog.records, dependency) == []
                caplog.clear()

                await proxy.stop()
                statuses = [await post(10 + n, learner) for n, learner in enumerate(learners)]
                assert statuses == [503] * UPDATES_DURING_OUTAGE
                async with http.get(server.make_url("/readyz")) as health:
                    assert health.status == 503
                    check = (await health.json())["checks"][
                        "database" if service == "postgres" else "redis"
                    ]
                assert not check["ok"]
                assert "down for" in check["detail"], check
                during = list(caplog.records)

                await proxy.start()
                for n, learner in enumerate(learners):  # Telegram delivers them again
                    assert await post(10 + n, learner) == 200
                async with http.get(server.make_url("/readyz")) as health:
                    assert health.status == 200
        finally:
            await server.close()
            await bot.session.close()
            await dispatcher.storage.close()
            await services.close()
            await real_services.delete_redis_keys(prefix)

    assert outage_records(during, dependency) == ["down"]
    down = next(r for r in during if getattr(r, "outage", None) == "down")
    assert down.levelno == logging.WARNING
    assert getattr(down, "error_kind", "") not in ("", "ServiceUnavailableError"), down.__dict__
    assert outage_records(caplog.records, dependency) == ["down", "up"]
    up = next(r for r in caplog.records if getattr(r, "outage", None) == "up")
    assert getattr(up, "outage_seconds", -1.0) > 0
    # Nothing else at WARNING or above while it was down: no line, no traceback per update.
    noisy = [
        f"{r.name}: {r.getMessage()}"
        for r in during
        if r.levelno >= logging.WARNING and getattr(r, "outage", None) is None
    ]
    assert noisy == []
    answered = [str(r.params["text"]) for r in fake.requests("sendMessage")]
    for n in range(UPDATES_DURING_OUTAGE):
        assert sum(f"Question {10 + n}?" in a for a in answered) == 1, answered
