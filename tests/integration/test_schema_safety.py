"""Schema safety: a database from any earlier main reaches the head with every table, or the
process refuses to start with one line naming what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
from typer.testing import CliRunner

import bot.storage.all_models  # noqa: F401  (every table on the metadata)
from bot.errors import ConfigurationError
from bot.storage.db import Database, alembic_config


async def database_of_the_day_0005_followed_0002(url: str) -> None:
    """What main's commit c98f198 created: 0001, 0002, then 0005 (courses), stamped 0005."""
    script = ScriptDirectory.from_config(alembic_config(url))
    engine = create_async_engine(url)

    def build(connection: Connection) -> None:
        context = MigrationContext.configure(connection)
        with Operations.context(context):
            for revision in ("0001", "0002", "0005"):
                module = script.get_revision(revision)
                assert module is not None
                module.module.upgrade()
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('0005')"))

    async with engine.begin() as connection:
        await connection.run_sync(build)
    await engine.dispose()


async def tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        found = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return found


async def test_a_database_from_when_0005_followed_0002_reaches_the_head_with_every_table(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await database_of_the_day_0005_followed_0002(url)
    assert "delivery_jobs" not in await tables(url)
    database = Database(url)
    await database.migrate()
    await database.close()
    present = await tables(url)
    assert {table.name for table in SQLModel.metadata.sorted_tables} <= present
    assert {"delivery_jobs", "deliveries", "broadcasts", "webinars", "webinar_rsvps"} <= present


async def test_a_schema_missing_a_table_refuses_to_start_naming_it(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'broken.db'}"
    database = Database(url)
    await database.migrate()
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP TABLE webinar_rsvps"))
    with pytest.raises(ConfigurationError, match="missing table webinar_rsvps"):
        await database.migrate()
    await database.close()


def test_db_upgrade_brings_the_old_database_to_the_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from bot.cli import app

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("HECBOT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("HECBOT_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = f"sqlite+aiosqlite:///{(data_dir / 'hecbot.sqlite3').resolve()}"
    asyncio.run(database_of_the_day_0005_followed_0002(url))
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert {"delivery_jobs", "deliveries"} <= asyncio.run(tables(url))
