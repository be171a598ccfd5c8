"""The real PostgreSQL and Redis servers the production-path tests run on.

PostgreSQL: each test gets a database of its own, created from nothing and dropped afterwards.
Redis: each test gets a key prefix of its own, whose keys are deleted afterwards.
When a server does not answer, its tests are skipped and the run ends with a loud notice
(see `pytest_terminal_summary` in conftest.py); `HECBOT_REQUIRE_SERVICES=1` turns the skip into
a failure, for CI machines where the servers must be there.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import redis.asyncio as aioredis

POSTGRES_ADMIN_URL = os.environ.get(
    "HECBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_TEST_URL = os.environ.get("HECBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class ServiceProbe:
    """Whether each server answered, asked once per test session (per worker under xdist).

    `skipped_tests` and `reasons` are counted where the run's summary is written (the only
    process under pytest-xdist that sees every test's report): see `note_skip`."""

    answers: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    skipped_tests: dict[str, int] = field(default_factory=dict)


PROBE = ServiceProbe()


async def _postgres_answers() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


async def _redis_answers() -> str | None:
    client = aioredis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        await client.aclose()
    return None


async def require(service: str) -> None:
    """Skip (or, with HECBOT_REQUIRE_SERVICES=1, fail) when the server does not answer."""
    if service not in PROBE.answers:
        probe = _postgres_answers if service == "postgres" else _redis_answers
        reason = await probe()
        PROBE.answers[service] = reason is None
        if reason:
            PROBE.reasons[service] = reason
    if PROBE.answers[service]:
        return
    where = POSTGRES_ADMIN_URL if service == "postgres" else REDIS_TEST_URL
    message = f"{service} unreachable at {where}: {PROBE.reasons[service]}"
    if os.environ.get("HECBOT_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


_SKIP_MESSAGE = re.compile(r"\b(postgres|redis) unreachable at \S+: (.+)")


def note_skip(skip_message: str) -> None:
    """Count a test skipped by `require` (from its report, so xdist workers' skips count too)."""
    found = _SKIP_MESSAGE.search(skip_message)
    if found is None:
        return
    service, reason = found.groups()
    PROBE.skipped_tests[service] = PROBE.skipped_tests.get(service, 0) + 1
    PROBE.reasons.setdefault(service, reason)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def create_postgres_database(template: str | None = None) -> str:
    """A new database, empty or a copy of `template` (the URL of a database no one is connected
    to); returns its URL (plain postgresql://, as an operator writes it)."""
    await require("postgres")
    name = f"hecbot_test_{uuid.uuid4().hex[:12]}"
    copy = ""
    if template is not None:
        source = urlsplit(template).path.lstrip("/")
        assert source.startswith("hecbot_test_"), source  # only a database a test made
        copy = f' TEMPLATE "{source}"'
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await connection.close()
    return with_database(POSTGRES_ADMIN_URL, name)


async def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    assert name.startswith("hecbot_test_"), name  # never drop anything a test did not create
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A new, empty database for one test (skipped, or failed, without the server), dropped
    afterwards; yields its URL with the async driver, as `Database` takes it."""
    url = await create_postgres_database()
    try:
        yield url.replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        await drop_postgres_database(url)


def new_redis_prefix() -> str:
    return f"hecbot-test-{uuid.uuid4().hex[:12]}"


async def delete_redis_keys(prefix: str, url: str = REDIS_TEST_URL) -> int:
    """Delete every key under the prefix; returns how many there were."""
    client = aioredis.Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
        return len(keys)
    finally:
        await client.aclose()
