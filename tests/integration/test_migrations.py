"""Alembic migrations on SQLite and PostgreSQL: every revision goes up and comes back down.

The "stairway" walks the whole history one step at a time (up, down, up again), which catches a
downgrade that forgets a table, an index or an enum, and a migration that cannot be re-applied.
It is the one stairway test: a feature's new revision is covered by adding it to the chain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import bot.storage.all_models  # noqa: F401  (every table on the metadata)
from bot.storage.db import Database, alembic_config

FIRST_REVISION = "0001"


def revisions_oldest_first(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


async def run_alembic(url: str, step: Callable[[Config], None]) -> None:
    """Run one Alembic command on a connection of our async engine (as `Database.migrate`)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:

            def run(sync_connection: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = sync_connection
                step(config)

            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def inspect_database(url: str) -> tuple[set[str], str | None, list[object]]:
    """(tables, current revision, differences between the schema and the models)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:

            def look(sync_connection: Connection) -> tuple[set[str], str | None, list[object]]:
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                tables = set(inspect(sync_connection).get_table_names())
                diff = compare_metadata(context, SQLModel.metadata)
                return tables, context.get_current_revision(), list(diff)

            return await connection.run_sync(look)
    finally:
        await engine.dispose()


async def tables_and_revision(url: str) -> tuple[set[str], str | None]:
    """The cheap part of `inspect_database`, for the stairway's many steps."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:

            def look(sync_connection: Connection) -> tuple[set[str], str | None]:
                context = MigrationContext.configure(sync_connection)
                tables = set(inspect(sync_connection).get_table_names()) - {"alembic_version"}
                return tables, context.get_current_revision()

            return await connection.run_sync(look)
    finally:
        await engine.dispose()


def model_tables() -> set[str]:
    return set(SQLModel.metadata.tables)


async def test_upgrade_creates_exactly_the_models_schema(database_url: str):
    await run_alembic(database_url, lambda config: command.upgrade(config, "head"))
    tables, revision, diff = await inspect_database(database_url)
    heads = ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    assert revision in heads
    assert model_tables() <= tables
    assert diff == [], f"migrations and models disagree: {diff}"


async def test_upgrade_downgrade_upgrade_round_trip(database_url: str):
    await run_alembic(database_url, lambda config: command.upgrade(config, "head"))
    await run_alembic(database_url, lambda config: command.downgrade(config, "base"))
    tables, revision, _ = await inspect_database(database_url)
    assert revision is None
    assert tables & model_tables() == set(), "downgrade to base left tables behind"
    await run_alembic(database_url, lambda config: command.upgrade(config, "head"))
    tables, _, diff = await inspect_database(database_url)
    assert model_tables() <= tables
    assert diff == []


async def test_stairway_every_revision_goes_up_down_and_up(database_url: str):
    """The one stairway for every revision (parametrised by backend through `database_url`).

    Each step's downgrade must leave exactly the tables that were there before its upgrade, and
    upgrading again must bring back exactly what the first upgrade made; a new migration is
    covered here without a test of its own.
    """
    revisions = revisions_oldest_first(database_url)
    assert revisions[0] == FIRST_REVISION
    previous = "base"
    before, _ = await tables_and_revision(database_url)
    for revision in revisions:
        await run_alembic(database_url, lambda config, r=revision: command.upgrade(config, r))
        after, _ = await tables_and_revision(database_url)
        await run_alembic(database_url, lambda config, p=previous: command.downgrade(config, p))
        down, _ = await tables_and_revision(database_url)
        assert down == before, f"downgrade of {revision} left {down ^ before}"
        await run_alembic(database_url, lambda config, r=revision: command.upgrade(config, r))
        again, current = await tables_and_revision(database_url)
        assert current == revision
        assert again == after, f"{revision} applied twice differs: {again ^ after}"
        previous, before = revision, after
    assert model_tables() <= before


async def test_an_older_database_upgrades_to_head_keeping_its_data(database_url: str):
    await run_alembic(database_url, lambda config: command.upgrade(config, FIRST_REVISION))
    created = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO users (id, language, role, created_at, is_blocked, "
                    "surveys_enabled) VALUES (:id, 'ur', 'learner', :at, false, true)"
                ),
                {"id": 5_000_000_123, "at": created},
            )
            await connection.execute(
                text(
                    "INSERT INTO questions (user_id, channel, question, language, answer, "
                    "abstained, latency_ms, created_at) VALUES (:user, 'telegram', "
                    "'How do I get a licence?', 'en', 'Ask your focal person.', false, 12.5, :at)"
                ),
                {"user": 5_000_000_123, "at": created},
            )
    finally:
        await engine.dispose()

    database = Database(database_url)
    try:
        await database.migrate()
        async with database.engine.connect() as connection:
            users = (await connection.execute(text("SELECT id, language FROM users"))).all()
            questions = (
                await connection.execute(text("SELECT user_id, question FROM questions"))
            ).all()
    finally:
        await database.close()
    assert [tuple(row) for row in users] == [(5_000_000_123, "ur")]
    assert [tuple(row) for row in questions] == [(5_000_000_123, "How do I get a licence?")]
    _, revision, diff = await inspect_database(database_url)
    assert revision in ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    assert diff == []


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_database_newer_than_this_code_is_refused(database_url: str):
    await run_alembic(database_url, lambda config: command.upgrade(config, "head"))
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        await engine.dispose()
    database = Database(database_url)
    try:
        with pytest.raises(Exception, match="newer than this hecbot knows"):
            await database.migrate()
    finally:
        await database.close()


@pytest.mark.parametrize("database_backend", ["postgres"], indirect=True)
async def test_instances_starting_together_migrate_once(database_url: str):
    databases = [Database(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(database.migrate() for database in databases))
    finally:
        for database in databases:
            await database.close()
    _, revision, diff = await inspect_database(database_url)
    assert revision in ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    assert diff == []


async def test_a_database_at_head_is_checked_without_running_alembic_again(
    database_url: str, monkeypatch: pytest.MonkeyPatch
):
    # Every CLI command migrates first: at head that must cost a look, not an upgrade.
    database = Database(database_url)
    try:
        await database.migrate()
        upgrades: list[str] = []
        monkeypatch.setattr(
            "bot.storage.db.command.upgrade",
            lambda config, revision: upgrades.append(revision),
        )
        await database.migrate()
        assert upgrades == []
        _, revision, diff = await inspect_database(database_url)
        assert revision in ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
        assert diff == []
    finally:
        await database.close()


async def test_a_database_behind_head_is_still_upgraded(database_url: str):
    await run_alembic(database_url, lambda config: command.upgrade(config, FIRST_REVISION))
    database = Database(database_url)
    try:
        await database.migrate()
    finally:
        await database.close()
    _, revision, diff = await inspect_database(database_url)
    assert revision in ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    assert diff == []
