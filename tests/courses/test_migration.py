"""The courses migration upgrades, downgrades and upgrades again (a 'stairway' test)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.storage.db import Database, alembic_config


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_courses_migration_is_reversible(database: Database):
    async with database.engine.begin() as connection:
        assert {"courses", "course_plan"} <= await connection.run_sync(_tables)

    def downgrade(connection: Connection) -> None:
        config = alembic_config(database.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")

    async with database.engine.begin() as connection:
        await connection.run_sync(downgrade)
        remaining = await connection.run_sync(_tables)
    assert "courses" not in remaining
    assert "course_plan" not in remaining
    assert "users" in remaining

    await database.migrate()
    async with database.engine.begin() as connection:
        assert {"courses", "course_plan"} <= await connection.run_sync(_tables)
