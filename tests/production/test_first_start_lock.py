"""Instances started together on one PostgreSQL load the bundled catalogues one at a time.

(Without the lock, two instances starting on an empty database both inserted the bundled courses
and one died on the unique index: the two-instance e2e test caught it.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.storage.db import FIRST_START_LOCK, Database
from tests import real_services

pytestmark = [pytest.mark.postgres]


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await real_services.create_postgres_database()
    try:
        yield url.replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        await real_services.drop_postgres_database(url)


async def _waiting_for_first_start_lock(observer: Database) -> int:
    async with observer.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND objid = :key AND NOT granted"
            ),
            {"key": FIRST_START_LOCK},
        )
        return int(rows.scalar_one())


async def test_a_second_instance_waits_while_the_first_loads(postgres_url: str):
    first, second, observer = Database(postgres_url), Database(postgres_url), Database(postgres_url)
    entered: list[str] = []

    async def second_instance() -> None:
        async with second.first_start_lock():
            entered.append("second")

    try:
        async with first.first_start_lock():
            entered.append("first")
            waiting = asyncio.create_task(second_instance())
            while await _waiting_for_first_start_lock(observer) == 0:
                assert not waiting.done(), "the second instance did not wait for the lock"
                await asyncio.sleep(0.05)
            assert entered == ["first"]
        await asyncio.wait_for(waiting, timeout=30)
        assert entered == ["first", "second"]
    finally:
        for database in (first, second, observer):
            await database.close()
