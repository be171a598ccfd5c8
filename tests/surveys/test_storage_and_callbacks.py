"""The surveys migration goes up, down and up again; button data stays within Telegram's limits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.config import Settings
from bot.i18n import Catalogue
from bot.services.survey_definitions import MAX_OPTIONS
from bot.storage.db import Database, alembic_config
from handlers.buttons import TelegramButtons
from handlers.surveys import SurveyButton, SurveyStart

SURVEY_TABLES = {
    "survey_versions",
    "survey_waves",
    "survey_invitations",
    "survey_responses",
    "survey_answers",
}
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _stairway(connection: Connection, url: str) -> list[set[str]]:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    seen = []
    command.upgrade(config, "0004")
    seen.append(_tables(connection) & SURVEY_TABLES)
    command.downgrade(config, "-1")
    seen.append(_tables(connection) & SURVEY_TABLES)
    command.upgrade(config, "0004")
    seen.append(_tables(connection) & SURVEY_TABLES)
    return seen


async def test_migration_0004_upgrades_downgrades_and_upgrades_on_sqlite(
    settings: Settings,
) -> None:
    database = Database(settings.effective_database_url)
    try:
        async with database.engine.begin() as connection:
            seen = await connection.run_sync(_stairway, database.url)
    finally:
        await database.close()
    assert seen == [SURVEY_TABLES, set(), SURVEY_TABLES]


@pytest.fixture
async def postgres_engine() -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh schema of the local PostgreSQL, dropped afterwards."""
    schema = f"surveys_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(POSTGRES_URL)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
    except (OSError, SQLAlchemyError):
        await admin.dispose()
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    engine = create_async_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


@pytest.mark.postgres
async def test_migration_0004_stairway_on_postgresql(postgres_engine: AsyncEngine) -> None:
    async with postgres_engine.begin() as connection:
        seen = await connection.run_sync(_stairway, POSTGRES_URL)
    assert seen == [SURVEY_TABLES, set(), SURVEY_TABLES]


def test_button_data_fits_in_64_bytes_at_the_limits() -> None:
    longest = SurveyButton(s="x" * 24, v=999, q=99, a="t", o=(1 << MAX_OPTIONS) - 1).pack()
    assert len(longest.encode("utf-8")) <= 64
    assert SurveyButton.unpack(longest).o == 4095


def test_invitation_button_data_matches_the_handler_factory() -> None:
    [[start]] = TelegramButtons(Catalogue.load()).survey_start(12345, "ur")["inline_keyboard"]
    assert SurveyStart.unpack(start["callback_data"]) == SurveyStart(wave=12345)
