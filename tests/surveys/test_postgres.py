"""The survey flow on PostgreSQL, the production database: invitations, answers, results."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import Catalogue
from bot.services.audience import Audience
from bot.services.survey_results import SurveyResultsService
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import QuestionRef, StepKind, SurveyService
from bot.storage.db import Database
from handlers.buttons import TelegramButtons
from tests import databases, real_services
from tests.surveys.factories import RecordingOutbox, add_learners, shipped_survey

NOW = datetime(2026, 6, 1, 8, tzinfo=UTC)
BIG_ID = 7_000_000_000_123  # Telegram ids exceed 32 bits


@pytest.fixture
async def pg_database() -> AsyncIterator[Database]:
    """A database of this test's own at head: a copy of the process's migrated template
    (tests/databases.py), not a migration from nothing."""
    plain = await databases.postgres_at_head()
    database = Database(plain.replace("postgresql://", "postgresql+asyncpg://", 1))
    try:
        await database.migrate()  # at head already: checks the schema, as every start does
        yield database
    finally:
        await database.close()
        await real_services.drop_postgres_database(plain)


@pytest.mark.postgres
async def test_invite_answer_and_count_on_postgresql(pg_database: Database) -> None:
    await add_learners(
        pg_database,
        [BIG_ID, 2],
        created_at=NOW - timedelta(days=1),
        university_id=4,
        role="learner",
    )
    surveys = SurveyService(pg_database, clock=lambda: NOW)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact", audience=Audience(roles=frozenset({"learner"})))
    outbox = RecordingOutbox()
    scheduler = SurveyScheduler(
        pg_database, outbox, Catalogue.load(), buttons=TelegramButtons(Catalogue.load())
    )  # type: ignore[arg-type]
    assert await scheduler.run_due(NOW) == 2
    assert await scheduler.run_due(NOW + timedelta(days=4)) == 2  # reminders

    await surveys.open_invitation(BIG_ID, 1)
    ref = QuestionRef("impact", 1, 0)
    await surveys.choose(BIG_ID, ref, 0, "en")
    await surveys.confirm_choices(BIG_ID, QuestionRef("impact", 1, 1), 0b101, "en")
    await surveys.choose(BIG_ID, QuestionRef("impact", 1, 2), 0, "en")
    await surveys.choose(BIG_ID, QuestionRef("impact", 1, 3), 0, "en")
    retry = await surveys.type_answer(BIG_ID, "impact", "99999999", "en")
    assert retry.reason == "survey-number-range"
    await surveys.type_answer(BIG_ID, "impact", "60000", "en")
    await surveys.choose(BIG_ID, QuestionRef("impact", 1, 5), 0, "en")
    await surveys.choose(BIG_ID, QuestionRef("impact", 1, 6), 10, "en")
    done = await surveys.type_answer(BIG_ID, "impact", "شکریہ", "en")
    assert done.kind is StepKind.COMPLETED

    results = await SurveyResultsService(pg_database).results("impact", university_id=4)
    assert (results.responses, results.invited) == (1, 2)
    header, rows = await SurveyResultsService(pg_database).export_rows("impact")
    row = dict(zip(header, rows[0], strict=True))
    assert row["user_id"] == BIG_ID
    assert row["career_outcome"] == "new_job;freelance_work"
    assert row["monthly_earnings"] == 60000 and row["comment"] == "شکریہ"
