"""Webinar reminders reach everyone who RSVPs before each reminder goes out (issue 13, item 13).

Each reminder wave reads the RSVPs when it goes out; the thanks for an RSVP promise only the
reminders still ahead, so a late RSVP is never promised one that will not come, and gets no
stale one. A notice sent less than a day ahead has no day-before reminder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot.services.audience import Audience
from bot.services.broadcast_drafts import BroadcastDraft, WebinarDraft
from bot.services.permissions import Actor
from bot.services.universities import UniversityService
from bot.storage.models import Role
from bot.storage.types import utcnow
from tests.e2e.broadcast.harness import Harness, running_bot
from tests.fakebotapi import FakeTelegram

FOCAL = 500
EARLY, LATE, LAST_MINUTE = 1001, 1004, 1005


@pytest.fixture
async def harness(settings) -> AsyncIterator[Harness]:
    async with FakeTelegram() as fake, running_bot(settings, fake) as running:
        await UniversityService(running.services.database).ensure_loaded()
        await running.add_person(FOCAL, role=Role.FOCAL_PERSON, university_id=1)
        for learner in (EARLY, LATE, LAST_MINUTE):
            await running.add_person(learner)
        yield running


async def announce(h: Harness, starts_at: datetime) -> None:
    await h.services.broadcasts.create(
        Actor(id=FOCAL, role=Role.FOCAL_PERSON, university_id=1),
        BroadcastDraft(
            audience=Audience(universities=frozenset({1})),
            text_en="Orientation for new learners",
            webinar=WebinarDraft("Orientation", starts_at, 60, "https://zoom.us/j/42"),
        ),
    )
    await h.worker.run_until_idle()
    assert "Orientation for new learners" in h.texts_to(EARLY)[-1]


async def rsvp(h: Harness, learner: int) -> str:
    await h.press(learner, h.button(learner, "attend"))
    return str(h.fake.requests("answerCallbackQuery")[-1].params.get("text", ""))


def reminders(h: Harness, learner: int) -> list[str]:
    return [text for text in h.texts_to(learner) if "⏰" in text]


async def at(h: Harness, moment: datetime) -> None:
    """The worker's clock moves to `moment`; it sends whatever is due."""
    h.clock.elapsed = (moment - h.clock.start).total_seconds()
    await h.worker.run_until_idle()


def text(h: Harness, key: str) -> str:
    return h.services.catalogue.text("en", key)


async def test_each_rsvp_is_promised_and_sent_only_the_reminders_still_ahead(harness: Harness):
    h = harness
    starts_at = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    await announce(h, starts_at)
    assert await rsvp(h, EARLY) == text(h, "broadcast-rsvp-thanks")

    await at(h, starts_at - timedelta(hours=24) + timedelta(minutes=1))
    assert [r for r in reminders(h, EARLY) if "Tomorrow" in r]
    # After the day-before reminder went out: promised the 1-hour one only, sent no stale one.
    assert await rsvp(h, LATE) == text(h, "broadcast-rsvp-thanks-1h")
    await h.worker.run_until_idle()
    assert reminders(h, LATE) == []

    await at(h, starts_at - timedelta(hours=1) + timedelta(minutes=1))
    assert ["In one hour" in r for r in reminders(h, EARLY)] == [False, True]
    assert ["In one hour" in r for r in reminders(h, LATE)] == [True]
    # After the last reminder: no promise, and nothing more is sent.
    assert await rsvp(h, LAST_MINUTE) == text(h, "broadcast-rsvp-thanks-soon")
    await at(h, starts_at - timedelta(minutes=30))
    assert reminders(h, LAST_MINUTE) == []
    assert len(reminders(h, EARLY)) == 2 and len(reminders(h, LATE)) == 1


async def test_a_notice_sent_less_than_a_day_ahead_has_no_day_before_reminder(harness: Harness):
    h = harness
    starts_at = (utcnow() + timedelta(hours=20)).replace(second=0, microsecond=0)
    await announce(h, starts_at)
    assert await rsvp(h, EARLY) == text(h, "broadcast-rsvp-thanks-1h")
    await h.worker.run_until_idle()
    await at(h, starts_at - timedelta(hours=5))
    assert reminders(h, EARLY) == []
    await rsvp(h, LATE)

    await at(h, starts_at - timedelta(hours=1) + timedelta(minutes=1))
    assert len(reminders(h, EARLY)) == 1 and "In one hour" in reminders(h, EARLY)[0]
    assert len(reminders(h, LATE)) == 1
    assert reminders(h, LAST_MINUTE) == []  # never RSVPed
