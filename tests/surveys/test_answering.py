"""The answering rules of `SurveyService`, without Telegram: anonymity, skip logic, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.i18n import Catalogue
from bot.services.survey_results import SurveyResultsService
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import QuestionRef, StepKind, SurveyService, parse_number
from bot.storage.db import Database
from bot.storage.survey_models import SurveyInvitation, SurveyResponse
from handlers.buttons import TelegramButtons
from tests.surveys.factories import RecordingOutbox, add_learners, shipped_survey

NOW = datetime(2026, 5, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("25000", 25000),
        ("25,000", 25000),
        ("۲۵۰۰۰", 25000),
        ("12.5 PKR", 12.5),
        ("lots", None),
        ("", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_typed_numbers(typed: str, value: float | None) -> None:
    assert parse_number(typed) == value


async def invited(database: Database, survey: str, user_ids: list[int]) -> SurveyService:
    await add_learners(database, user_ids, created_at=NOW - timedelta(days=1))
    surveys = SurveyService(database, clock=lambda: NOW)
    await surveys.add_survey(shipped_survey(survey))
    await surveys.start_waves(survey)
    scheduler = SurveyScheduler(
        database, RecordingOutbox(), Catalogue.load(), buttons=TelegramButtons(Catalogue.load())
    )  # type: ignore[arg-type]
    await scheduler.run_due(NOW)
    return surveys


async def test_anonymous_responses_keep_no_link_to_the_learner(
    database: Database, tmp_path: Path
) -> None:
    surveys = await invited(database, "answer-pulse", [11, 12])
    for user_id in (11, 12):
        step = await surveys.open_invitation(user_id, 1)
        assert step.question is not None
        done = await surveys.choose(user_id, QuestionRef("answer-pulse", 1, 0), 0, "en")
        assert done.kind is StepKind.COMPLETED

    async with database.session() as session:
        responses = (await session.exec(select(SurveyResponse))).all()
        invitations = (await session.exec(select(SurveyInvitation))).all()
    assert [r.user_id for r in responses] == [None, None]
    assert all(i.response_id is None and i.completed_at for i in invitations)
    header, rows = await SurveyResultsService(database).export_rows("answer-pulse")
    assert "user_id" not in header
    assert [row[-1] for row in rows] == ["yes", "yes"]
    again = await surveys.open_invitation(11, 1)
    assert (again.kind, again.reason) == (StepKind.REFUSED, "survey-already-answered")


async def test_skip_logic_hides_follow_ups_and_required_questions_cannot_be_skipped(
    database: Database,
) -> None:
    surveys = await invited(database, "impact", [21])
    await surveys.open_invitation(21, 1)
    refusal = await surveys.skip(21, QuestionRef("impact", 1, 0), "en")
    assert (refusal.kind, refusal.reason) == (StepKind.RETRY, "survey-required")
    await surveys.choose(21, QuestionRef("impact", 1, 0), 2, "en")
    step = await surveys.confirm_choices(21, QuestionRef("impact", 1, 1), 0b10000, "en")
    assert step.question is not None and step.question.position == 3
    step = await surveys.choose(21, QuestionRef("impact", 1, 2), 1, "en")  # not a freelancer
    assert step.question is not None
    assert step.question.question.id == "continue_learning"
    assert (step.question.position, step.question.total) == (4, 6)
    stale = await surveys.choose(21, QuestionRef("impact", 1, 2), 0, "en")
    assert (stale.kind, stale.reason) == (StepKind.RETRY, "survey-stale-button")


async def test_a_learner_who_was_not_invited_cannot_answer(database: Database) -> None:
    surveys = await invited(database, "impact", [31])
    await add_learners(database, [32], created_at=NOW)
    step = await surveys.open_invitation(32, 1)
    assert (step.kind, step.reason) == (StepKind.REFUSED, "survey-not-invited")
    typed = await surveys.type_answer(32, "impact", "hello", "en")
    assert typed.reason == "survey-not-invited"


async def test_invitations_and_responses_are_counted_per_survey_and_per_university(
    database: Database,
) -> None:
    await add_learners(database, [41, 42], created_at=NOW - timedelta(days=1), university_id=1)
    await add_learners(database, [43], created_at=NOW - timedelta(days=1), university_id=2)
    surveys = await invited(database, "answer-pulse", [])
    await surveys.open_invitation(41, 1)
    done = await surveys.choose(41, QuestionRef("answer-pulse", 1, 0), 0, "en")
    assert done.kind is StepKind.COMPLETED

    results = SurveyResultsService(database)
    everyone = await results.results("answer-pulse")
    assert (everyone.invited, everyone.responses) == (3, 1)
    assert (await results.results("answer-pulse", university_id=1)).invited == 2
    assert (await results.results("answer-pulse", university_id=2)).invited == 1
    listed = await surveys.list_surveys()
    assert [(s.slug, s.waves, s.responses) for s in listed] == [("answer-pulse", 1, 1)]
