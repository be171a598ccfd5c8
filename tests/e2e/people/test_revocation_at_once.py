"""A revoked focal person's unsent broadcasts are cancelled, and they get no reports or tickets."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from bot.delivery import OutgoingMessage
from bot.services.broadcasts import Actor, Audience, BroadcastDraft, WebinarDraft
from bot.services.universities import UniversityService
from bot.storage.broadcast_models import Broadcast, Webinar
from bot.storage.delivery_models import DeliveryJob
from bot.storage.models import Role
from bot.storage.types import utcnow
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.factories import make_user

FOCAL = 5_000_003_001
LEARNER = 5_000_003_002


async def test_revoking_a_focal_person_stops_their_scheduled_broadcast_reports_and_tickets(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    services = people.services
    universities = UniversityService(services.database)
    await universities.ensure_loaded()
    comsats = (await universities.search("comsats"))[0].university.id
    await people.onboard_staff(ADMIN)
    focal = await make_user(services.database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats)
    await people.onboard(LEARNER)
    learner_seen = len(people.messages(LEARNER))

    # The focal person schedules a notice with a webinar for tomorrow, watching its progress.
    summary = await services.broadcasts.create(
        Actor.of(focal),
        BroadcastDraft(
            audience=Audience(university_ids=(comsats,)),
            text_en="Licence clinic tomorrow",
            webinar=WebinarDraft(
                title="Licence clinic",
                starts_at=utcnow() + timedelta(days=2),
                duration_minutes=45,
                join_link="https://meet.example.org/clinic",
            ),
        ),
        send_at=utcnow() + timedelta(days=1),
    )
    assert summary.recipients == 1 and summary.job_id is not None
    async with services.database.session() as session:
        await session.exec(
            update(DeliveryJob)
            .where(DeliveryJob.id == summary.job_id)  # type: ignore[arg-type]
            .values(status_chat_id=FOCAL, status_message_id=1)
        )
    # A ticket for them waits in the outbox (sent in an hour).
    await services.outbox.enqueue_job(
        kind="ticket",
        reference="ticket:1",
        messages=[OutgoingMessage(chat_id=FOCAL, text="🎫 A learner's question")],
        not_before=utcnow() + timedelta(hours=1),
    )
    focal_seen = len(people.messages(FOCAL))

    _header, line = await people.send(ADMIN, "/focals", expect=2)
    await people.press(ADMIN, line, f"fp:revoke:{FOCAL}", expect=0)

    # Time passes: everything that was waiting becomes due now.
    async with services.database.session() as session:
        await session.exec(update(DeliveryJob).values(not_before=utcnow() - timedelta(seconds=1)))

    async def drained() -> bool:
        return all(job.progress.is_finished for job in await services.outbox.jobs(limit=100))

    for _ in range(400):
        if await drained():
            break
        await asyncio.sleep(0.05)
    assert await drained()
    assert len(people.messages(LEARNER)) == learner_seen  # the notice never went out
    assert len(people.messages(FOCAL)) == focal_seen  # no ticket, no report
    assert people.tg.requests("editMessageText", chat_id=FOCAL) == []
    async with services.database.session() as session:
        broadcast = await session.get(Broadcast, summary.id)
        webinar = await session.get(Webinar, summary.webinar_id)
    assert broadcast is not None and broadcast.cancelled_at is not None
    assert webinar is not None and webinar.cancelled_at is not None
