"""The people migration up, down, up (SQLite and PostgreSQL); the service SQL on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic import command

from bot.i18n import Catalogue
from bot.services.privacy import PrivacyService
from bot.services.roles import RoleService
from bot.services.tickets import TicketService
from bot.services.universities import UniversityService
from bot.storage.db import Database, alembic_config
from bot.storage.models import Role
from handlers.tickets_rendering import TelegramTicketRenderer
from tests import real_services
from tests.factories import make_user
from tests.people.conftest import RecordingEnqueue, make_question

SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"


@pytest.fixture
async def postgres() -> AsyncIterator[Database]:
    """A database of its own (other test runs share the server)."""
    async with real_services.postgres_database() as url:
        database = Database(url)
        try:
            yield database
        finally:
            await database.close()


@pytest.mark.postgres
async def test_people_migration_downgrades_and_services_run(postgres: Database) -> None:
    await postgres.migrate()

    def down_and_up(connection: object) -> None:
        config = alembic_config(postgres.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
        command.upgrade(config, "head")

    async with postgres.engine.begin() as connection:
        await connection.run_sync(down_and_up)

    universities = UniversityService(postgres)
    assert await universities.ensure_loaded() > 100
    comsats = (await universities.search("comsats"))[0].university.id
    admin = await make_user(postgres, 1, role=Role.ADMIN)
    roles = RoleService(postgres)
    invite = await roles.create_focal_invite(admin, comsats)
    await roles.redeem_focal_invite(5_000_000_002, invite.token)  # beyond 32 bits
    learner = await make_user(postgres, 5_000_000_001, university_id=comsats)
    enqueue = RecordingEnqueue()
    tickets = TicketService(
        postgres, enqueue=enqueue, renderer=TelegramTicketRenderer(Catalogue.load())
    )
    opened = await tickets.open_ticket(learner, await make_question(postgres, learner))
    assert enqueue.recipients() == [5_000_000_002]
    assert [t.id for t in await tickets.open_tickets(admin)] == [opened.ticket.id]
    report = await PrivacyService(postgres).forget(learner.id)
    assert (report.questions_anonymised, report.tickets_anonymised) == (1, 1)


async def test_people_migration_downgrades_on_sqlite(database: Database) -> None:
    def down_and_up(connection: object) -> None:
        config = alembic_config(database.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
        command.upgrade(config, "head")

    async with database.engine.begin() as connection:
        await connection.run_sync(down_and_up)
    assert await UniversityService(database).ensure_loaded() > 100
