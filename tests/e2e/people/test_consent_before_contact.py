"""Nobody who has not accepted the privacy notice and finished onboarding is contacted unasked.

Three people talk to the real bot through the fake Bot API: one only pressed /start, one accepted
the notice but stopped at the language step, one finished. Broadcasts (and their preview
counts), survey invitations and reminders, and webinar reminders reach only the third.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.services.broadcasts import Actor, Audience, BroadcastDraft, WebinarDraft
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import SurveyService
from bot.storage.models import Role
from bot.storage.types import utcnow
from tests.e2e.people.conftest import PeopleBot
from tests.surveys.factories import shipped_survey

STARTED_ONLY = 5_000_002_001
ACCEPTED_ONLY = 5_000_002_002
ONBOARDED = 5_000_002_003


async def test_only_onboarded_people_get_broadcasts_surveys_and_reminders(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    services = people.services
    await people.send(STARTED_ONLY, "/start")
    [notice] = await people.send(ACCEPTED_ONLY, "/start")
    await people.press(ACCEPTED_ONLY, notice, "ob:privacy:yes")
    await people.onboard(ONBOARDED)
    seen = {user: len(people.messages(user)) for user in (STARTED_ONLY, ACCEPTED_ONLY, ONBOARDED)}

    # A national notice with a webinar: the preview counts only the onboarded learner.
    broadcasts = services.broadcasts
    operator = Actor.operator()
    assert await broadcasts.audience_size(operator, Audience(everyone=True)) == 1
    starts = utcnow() + timedelta(minutes=50)
    summary = await broadcasts.create(
        operator,
        BroadcastDraft(
            audience=Audience(everyone=True),
            text_en="Orientation webinar for new learners",
            webinar=WebinarDraft(
                title="Orientation",
                starts_at=starts,
                duration_minutes=30,
                join_link="https://meet.example.org/orientation",
            ),
        ),
    )
    assert summary.recipients == 1
    await people.until(
        lambda: len(people.messages(ONBOARDED)) > seen[ONBOARDED], "the notice arrives"
    )
    # Someone not onboarded cannot press a button they never got, but an RSVP row for them
    # (a forged press, an old message) still gets them no reminder.
    assert summary.webinar_id is not None
    for person in (ONBOARDED, ACCEPTED_ONLY):
        await broadcasts.rsvp(Actor(person, Role.LEARNER, None), summary.webinar_id)
    await broadcasts.run_due(utcnow())  # the 1-hour reminder is due
    await people.until(
        lambda: len(people.messages(ONBOARDED)) >= seen[ONBOARDED] + 2, "the reminder arrives"
    )

    # A survey to everyone, and its reminder three days later.
    surveys = SurveyService(services.database)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact")
    scheduler = SurveyScheduler(services.database, services.outbox, services.catalogue)
    assert await scheduler.run_due(utcnow() + timedelta(seconds=1)) == 1
    assert await scheduler.run_due(utcnow() + timedelta(days=4)) == 1
    await people.until(
        lambda: len(people.messages(ONBOARDED)) >= seen[ONBOARDED] + 4, "survey and reminder"
    )

    # Everything queued has been sent: nothing was queued for the other two.
    async def drained() -> bool:
        return all(job.progress.is_finished for job in await services.outbox.jobs(limit=100))

    for _ in range(500):
        if await drained():
            break
        await asyncio.sleep(0.05)
    assert await drained()
    assert len(people.messages(STARTED_ONLY)) == seen[STARTED_ONLY]
    assert len(people.messages(ACCEPTED_ONLY)) == seen[ACCEPTED_ONLY]
