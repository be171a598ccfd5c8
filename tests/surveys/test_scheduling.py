"""Who gets invited and reminded, and when: the rules of `SurveyScheduler.run_due`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.i18n import Catalogue
from bot.services.audience import Audience
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import SurveyService
from bot.storage.db import Database
from handlers.buttons import TelegramButtons
from tests.surveys.factories import RecordingOutbox, add_learners, shipped_survey

START = datetime(2026, 3, 1, 9, tzinfo=UTC)


def scheduler_for(database: Database) -> tuple[SurveyScheduler, RecordingOutbox]:
    outbox = RecordingOutbox()
    return SurveyScheduler(
        database, outbox, Catalogue.load(), buttons=TelegramButtons(Catalogue.load())
    ), outbox  # type: ignore[arg-type]


async def test_start_now_invites_the_audience_once_and_skips_blocked_and_opted_out(
    database: Database,
) -> None:
    await add_learners(database, [1, 2, 3], created_at=START - timedelta(days=5), university_id=7)
    await add_learners(database, [4], created_at=START - timedelta(days=5), university_id=8)
    await add_learners(
        database, [5], created_at=START - timedelta(days=5), university_id=7, is_blocked=True
    )
    await add_learners(
        database, [6], created_at=START - timedelta(days=5), university_id=7, surveys_enabled=False
    )
    await add_learners(database, [7], created_at=START + timedelta(hours=1), university_id=7)
    surveys = SurveyService(database, clock=lambda: START)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact", audience=Audience(universities=frozenset({7})))
    scheduler, outbox = scheduler_for(database)

    assert await scheduler.run_due(START + timedelta(hours=2)) == 3
    assert outbox.sent_to("survey_invite") == [1, 2, 3]
    assert await scheduler.run_due(START + timedelta(hours=3)) == 0
    invitation = outbox.jobs[0][1][0]
    assert "Programme impact survey" in invitation.text
    assert invitation.reply_markup is not None


async def test_a_wave_started_late_in_the_utc_evening_is_labelled_with_pakistans_date(
    database: Database,
) -> None:
    """22:00 UTC on 5 December is 03:00 on 6 December in Pakistan, the date staff see."""
    surveys = SurveyService(database, clock=lambda: datetime(2026, 12, 5, 22, tzinfo=UTC))
    await surveys.add_survey(shipped_survey("impact"))

    [wave] = await surveys.start_waves("impact")

    assert wave.label == "2026-12-06"


async def test_one_invitation_a_week_and_one_reminder_after_three_days(
    database: Database,
) -> None:
    await add_learners(database, [1, 2], created_at=START - timedelta(days=5), language="ur")
    surveys = SurveyService(database, clock=lambda: START)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.add_survey(shipped_survey("answer-pulse"))
    await surveys.start_waves("impact")
    await surveys.start_waves("answer-pulse")
    scheduler, outbox = scheduler_for(database)

    await scheduler.run_due(START)
    assert outbox.sent_to("survey_invite") == [1, 2]  # only the first survey this week
    await surveys.open_invitation(1, 1)  # learner 1 starts but does not finish
    assert await scheduler.run_due(START + timedelta(days=2)) == 0
    assert await scheduler.run_due(START + timedelta(days=3, minutes=1)) == 2
    assert outbox.sent_to("survey_reminder") == [1, 2]
    reminders = {m.chat_id: m.text for m in outbox.jobs[-1][1]}
    assert "جہاں چھوڑا" in reminders[1] and "یاد دہانی" in reminders[2]
    assert await scheduler.run_due(START + timedelta(days=6)) == 0  # one reminder only
    assert await scheduler.run_due(START + timedelta(days=7, minutes=1)) == 2
    assert outbox.sent_to("survey_invite") == [1, 2, 1, 2]  # now the pulse


async def test_follow_up_waves_invite_each_learner_n_days_after_onboarding(
    database: Database,
) -> None:
    await add_learners(database, [1], created_at=START, onboarded_at=START)
    await add_learners(database, [2], created_at=START, onboarded_at=START + timedelta(days=40))
    await add_learners(database, [3], created_at=START, onboarded_at=None)  # never onboarded
    surveys = SurveyService(database, clock=lambda: START)
    await surveys.add_survey(shipped_survey("impact"))
    waves = await surveys.start_waves("impact", after_onboarding_days=[30, 90, 180])
    assert [wave.label for wave in waves] == ["day-30", "day-90", "day-180"]
    assert len({wave.id for wave in waves}) == 3 and all(wave.id for wave in waves)
    scheduler, outbox = scheduler_for(database)

    assert await scheduler.invite_due(START + timedelta(days=29)) == 0
    assert await scheduler.invite_due(START + timedelta(days=30)) == 1
    assert await scheduler.invite_due(START + timedelta(days=70)) == 1  # learner 2's day 30
    assert await scheduler.invite_due(START + timedelta(days=90)) == 1  # learner 1's day 90
    assert await scheduler.invite_due(START + timedelta(days=100)) == 0
    assert outbox.sent_to("survey_invite") == [1, 2, 1]


async def test_a_wave_started_twice_is_one_wave_and_invites_each_learner_once(
    database: Database,
) -> None:
    """`/survey_send impact` sent twice (a flaky connection, an admin unsure it went) made a
    second wave, and a week later every learner was invited again to the survey they had
    answered. The same version for the same audience within a week is the same wave; another
    audience, a wave stopped, a week later or a follow-up already running are as before."""
    await add_learners(database, [1, 2], created_at=START - timedelta(days=5), university_id=7)
    now = START
    surveys = SurveyService(database, clock=lambda: now)
    await surveys.add_survey(shipped_survey("impact"))
    [first] = await surveys.start_waves("impact")
    [again] = await surveys.start_waves("impact")
    assert first.new and not again.new and again.id == first.id
    assert again.created_at == first.created_at
    [other] = await surveys.start_waves("impact", audience=Audience(universities=frozenset({7})))
    assert other.new and other.id != first.id
    follow_ups = await surveys.start_waves("impact", after_onboarding_days=[30])
    day_30, day_90 = await surveys.start_waves("impact", after_onboarding_days=[30, 90])
    assert not day_30.new and day_30.id == follow_ups[0].id
    assert day_90.new and day_90.id not in {first.id, other.id, day_30.id}
    assert follow_ups[0].new
    scheduler, outbox = scheduler_for(database)
    assert await scheduler.invite_due(START + timedelta(hours=1)) == 2
    assert await scheduler.invite_due(START + timedelta(days=7, hours=2)) == 2  # other audience
    assert await scheduler.invite_due(START + timedelta(days=14, hours=3)) == 0
    assert outbox.sent_to("survey_invite") == [1, 2, 1, 2]  # not a third time

    await surveys.stop_wave(first.id)
    [restarted] = await surveys.start_waves("impact")
    assert restarted.new
    now = START + timedelta(days=8)
    [next_week] = await surveys.start_waves(
        "impact", audience=Audience(universities=frozenset({7}))
    )
    assert next_week.new  # a week on: a deliberate second round


async def test_audience_by_city_uses_the_learners_universities(database: Database) -> None:
    from bot.storage.people_models import University

    async with database.session() as session:
        session.add(
            University(id=1, code="pu-lahore", name="University of the Punjab", city="Lahore")
        )
        session.add(
            University(id=2, code="qau-islamabad", name="Quaid-i-Azam University", city="Islamabad")
        )
    await add_learners(database, [1, 2], created_at=START - timedelta(days=1), university_id=1)
    await add_learners(database, [3], created_at=START - timedelta(days=1), university_id=2)
    await add_learners(database, [4], created_at=START - timedelta(days=1))
    surveys = SurveyService(database, clock=lambda: START)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact", audience=Audience(cities=frozenset({"lahore"})))
    scheduler, outbox = scheduler_for(database)

    await scheduler.run_due(START)
    assert outbox.sent_to("survey_invite") == [1, 2]
