"""The people services' SQL on both backends, on a migrated database."""

from __future__ import annotations

from bot.i18n import Catalogue
from bot.services.privacy import PrivacyService
from bot.services.roles import RoleService
from bot.services.tickets import TicketService
from bot.services.universities import UniversityService
from bot.storage.db import Database
from bot.storage.models import Role
from handlers.tickets_rendering import TelegramTicketRenderer
from tests.factories import make_user
from tests.people.conftest import RecordingEnqueue, make_question


async def test_people_services_run_on_each_backend(database: Database) -> None:
    """The people services' SQL on SQLite and PostgreSQL (the migration's up, down and up is in
    the one stairway, tests/integration/test_migrations.py)."""
    universities = UniversityService(database)
    assert await universities.ensure_loaded() > 100
    comsats = (await universities.search("comsats"))[0].university.id
    admin = await make_user(database, 1, role=Role.ADMIN)
    roles = RoleService(database)
    invite = await roles.create_focal_invite(admin, comsats)
    await roles.redeem_focal_invite(5_000_000_002, invite.token)  # beyond 32 bits
    learner = await make_user(database, 5_000_000_001, university_id=comsats)
    enqueue = RecordingEnqueue()
    tickets = TicketService(
        database, enqueue=enqueue, renderer=TelegramTicketRenderer(Catalogue.load())
    )
    opened = await tickets.open_ticket(learner, await make_question(database, learner))
    assert enqueue.recipients() == [5_000_000_002]
    assert [t.id for t in await tickets.open_tickets(admin)] == [opened.ticket.id]
    report = await PrivacyService(database).forget(learner.id)
    assert (report.questions_anonymised, report.tickets_anonymised) == (1, 1)
