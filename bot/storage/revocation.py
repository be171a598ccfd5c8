"""What a person's staff role had set going stops when the role is taken away.

Used by `RoleService.revoke_focal` in the same transaction as the role change, so from that
moment: their broadcasts not yet sent are cancelled (with a webinar nobody has heard of yet),
they get no "delivery finished" or progress report, and tickets queued to them are not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage.broadcast_models import Broadcast, Webinar
from bot.storage.delivery_models import Delivery, DeliveryJob, DeliveryStatus, JobStatus

TICKET_JOB_KIND = "ticket"


@dataclass(frozen=True)
class WithdrawnWork:
    broadcasts_cancelled: int
    tickets_withheld: int


async def withdraw_staff_work(session: AsyncSession, user_id: int, now: datetime) -> WithdrawnWork:
    """Cancel the person's unsent broadcasts, stop their reports, hold tickets queued to them."""
    pending = (
        await session.exec(
            select(Broadcast, DeliveryJob)
            .join(DeliveryJob, col(DeliveryJob.id) == col(Broadcast.job_id))
            .where(
                col(Broadcast.created_by) == user_id,
                col(Broadcast.cancelled_at).is_(None),
                col(DeliveryJob.status) == JobStatus.ACTIVE.value,
            )
        )
    ).all()
    for broadcast, job in pending:
        await session.exec(
            update(DeliveryJob)
            .where(col(DeliveryJob.id) == job.id)
            .values(status=JobStatus.CANCELLED.value, finished_at=now)
        )
        await session.exec(
            update(Delivery)
            .where(
                col(Delivery.job_id) == job.id, col(Delivery.status) == DeliveryStatus.PENDING.value
            )
            .values(status=DeliveryStatus.CANCELLED.value, finished_at=now)
        )
        broadcast.cancelled_at = now
        session.add(broadcast)
        if broadcast.webinar_id is not None and job.started_at is None:
            webinar = await session.get(Webinar, broadcast.webinar_id)
            if webinar is not None and webinar.cancelled_at is None:
                webinar.cancelled_at = now
                session.add(webinar)
    # No more progress messages or "delivery finished" reports to them.
    await session.exec(
        update(DeliveryJob)
        .where(col(DeliveryJob.created_by) == user_id)
        .values(status_chat_id=None, status_message_id=None)
    )
    await session.exec(
        update(DeliveryJob)
        .where(col(DeliveryJob.status_chat_id) == user_id)
        .values(status_chat_id=None, status_message_id=None)
    )
    ticket_jobs = select(col(DeliveryJob.id)).where(col(DeliveryJob.kind) == TICKET_JOB_KIND)
    withheld = await session.exec(
        update(Delivery)
        .where(
            col(Delivery.chat_id) == user_id,
            col(Delivery.status) == DeliveryStatus.PENDING.value,
            col(Delivery.job_id).in_(ticket_jobs),
        )
        .values(status=DeliveryStatus.CANCELLED.value, finished_at=now)
    )
    return WithdrawnWork(len(pending), int(withheld.rowcount))
