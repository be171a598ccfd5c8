"""One learner at a time through the real dispatcher and the fake Bot API: bad input and edges."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services.survey_results import SurveyResultsService
from bot.services.surveys import SurveyService
from tests.e2e.harness import BotHarness, Learner
from tests.fakebotapi import FakeTelegram
from tests.surveys.factories import add_learners, shipped_survey

LEARNER = 7001


@dataclass
class MovableClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    fake: FakeTelegram
    running: BotHarness
    clock: MovableClock
    surveys: SurveyService

    async def invite(self) -> None:
        """Run the scheduler now; the delivery worker sends what it queued."""
        await self.running.invite(self.clock.now)


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    clock = MovableClock(datetime.now(UTC))
    async with FakeTelegram() as fake:
        running = BotHarness(fake, settings, clock=clock)
        services = await running.start()
        fake.add_user(LEARNER)
        await add_learners(services.database, [LEARNER], created_at=clock.now - timedelta(days=1))
        surveys = SurveyService(services.database, clock=clock)
        try:
            yield World(fake, running, clock, surveys)
        finally:
            await running.stop()


async def test_learner_answers_with_buttons_and_typing_and_is_asked_again_politely(
    world: World, tmp_path: Path
) -> None:
    await world.surveys.add_survey(shipped_survey("impact"))
    await world.surveys.start_waves("impact")
    await world.invite()
    learner = Learner(world.fake, LEARNER)

    first = await learner.press("Start the survey")
    assert "Programme impact survey" in first and "Question 1 of 8" in first
    assert "with the buttons below" in await learner.say("I learned a lot")  # text for a choice
    await learner.press("Yes, a lot")
    await learner.tick("A new job")
    await learner.tick("Freelance clients")
    await learner.tick("A new job")  # untick
    await learner.tick("Started my own business")
    assert "Question 3 of" in await learner.press("Done")
    assert "Question 2 of" in await learner.press("Back")  # forget the last answer
    await learner.tick("Freelance clients")
    await learner.press("Done")
    await learner.press("Yes")  # a freelancer: two more questions appear
    await learner.press("They increased")
    assert "from 0 to 5,000,000 PKR a month" in learner.last_text
    assert "could not read that as a number" in await learner.say("a lot")
    assert "from 0 to 5,000,000" in await learner.say("9000000")
    assert "Question 6 of" in await learner.say("۴۵,۰۰۰")  # Urdu digits and a comma
    await learner.press("Yes")
    await learner.press("Skip")  # the NPS question is optional
    assert "under 300 characters" in await learner.say("x" * 301)
    assert "Thank you" in await learner.say("More data science courses, please.")
    again = await learner.press("Start the survey", message=world.fake.messages_to(LEARNER)[0])
    assert "already answered" in again

    results = SurveyResultsService(world.running.services.database)  # type: ignore[union-attr]
    await results.export("impact", tmp_path / "out.csv", "csv")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["user_id"] == str(LEARNER)
    assert {
        key: row[key]
        for key in (
            "skills",
            "career_outcome",
            "freelancer",
            "earnings_change",
            "monthly_earnings",
            "continue_learning",
            "recommend",
            "comment",
        )
    } == {
        "skills": "a_lot",
        "career_outcome": "freelance_work",
        "freelancer": "yes",
        "earnings_change": "increased",
        "monthly_earnings": "45000",
        "continue_learning": "yes",
        "recommend": "[skipped]",  # shown and skipped (a question never asked is empty)
        "comment": "More data science courses, please.",
    }


async def test_a_double_tap_on_start_sends_the_question_once(world: World) -> None:
    """Start pressed twice on the invitation sent the first question twice; the second press
    is told the question is below, as other buttons' second presses change nothing."""
    await world.surveys.add_survey(shipped_survey("impact"))
    await world.surveys.start_waves("impact")
    await world.invite()
    learner = Learner(world.fake, LEARNER)
    invitation = learner.last_keyboard_message()
    assert "Question 1 of" in await learner.press("Start the survey", message=invitation)
    sent = len(world.fake.messages_to(LEARNER))

    _, data = learner.button("Start the survey", invitation)
    update = world.fake.push_callback(LEARNER, invitation.message_id, data)
    await world.running.handled([update["update_id"]], "the second tap")
    assert len(world.fake.messages_to(LEARNER)) == sent
    alert = world.fake.requests("answerCallbackQuery")[-1].params.get("text", "")
    assert "last message below" in str(alert)

    # Once a question is answered, Start again is the way back to the current one: sent.
    assert "Question 2 of" in await learner.press("Yes, a lot")
    assert "Question 2 of" in await learner.press("Start the survey", message=invitation)


async def test_a_button_of_an_old_version_is_refused(world: World) -> None:
    await world.surveys.add_survey(shipped_survey("impact"))
    await world.surveys.start_waves("impact")
    await world.invite()
    learner = Learner(world.fake, LEARNER)
    await learner.press("Start the survey")
    question = learner.last_keyboard_message()
    await world.surveys.add_survey(shipped_survey("impact").replace("version: 1", "version: 2"))

    reply = await learner.press("Yes, a lot", message=question)
    assert "older version of the survey" in reply


async def test_answers_after_the_close_date_are_refused(world: World) -> None:
    closing = (world.clock.now + timedelta(days=2)).date().isoformat()
    source = shipped_survey("answer-pulse").replace(
        "anonymous: true", f"anonymous: true\ncloses_at: {closing}"
    )
    await world.surveys.add_survey(source)
    await world.surveys.start_waves("answer-pulse")
    await world.invite()
    learner = Learner(world.fake, LEARNER)
    assert "Question 1 of 1" in await learner.press("Start the survey")
    world.clock.now += timedelta(days=3)

    assert "survey is closed" in await learner.press("Yes")
    assert "survey is closed" in await learner.press(
        "Start the survey", message=world.fake.messages_to(LEARNER)[0]
    )


async def test_surveys_off_stops_invitations(world: World) -> None:
    learner = Learner(world.fake, LEARNER)
    assert "will not receive surveys" in await learner.say("/surveys off")
    await world.surveys.add_survey(shipped_survey("answer-pulse"))
    await world.surveys.start_waves("answer-pulse")
    await world.invite()
    assert "Start the survey" not in str(world.fake.last_message_to(LEARNER).reply_markup)  # type: ignore[union-attr]
    assert "Surveys are on again" in await learner.say("/surveys on")
    await world.invite()
    learner.button("Start the survey")  # the invitation has arrived


async def test_a_learner_who_stopped_gets_one_reminder_from_the_worker_and_resumes(
    world: World,
) -> None:
    await world.surveys.add_survey(shipped_survey("impact"))
    await world.surveys.start_waves("impact")
    await world.invite()
    learner = Learner(world.fake, LEARNER)
    await learner.press("Start the survey")
    assert "Question 2 of" in await learner.press("Yes, a lot")

    world.clock.now += timedelta(days=3, minutes=1)
    await world.invite()
    reminder = world.fake.last_message_to(LEARNER)
    assert reminder is not None and "You started" in (reminder.text or "")
    assert "Question 2 of" in await learner.press("Continue the survey", message=reminder)

    world.clock.now += timedelta(days=3)
    await world.invite()  # one reminder only
    services = world.running.services
    assert services is not None
    jobs = await services.outbox.jobs()
    assert sorted(job.kind for job in jobs) == ["survey_invite", "survey_reminder"]
    assert all(job.progress.sent == 1 for job in jobs)
