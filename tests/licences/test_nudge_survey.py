"""A nudge rule's `survey`: the nudge group (never the holdout) is invited to the survey's
current version, in one on-request wave per rule, with the invitation right after the nudge in
the same outbox job; the invitation opens the survey; a rule naming no such survey is refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.config import Settings
from bot.delivery import Outbox
from bot.errors import InvalidInputError
from bot.i18n import Catalogue
from bot.services.licences_nudges import NudgeService
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import StepKind, SurveyService
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery, DeliveryJob
from bot.storage.licence_models import NudgeAssignment, ReportKind
from bot.storage.models import User
from bot.storage.survey_models import SurveyInvitation, SurveyWave, WaveTrigger
from handlers.buttons import TelegramButtons
from handlers.surveys import SurveyStart
from tests.licences.factories import NUDGE_RULES, import_report, make_nudge_learners
from tests.surveys.factories import shipped_survey

AS_OF = date(2026, 11, 1)
LEARNERS = 30
MIDDAY = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)  # 12:00 in Pakistan


def _rule(holdout: str = "0.5") -> str:
    source = (NUDGE_RULES / "completed.yaml").read_text(encoding="utf-8")
    return source.replace("holdout: 0.10", f"holdout: {holdout}")


async def _world(database: Database, nudges: NudgeService) -> NudgeService:
    """Learners who were taking a Python course a week before AS_OF and had completed it by
    AS_OF (the `completed` rule's trigger)."""
    emails = await make_nudge_learners(database, LEARNERS, first_id=30_000, as_of=AS_OF)
    header = "Email,Course,Last Course Activity Time,Learning Hours Spent,Completed,Completion Time"
    earlier = AS_OF - timedelta(days=7)
    await import_report(
        database,
        ReportKind.USAGE,
        as_of=earlier,
        header=header,
        lines=(f"{email},Python,{earlier},2,No," for email in emails),
    )
    await import_report(
        database,
        ReportKind.USAGE,
        as_of=AS_OF,
        header=header,
        lines=(f"{email},Python,{AS_OF},9,Yes,{AS_OF}" for email in emails),
    )
    return nudges


async def test_a_rule_naming_a_survey_that_does_not_exist_is_refused(
    database: Database, nudges: NudgeService
):
    service = await _world(database, nudges)
    with pytest.raises(InvalidInputError, match="no survey 'impact'"):
        await service.add(_rule())
    await SurveyService(database).add_survey(shipped_survey("impact"))
    assert (await service.add(_rule())).survey == "impact"


async def test_the_nudge_group_is_invited_to_the_survey_and_the_holdout_is_not(
    database: Database, nudges: NudgeService
):
    service = await _world(database, nudges)
    surveys = SurveyService(database, clock=lambda: MIDDAY)
    await surveys.add_survey(shipped_survey("impact"))
    await service.add(_rule())

    plan = await service.plan("course-completed", as_of=AS_OF, now=MIDDAY)

    assert plan.eligible == LEARNERS and plan.nudged > 0 and plan.held_out > 0
    assert plan.surveys_invited == plan.nudged
    async with database.session() as session:
        assignments = (await session.exec(select(NudgeAssignment))).all()
        wave = (await session.exec(select(SurveyWave))).one()
        invitations = (await session.exec(select(SurveyInvitation))).all()
        job = (await session.exec(select(DeliveryJob))).one()
        deliveries = (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
    nudged = {a.user_id for a in assignments if a.group == "nudge"}
    held = {a.user_id for a in assignments if a.group == "holdout"}
    assert wave.slug == "impact" and wave.label == "nudge:course-completed"
    assert WaveTrigger(wave.trigger) is WaveTrigger.ON_REQUEST
    assert {i.user_id for i in invitations} == nudged
    assert all(i.wave_id == wave.id for i in invitations)
    # Holdout learners get nothing at all: no nudge, no invitation row, no message.
    assert not held & {d.chat_id for d in deliveries}
    # Each nudged learner: the congratulations, then the invitation with its Start button.
    assert job.kind == "licence_nudge"
    for user_id in nudged:
        theirs = [d.payload for d in deliveries if d.chat_id == user_id]
        assert len(theirs) == 2
        assert "Congratulations" in theirs[0]["text"] or "مبارک" in theirs[0]["text"]
        button = theirs[1]["reply_markup"]["inline_keyboard"][0][0]
        assert SurveyStart.unpack(button["callback_data"]) == SurveyStart(wave=wave.id or 0)

    # The invitation opens the survey.
    learner = min(nudged)
    step = await surveys.open_invitation(learner, wave.id or 0)
    assert step.kind is StepKind.QUESTION and step.question is not None
    refused = await surveys.open_invitation(min(held), wave.id or 0)
    assert refused.kind is StepKind.REFUSED

    # The survey scheduler never targets this wave's audience on its own.
    assert (
        await SurveyScheduler(
            database, Outbox(database), Catalogue.load(), buttons=TelegramButtons(Catalogue.load())
        ).invite_due(MIDDAY + timedelta(days=1))
        == 0
    )


async def test_a_learner_is_invited_to_the_rule_wave_once(database: Database, nudges: NudgeService):
    service = await _world(database, nudges)
    await SurveyService(database).add_survey(shipped_survey("impact"))
    await service.add(_rule(holdout="0"))
    async with database.session() as session:
        off = await session.get(User, 30_001)
        assert off is not None
        off.surveys_enabled = False
        session.add(off)
    first = await service.plan("course-completed", as_of=AS_OF, now=MIDDAY)
    assert first.nudged == LEARNERS - 1 == first.surveys_invited
    # The same learners nudged again by a second rule sharing the wave label would not be
    # invited twice: re-running the invitation for the rule's label finds them invited.
    from bot.services.survey_scheduling import invite_on_request

    async with database.session() as session:
        again = await invite_on_request(
            session,
            Catalogue.load(),
            TelegramButtons(Catalogue.load()),
            slug="impact",
            label="nudge:course-completed",
            user_ids=[30_000 + n for n in range(LEARNERS)],
            now=MIDDAY + timedelta(days=30),
        )
        invited = (await session.exec(select(SurveyInvitation))).all()
        waves = (await session.exec(select(SurveyWave))).all()
    assert again == []
    # The rule's wave was found again, not made a second time.
    assert [wave.label for wave in waves] == ["nudge:course-completed"]
    assert len(invited) == LEARNERS - 1 and 30_001 not in {i.user_id for i in invited}


async def test_hecbot_nudges_invites_in_the_programmes_own_words(
    database: Database,
    nudges: NudgeService,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
):
    """`hecbot nudges plan` queues the survey invitation with the operator's PROGRAMME_OPERATOR,
    as the bot does (it loaded the sample's texts: "Your answers help HEC ...")."""
    from typer.testing import CliRunner

    from bot.cli.root import app

    service = await _world(database, nudges)
    await SurveyService(database).add_survey(shipped_survey("impact"))
    await service.add(_rule(holdout="0"))
    monkeypatch.setenv("HECBOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("PROGRAMME_OPERATOR", "the Indus Learning Programme")

    # In a thread: the command runs its own event loop, as in a terminal.
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["nudges", "plan", "course-completed", "--as-of", str(AS_OF)]
    )

    assert result.exit_code == 0, result.output
    async with database.session() as session:
        deliveries = (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
    invitations = [d.payload["text"] for d in deliveries if "reply_markup" in d.payload]
    assert len(invitations) == LEARNERS
    assert all("the Indus Learning Programme" in text for text in invitations)
    assert not any("HEC" in text for text in invitations)
