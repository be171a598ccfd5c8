"""Round trips to PostgreSQL per update: connections are pinged before use only after sitting
idle, and a broken idle one is still replaced without the learner noticing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text

import bot.storage.db as db_module
from bot.errors import ServiceUnavailableError
from bot.storage.db import Database
from tests import real_services

pytestmark = pytest.mark.postgres


@pytest.fixture
async def postgres() -> AsyncIterator[Database]:
    await real_services.require("postgres")
    url = await real_services.create_postgres_database()
    database = Database(url.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=1)
    try:
        yield database
    finally:
        await database.close()
        await real_services.drop_postgres_database(url)


async def _backend_pid(database: Database) -> int:
    async with database.session() as session:
        return int((await session.exec(text("SELECT pg_backend_pid()"))).one()[0])  # type: ignore[call-overload]


async def _terminate(pid: int) -> None:
    admin = await asyncpg.connect(real_services.POSTGRES_ADMIN_URL)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def test_an_idle_connection_a_restart_broke_is_replaced_unnoticed(
    postgres: Database, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    broken = await _backend_pid(postgres)
    await _terminate(broken)
    assert await _backend_pid(postgres) != broken  # pinged, found dead, replaced


async def test_a_connection_in_steady_use_is_not_pinged(
    postgres: Database, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    broken = await _backend_pid(postgres)
    await _terminate(broken)
    # Not pinged, so the break surfaces (a 503 for the webhook: Telegram redelivers) ...
    with pytest.raises(ServiceUnavailableError):
        await _backend_pid(postgres)
    # ... and the pool has replaced the connection for the next update.
    assert await _backend_pid(postgres) != broken
