"""Migration 0003 goes up, down and up again (the "stairway")."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from bot.storage.db import Database, alembic_config

TABLES = {"delivery_jobs", "deliveries", "broadcasts", "webinars", "webinar_rsvps"}


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


def _run(database: Database, action: str, revision: str) -> None:
    def step(connection) -> None:
        config = alembic_config(database.url)
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)

    return step  # type: ignore[return-value]


async def test_delivery_tables_upgrade_downgrade_upgrade(database: Database):
    assert await _tables(database) >= TABLES
    async with database.engine.begin() as connection:
        await connection.run_sync(_run(database, "downgrade", "0001"))
    assert not TABLES & await _tables(database)
    async with database.engine.begin() as connection:
        await connection.run_sync(_run(database, "upgrade", "head"))
    assert await _tables(database) >= TABLES
