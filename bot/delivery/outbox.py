"""The outbox: features enqueue messages here; the delivery worker sends them.

Every row is written before any sending starts, so a job survives restarts and its progress can
be read from the database by any process (the bot, `hecbot worker`, the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.messages import JobProgress, JobSummary, OutgoingMessage
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery, DeliveryJob, DeliveryStatus, JobStatus
from bot.storage.types import utcnow

# Priorities: bigger goes first. Broadcasts are the default 0.
PRIORITY_BROADCAST = 0
PRIORITY_SURVEY = 10
PRIORITY_REMINDER = 20
PRIORITY_TICKET = 30
PRIORITY_REPORT = 40

_INSERT_CHUNK = 1000


class EnqueueJob(Protocol):
    """The shape of `Outbox.enqueue_job`, for services that take it injected (and tests that
    record the jobs instead): writes every message before any is sent; returns the job id."""

    async def __call__(
        self,
        *,
        kind: str,
        reference: str | None,
        messages: Iterable[OutgoingMessage],
        created_by: int | None = None,
        priority: int = 0,
        not_before: datetime | None = None,
    ) -> int: ...


class Outbox:
    """Enqueue, inspect and cancel delivery jobs."""

    def __init__(self, database: Database, *, send_rate_per_second: float = 25.0) -> None:
        self._database = database
        self._rate = send_rate_per_second

    async def enqueue_job(
        self,
        *,
        kind: str,
        reference: str | None,
        messages: Iterable[OutgoingMessage],
        created_by: int | None = None,
        priority: int = 0,
        not_before: datetime | None = None,
        session: AsyncSession | None = None,
    ) -> int:
        """Store a job and one pending row per message; returns the job id.

        Pass `session` to enqueue inside the caller's transaction (e.g. together with the flag
        that says "this reminder wave is queued"), so both are committed or neither.
        """
        # The caller's transaction when given (it commits), else one of our own.
        within = nullcontext(session) if session is not None else self._database.session()
        async with within as active:
            return await self._enqueue(
                active,
                kind=kind,
                reference=reference,
                messages=list(messages),
                created_by=created_by,
                priority=priority,
                not_before=not_before,
            )

    async def _enqueue(
        self,
        session: AsyncSession,
        *,
        kind: str,
        reference: str | None,
        messages: list[OutgoingMessage],
        created_by: int | None,
        priority: int,
        not_before: datetime | None,
    ) -> int:
        now = utcnow()
        job = DeliveryJob(
            kind=kind,
            reference=reference,
            created_by=created_by,
            priority=priority,
            total=len(messages),
            not_before=not_before,
            status=JobStatus.ACTIVE.value if messages else JobStatus.DONE.value,
            finished_at=None if messages else now,
        )
        session.add(job)
        await session.flush()
        assert job.id is not None
        due = not_before or now
        rows: list[dict[str, Any]] = [
            {
                "job_id": job.id,
                "chat_id": message.chat_id,
                "payload": message.payload(),
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": due,
            }
            for message in messages
        ]
        for start in range(0, len(rows), _INSERT_CHUNK):
            await session.exec(insert(Delivery), params=rows[start : start + _INSERT_CHUNK])
        return job.id

    async def watch_job(self, job_id: int, *, chat_id: int, message_id: int, language: str) -> None:
        """Let the worker edit this message with the job's progress and a final report."""
        async with self._database.session() as session:
            await session.exec(
                update(DeliveryJob)
                .where(col(DeliveryJob.id) == job_id)
                .values(
                    status_chat_id=chat_id, status_message_id=message_id, status_language=language
                )
            )

    async def job_progress(
        self, job_id: int, *, session: AsyncSession | None = None
    ) -> JobProgress:
        """Counts per status and an estimate of the time left; KeyError for an unknown job.

        Pass `session` to read inside the caller's transaction.
        """
        within = nullcontext(session) if session is not None else self._database.session()
        async with within as active:
            job = await active.get(DeliveryJob, job_id)
            if job is None:
                raise KeyError(job_id)
            counts = await _status_counts(active, [job_id])
        return self._progress(job, counts.get(job_id, {}))

    async def cancel_job(self, job_id: int) -> bool:
        """Cancel every row not yet sent; False when the job is unknown or already over."""
        async with self._database.session() as session:
            now = utcnow()
            changed = await session.exec(
                update(DeliveryJob)
                .where(
                    col(DeliveryJob.id) == job_id, col(DeliveryJob.status) == JobStatus.ACTIVE.value
                )
                .values(status=JobStatus.CANCELLED.value, finished_at=now)
            )
            if changed.rowcount == 0:
                return False
            await session.exec(
                update(Delivery)
                .where(
                    col(Delivery.job_id) == job_id,
                    col(Delivery.status) == DeliveryStatus.PENDING.value,
                )
                .values(status=DeliveryStatus.CANCELLED.value, finished_at=now)
            )
            return True

    async def jobs(self, kind: str | None = None, *, limit: int = 50) -> list[JobSummary]:
        """The newest jobs first, optionally of one kind."""
        async with self._database.session() as session:
            query = select(DeliveryJob).order_by(col(DeliveryJob.id).desc()).limit(limit)
            if kind is not None:
                query = query.where(col(DeliveryJob.kind) == kind)
            found = list((await session.exec(query)).all())
            counts = await _status_counts(session, [job.id for job in found if job.id is not None])
        return [
            JobSummary(
                id=job.id or 0,
                kind=job.kind,
                reference=job.reference,
                created_by=job.created_by,
                priority=job.priority,
                status=job.status,
                created_at=job.created_at,
                not_before=job.not_before,
                progress=self._progress(job, counts.get(job.id or 0, {})),
            )
            for job in found
        ]

    def _progress(self, job: DeliveryJob, counts: dict[str, int]) -> JobProgress:
        def count(status: DeliveryStatus) -> int:
            return counts.get(status.value, 0)

        pending = count(DeliveryStatus.PENDING)
        sending = count(DeliveryStatus.SENDING)
        finished = job.total - pending - sending
        eta: float | None = None
        remaining = pending + sending
        if remaining == 0:
            eta = 0.0
        elif job.status == JobStatus.ACTIVE.value:
            rate = self._rate
            if job.started_at is not None and finished > 0:
                elapsed = (utcnow() - job.started_at).total_seconds()
                if elapsed > 1:
                    # The observed rate includes sharing the budget with other jobs.
                    rate = min(self._rate, finished / elapsed)
            eta = remaining / rate
        return JobProgress(
            job_id=job.id or 0,
            status=job.status,
            total=job.total,
            pending=pending,
            sending=sending,
            sent=count(DeliveryStatus.SENT),
            failed=count(DeliveryStatus.FAILED),
            blocked=count(DeliveryStatus.BLOCKED),
            cancelled=count(DeliveryStatus.CANCELLED),
            uncertain=count(DeliveryStatus.UNCERTAIN),
            eta_seconds=eta,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


async def _status_counts(session: AsyncSession, job_ids: list[int]) -> dict[int, dict[str, int]]:
    if not job_ids:
        return {}
    rows = await session.exec(
        select(col(Delivery.job_id), col(Delivery.status), func.count())
        .where(col(Delivery.job_id).in_(job_ids))
        .group_by(col(Delivery.job_id), col(Delivery.status))
    )
    counts: dict[int, dict[str, int]] = {}
    for job_id, status, number in rows:
        counts.setdefault(int(job_id), {})[str(status)] = int(number)
    return counts
