"""BroadcastService rules that need no Telegram: permissions, validation, audiences, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery import Outbox
from bot.errors import NotAllowedError
from bot.i18n import Catalogue
from bot.services.audience import Audience, AudienceError
from bot.services.broadcast_drafts import (
    PAKISTAN_TIME,
    BroadcastDraft,
    BroadcastInputError,
    WebinarDraft,
    parse_start_time,
    plain_length,
    validate_duration,
    validate_join_link,
)
from bot.services.broadcasts import BroadcastService
from bot.services.permissions import Actor
from bot.services.webinars import WebinarService
from bot.storage.models import Role, User
from bot.storage.people_models import University

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
FOCAL = Actor(id=50, role=Role.FOCAL_PERSON, university_id=1)
LEARNER = Actor(id=60, role=Role.LEARNER, university_id=1)
ADMIN = Actor.operator()


@pytest.fixture
async def service(database):
    broadcasts = BroadcastService(database, Outbox(database), Catalogue.load())
    async with database.session() as session:
        for university_id, city in [(1, "Karachi"), (2, "Lahore"), (3, "Lahore")]:
            session.add(
                University(id=university_id, code=f"u{university_id}", name=city, city=city)
            )
        for user_id, university, role, kind in [
            (1, 1, "learner", "student"),
            (2, 1, "learner", "faculty"),
            (3, 2, "learner", "student"),
            (4, 3, "focal_person", None),
            (5, None, "learner", "alumni"),
        ]:
            session.add(
                User(
                    id=user_id,
                    university_id=university,
                    role=role,
                    learner_kind=kind,
                    privacy_accepted_at=NOW,
                    onboarded_at=NOW,
                )
            )
        session.add(User(id=6, university_id=1, is_blocked=True, privacy_accepted_at=NOW))
    return broadcasts


def test_start_times_are_pakistan_time_and_must_be_in_the_future():
    moment = parse_start_time("2026-12-05 15:00", NOW)
    assert moment == datetime(2026, 12, 5, 15, 0, tzinfo=PAKISTAN_TIME).astimezone(UTC)
    assert moment.hour == 10  # PKT is UTC+5
    with pytest.raises(BroadcastInputError) as past:
        parse_start_time("2026-11-30 15:00", NOW)
    assert past.value.message_key == "broadcast-error-start-past"
    with pytest.raises(BroadcastInputError) as unreadable:
        parse_start_time("friday at 3", NOW)
    assert unreadable.value.message_key == "broadcast-error-start-format"


def test_a_start_time_and_duration_typed_in_urdu_digits_are_read():
    """A focal person's Urdu keyboard types ۲۰۲۶-۱۲-۰۵ ۱۵:۰۰ (it was "could not read that")."""
    typed = parse_start_time("۲۰۲۶-۱۲-۰۵ ۱۵:۰۰", NOW)
    assert typed == parse_start_time("2026-12-05 15:00", NOW)
    assert parse_start_time("٠٥.١٢.٢٠٢٦ ١٥:٠٠", NOW) == typed  # Arabic-Indic digits too
    assert validate_duration("۹۰ min") == 90


@pytest.mark.parametrize(
    "link",
    [
        "zoom.us/j/1",
        "http://zoom.us/j/1",
        "https://",
        "https://localhost/x",
        "https://a b.com",
        "javascript:alert(1)",
    ],
)
def test_broken_join_links_are_refused(link):
    with pytest.raises(BroadcastInputError):
        validate_join_link(link)


def test_a_good_join_link_is_kept():
    assert validate_join_link(" https://zoom.us/j/123?pwd=x ") == "https://zoom.us/j/123?pwd=x"


def test_length_is_counted_as_telegram_does_after_parsing_html():
    assert plain_length("<b>a&amp;b</b>") == 3
    assert plain_length("😀") == 2  # UTF-16 units


def test_learners_cannot_broadcast_and_focal_persons_only_to_their_university(service):
    with pytest.raises(NotAllowedError):
        service.require_can_broadcast(LEARNER)
    assert service.allowed_audience(FOCAL, Audience(universities=frozenset({1}))).universities == {
        1
    }
    for audience in (
        Audience(everyone=True),
        Audience(universities=frozenset({2})),
        Audience(cities=frozenset({"Lahore"})),
    ):
        with pytest.raises(NotAllowedError):
            service.allowed_audience(FOCAL, audience)


async def test_audiences_by_university_city_role_and_kind(service):
    assert await service.audience_size(ADMIN, Audience(everyone=True)) == 5  # not the blocked one
    assert await service.audience_size(FOCAL, Audience(universities=frozenset({1}))) == 2
    assert await service.audience_size(ADMIN, Audience(cities=frozenset({"Lahore"}))) == 2
    assert await service.audience_size(ADMIN, Audience.parse("city:Lahore,role:learner")) == 1
    assert await service.audience_size(ADMIN, Audience.parse("kind:alumni")) == 1
    assert await service.audience_size(ADMIN, Audience(cities=frozenset({"Quetta"}))) == 0


def test_audience_specs_for_the_cli():
    assert Audience.parse("all").everyone
    parsed = Audience.parse("university:3, role:learner")
    assert (parsed.universities, parsed.roles) == (frozenset({3}), frozenset({"learner"}))
    with pytest.raises(AudienceError):
        Audience.parse("planet:mars")


def test_empty_notices_and_long_captions_are_refused(service, tmp_path):
    with pytest.raises(BroadcastInputError) as empty:
        service.check_draft(
            FOCAL,
            BroadcastDraft(audience=Audience(universities=frozenset({1})), text_en=" <b> </b> "),
        )
    assert empty.value.message_key == "broadcast-error-empty"
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    long_caption = BroadcastDraft(
        audience=Audience(universities=frozenset({1})),
        text_en="x" * 1000,
        attachment_path=str(pdf),
        attachment_kind="document",
        webinar=WebinarDraft(
            "Orientation", datetime.now(UTC) + timedelta(days=2), 60, "https://zoom.us/j/1"
        ),
    )
    # 1000 characters fit alone, not with the webinar's details appended.
    with pytest.raises(BroadcastInputError) as too_long:
        service.check_draft(FOCAL, long_caption)
    assert too_long.value.message_key == "broadcast-error-caption-too-long"
    service.check_draft(
        FOCAL, BroadcastDraft(audience=Audience(universities=frozenset({1})), text_en="x" * 1000)
    )


async def test_each_reminder_wave_is_queued_once(service, database):
    starts_at = datetime.now(UTC) + timedelta(days=2)
    draft = BroadcastDraft(
        audience=Audience(universities=frozenset({1})),
        text_en="Orientation",
        webinar=WebinarDraft("Orientation", starts_at, 60, "https://zoom.us/j/1"),
    )
    summary = await service.create(FOCAL, draft)
    assert summary.webinar_id is not None
    webinars = WebinarService(database, Outbox(database), Catalogue.load())
    learner = Actor(id=1, role=Role.LEARNER, university_id=1)
    assert (await webinars.rsvp(learner, summary.webinar_id)).added
    assert not (await webinars.rsvp(learner, summary.webinar_id)).added
    other_university = Actor(id=3, role=Role.LEARNER, university_id=2)
    with pytest.raises(NotAllowedError):
        await webinars.rsvp(other_university, summary.webinar_id)
    with pytest.raises(NotAllowedError):
        await webinars.calendar_file(other_university, summary.webinar_id)
    name, _ = await webinars.calendar_file(learner, summary.webinar_id)
    assert name.endswith(".ics")
    assert await webinars.run_due(starts_at - timedelta(hours=30)) == 0
    day_before = starts_at - timedelta(hours=23)
    assert await webinars.run_due(day_before) == 1
    assert await webinars.run_due(day_before) == 0
    hour_before = starts_at - timedelta(minutes=50)
    assert await webinars.run_due(hour_before) == 1
    assert await webinars.run_due(hour_before + timedelta(minutes=5)) == 0
    reminders = await Outbox(database).jobs("webinar-reminder")
    assert sorted(job.reference or "" for job in reminders) == [
        f"webinar:{summary.webinar_id}:1h",
        f"webinar:{summary.webinar_id}:24h",
    ]
    assert all(job.progress.total == 1 for job in reminders)
    listed = await webinars.webinars(FOCAL)
    assert listed[0].rsvps_by_university == {1: 1}


async def test_only_a_broadcast_that_has_not_started_can_be_cancelled(service, database, settings):
    from bot.delivery.worker import DeliveryWorker
    from tests.delivery.fakes import FakeClock, ScriptedSender

    audience = Audience(universities=frozenset({1}))
    later = await service.create(
        FOCAL,
        BroadcastDraft(audience=audience, text_en="Later"),
        send_at=datetime.now(UTC) + timedelta(hours=3),
    )
    assert later.state == "scheduled"
    now = await service.create(FOCAL, BroadcastDraft(audience=audience, text_en="Now"))
    sender = ScriptedSender()
    worker = DeliveryWorker(
        database, None, settings, sender=sender, clock=FakeClock(datetime.now(UTC))
    )
    await worker.run_until_idle()
    assert sorted(sender.sent) == [1, 2]  # the scheduled one is not sent yet
    with pytest.raises(BroadcastInputError) as started:
        await service.cancel(FOCAL, now.id)
    assert started.value.message_key == "broadcast-error-not-cancellable"
    other_focal = Actor(id=51, role=Role.FOCAL_PERSON, university_id=2)
    with pytest.raises(Exception) as foreign:
        await service.cancel(other_focal, later.id)
    assert type(foreign.value).__name__ == "NotFoundError"
    assert (await service.cancel(FOCAL, later.id)).state == "cancelled"
