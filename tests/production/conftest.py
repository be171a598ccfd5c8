"""The production tests' bot: hecbot's web app (`hecbot run --webhook`) on the one e2e harness.

`webhook_app`: the bot serving its webhook over the test's database, with an echoing answerer
and learners who finished onboarding earlier. `outage_bot`: the same bot on PostgreSQL and
Redis reached through a TCP proxy a test can cut (the `service` it is parametrised with).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.storage.db import Database
from tests import real_services
from tests.e2e.harness import BotHarness
from tests.factories import make_user
from tests.fakebotapi import DEFAULT_TOKEN, FakeTelegram
from tests.production.doubles import EchoAnswerer
from tests.production.tcp_proxy import TcpProxy

SECRET = "s3cret-token_for-tests"

# Learners of these tests finished onboarding earlier: questions are answered only after it.
LEARNERS = (7001, 7002, 7003, 7004, 5_000_000_777)


@pytest.fixture
async def webhook_app(settings: Settings, database: Database) -> AsyncIterator[BotHarness]:
    async with FakeTelegram(strict_chats=False) as fake:
        settings.telegram.bot_token = SecretStr(DEFAULT_TOKEN)
        settings.telegram.api_base = fake.base_url
        harness = BotHarness(
            fake, settings, answerer=EchoAnswerer(), webhook_secret=SECRET, worker=False
        )
        async with harness:
            assert harness.services is not None
            for learner in LEARNERS:
                await make_user(harness.services.database, learner)
            yield harness


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database of this test's own."""
    url = await real_services.create_postgres_database()
    try:
        yield url
    finally:
        await real_services.drop_postgres_database(url)


@dataclass
class OutageBot:
    """The bot, and the proxy between it and the `service` a test takes away."""

    harness: BotHarness
    proxy: TcpProxy
    service: str  # "postgres" or "redis"

    @property
    def dependency(self) -> str:
        """The service's name in the outage log lines."""
        return "database" if self.service == "postgres" else "Redis"

    @property
    def check(self) -> str:
        """The service's name among the health checks."""
        return "database" if self.service == "postgres" else "redis"


@pytest.fixture
async def outage_bot(
    service: str, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[OutageBot]:
    """The webhook bot on PostgreSQL and Redis, `service` (a test parameter) behind a proxy."""
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
        harness = BotHarness(
            fake, settings, answerer=EchoAnswerer(), webhook_secret="outage-secret", worker=False
        )
        try:
            async with harness:
                yield OutageBot(harness, proxy, service)
        finally:
            await real_services.delete_redis_keys(prefix)
