"""The worker's database operations on the outbox tables.

Claiming differs per backend. PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` in the same
transaction that marks the row `sending`, so two workers never take the same row. SQLite (one
worker): a plain read, then a conditional `UPDATE ... WHERE status = 'pending'` — a single write
statement, which waits out the bot's own writes through `busy_timeout` instead of failing on a
stale read snapshot.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.messages import OutgoingMessage
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery, DeliveryJob, DeliveryStatus, JobStatus
from bot.storage.models import User

LOOKAHEAD = 8
SQLITE_BATCH = 64
_PENDING = DeliveryStatus.PENDING.value
_SENDING = DeliveryStatus.SENDING.value


@dataclass(frozen=True)
class _Candidate:
    id: int
    chat_id: int
    payload: dict[str, Any]
    attempts: int


def _candidates(job_id: int, now: datetime, limit: int) -> Any:
    return (
        select(
            col(Delivery.id), col(Delivery.chat_id), col(Delivery.payload), col(Delivery.attempts)
        )
        .where(
            col(Delivery.job_id) == job_id,
            col(Delivery.status) == _PENDING,
            col(Delivery.next_attempt_at) <= now,
        )
        .order_by(col(Delivery.id))
        .limit(limit)
    )


async def _take(
    connection: AsyncConnection,
    row: _Candidate,
    *,
    job_id: int,
    now: datetime,
    worker_id: str,
    chat_wait: Callable[[int], float],
    mark_started: bool,
) -> ClaimedDelivery | None:
    """Claim one candidate row (unless its chat must wait); the job's first claim starts it."""
    wait = chat_wait(int(row.chat_id))
    if wait > 0:
        await connection.execute(
            update(Delivery)
            .where(col(Delivery.id) == row.id, col(Delivery.status) == _PENDING)
            .values(next_attempt_at=now + timedelta(seconds=wait))
        )
        return None
    taken = await connection.execute(
        update(Delivery)
        .where(col(Delivery.id) == row.id, col(Delivery.status) == _PENDING)
        .values(status=_SENDING, claimed_by=worker_id, claimed_at=now)
    )
    if taken.rowcount != 1:
        return None
    if mark_started:
        await _mark_started(connection, job_id, now)
    return ClaimedDelivery(
        id=int(row.id),
        job_id=job_id,
        attempts=int(row.attempts),
        message=OutgoingMessage.from_payload(int(row.chat_id), dict(row.payload)),
    )


async def _mark_started(connection: AsyncConnection, job_id: int, now: datetime) -> None:
    await connection.execute(
        update(DeliveryJob)
        .where(col(DeliveryJob.id) == job_id, col(DeliveryJob.started_at).is_(None))
        .values(started_at=now)
    )


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    job_id: int
    attempts: int
    message: OutgoingMessage


@dataclass(frozen=True)
class SentRow:
    """A delivery Telegram accepted, to be recorded `sent` (`DeliveryStore.finish_sent`)."""

    id: int
    telegram_message_id: int | None
    attempts: int


@dataclass(frozen=True)
class DueJob:
    id: int
    priority: int


@dataclass(frozen=True)
class FinishedJob:
    id: int
    kind: str
    status_chat_id: int | None
    status_message_id: int | None
    status_language: str


# Runs inside the transaction that marks a job done: (that session, the job).
OnJobDone = Callable[[AsyncSession, FinishedJob], Awaitable[None]]


@dataclass(frozen=True)
class WatchedJob:
    id: int
    chat_id: int
    message_id: int
    language: str


class DeliveryStore:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._sqlite_candidates: dict[int, deque[_Candidate]] = {}

    async def mark_unreachable(self, user_id: int) -> None:
        """The user blocked the bot or deleted their account: stop sending to them."""
        async with self._database.session() as session:
            await session.exec(update(User).where(col(User.id) == user_id).values(is_blocked=True))

    async def mark_interrupted(self, now: datetime, *, older_than: timedelta | None) -> int:
        """Rows left `sending` by a dead worker become `uncertain` (never resent).

        `older_than=None` takes every such row (SQLite: this is the only worker); on
        PostgreSQL only rows whose claim is older than the lease, as another live worker may
        be sending the recent ones.
        """
        condition = col(Delivery.status) == _SENDING
        if older_than is not None:
            condition = and_(condition, col(Delivery.claimed_at) < now - older_than)
        async with self._database.session() as session:
            result = await session.exec(
                update(Delivery)
                .where(condition)
                .values(
                    status=DeliveryStatus.UNCERTAIN.value,
                    finished_at=now,
                    error="the worker stopped during the send; not resent",
                )
            )
            return int(result.rowcount)

    async def backlog(self, now: datetime) -> tuple[int, float]:
        """Rows not yet sent (pending or sending) and the age in seconds of the oldest due one."""
        waiting = (
            select(func.count())
            .select_from(Delivery)
            .where(col(Delivery.status).in_([_PENDING, _SENDING]))
        )
        oldest = select(func.min(col(Delivery.next_attempt_at))).where(
            col(Delivery.status) == _PENDING, col(Delivery.next_attempt_at) <= now
        )
        async with self._database.session() as session:
            count = (await session.exec(waiting)).first()
            due_since = (await session.exec(oldest)).first()
        age = 0.0
        if isinstance(due_since, datetime):
            if due_since.tzinfo is None:
                due_since = due_since.replace(tzinfo=now.tzinfo)
            age = max(0.0, (now - due_since).total_seconds())
        return int(count or 0), age

    async def due_jobs(self, now: datetime) -> list[DueJob]:
        """Active jobs with at least one row due now, highest priority first."""
        has_due_row = exists().where(
            col(Delivery.job_id) == col(DeliveryJob.id),
            col(Delivery.status) == _PENDING,
            col(Delivery.next_attempt_at) <= now,
        )
        query = (
            select(col(DeliveryJob.id), col(DeliveryJob.priority))
            .where(
                col(DeliveryJob.status) == JobStatus.ACTIVE.value,
                or_(col(DeliveryJob.not_before).is_(None), col(DeliveryJob.not_before) <= now),
                has_due_row,
            )
            .order_by(col(DeliveryJob.priority).desc(), col(DeliveryJob.id))
        )
        async with self._database.session() as session:
            rows = (await session.exec(query)).all()
        # A primary key is never NULL: `is not None` is for the type checker.
        return [
            DueJob(int(job_id), int(priority)) for job_id, priority in rows if job_id is not None
        ]

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending row of an active job becomes due (may be past).

        Rows of a job with `not_before` are written with that time as `next_attempt_at`.
        """
        query = (
            select(func.min(col(Delivery.next_attempt_at)))
            .select_from(Delivery)
            .join(DeliveryJob, col(DeliveryJob.id) == col(Delivery.job_id))
            .where(
                col(Delivery.status) == _PENDING, col(DeliveryJob.status) == JobStatus.ACTIVE.value
            )
        )
        async with self._database.session() as session:
            value = (await session.exec(query)).first()
        return value if isinstance(value, datetime) else None

    async def claim(
        self,
        job_id: int,
        now: datetime,
        worker_id: str,
        chat_wait: Callable[[int], float],
        *,
        mark_started: bool = True,
    ) -> ClaimedDelivery | None:
        """Mark the next due row of the job `sending` (committed) and return it.

        Rows whose chat got a message less than a second ago are pushed back a little instead
        (`chat_wait` says how long); they were never sent, so that is safe.
        """
        if self._database.is_sqlite:
            return await self._claim_sqlite(job_id, now, worker_id, chat_wait, mark_started)
        candidates = _candidates(job_id, now, LOOKAHEAD).with_for_update(
            skip_locked=True, of=Delivery
        )
        async with self._connection() as connection:
            rows = [_Candidate(*row) for row in (await connection.execute(candidates)).all()]
            for row in rows:
                claimed = await _take(
                    connection,
                    row,
                    job_id=job_id,
                    now=now,
                    worker_id=worker_id,
                    chat_wait=chat_wait,
                    mark_started=mark_started,
                )
                if claimed is not None:
                    return claimed
        return None

    async def claim_batch(
        self,
        job_id: int,
        now: datetime,
        worker_id: str,
        chat_wait: Callable[[int], float],
        *,
        limit: int,
        mark_started: bool = True,
    ) -> list[ClaimedDelivery]:
        """Up to `limit` due rows of the job marked `sending` in one transaction (PostgreSQL).

        For paid broadcasts (up to 1,000 a second): one claim per row costs a round trip and a
        commit each, which caps a worker far below that. SQLite claims one row as usual.
        """
        if self._database.is_sqlite or limit <= 1:
            one = await self.claim(job_id, now, worker_id, chat_wait, mark_started=mark_started)
            return [] if one is None else [one]
        candidates = _candidates(job_id, now, limit).with_for_update(skip_locked=True, of=Delivery)
        async with self._connection() as connection:
            rows = [_Candidate(*row) for row in (await connection.execute(candidates)).all()]
            ready = [row for row in rows if chat_wait(int(row.chat_id)) <= 0]
            for row in rows:
                if row not in ready:  # pushed back a little, never sent: safe
                    await _take(
                        connection,
                        row,
                        job_id=job_id,
                        now=now,
                        worker_id=worker_id,
                        chat_wait=chat_wait,
                        mark_started=False,
                    )
            if not ready:
                return []
            await connection.execute(
                update(Delivery)
                .where(
                    col(Delivery.id).in_([row.id for row in ready]),
                    col(Delivery.status) == _PENDING,
                )
                .values(status=_SENDING, claimed_by=worker_id, claimed_at=now)
            )
            if mark_started:
                await _mark_started(connection, job_id, now)
        return [
            ClaimedDelivery(
                id=int(row.id),
                job_id=job_id,
                attempts=int(row.attempts),
                message=OutgoingMessage.from_payload(int(row.chat_id), dict(row.payload)),
            )
            for row in ready
        ]

    async def _claim_sqlite(
        self,
        job_id: int,
        now: datetime,
        worker_id: str,
        chat_wait: Callable[[int], float],
        mark_started: bool,
    ) -> ClaimedDelivery | None:
        # One worker: read a batch of candidates once, then take them one conditional UPDATE
        # at a time (a row cancelled meanwhile is simply not taken).
        queue = self._sqlite_candidates.setdefault(job_id, deque())
        if not queue:
            async with self._connection() as connection:
                found = await connection.execute(_candidates(job_id, now, SQLITE_BATCH))
                queue.extend(_Candidate(*row) for row in found.all())
        while queue:
            row = queue.popleft()
            async with self._connection() as connection:
                claimed = await _take(
                    connection,
                    row,
                    job_id=job_id,
                    now=now,
                    worker_id=worker_id,
                    chat_wait=chat_wait,
                    mark_started=mark_started,
                )
                if claimed is not None:
                    return claimed
        self._sqlite_candidates.pop(job_id, None)
        return None

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """A Core transaction: the worker's hot path skips the ORM session's overhead."""
        async with self._database.transaction() as connection:
            yield connection

    async def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        now: datetime,
        *,
        error: str | None = None,
        telegram_message_id: int | None = None,
        attempts: int | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status.value,
            "finished_at": now,
            "error": error[:300] if error else None,
            "telegram_message_id": telegram_message_id,
        }
        if attempts is not None:
            values["attempts"] = attempts
        async with self._connection() as connection:
            await connection.execute(
                update(Delivery)
                .where(col(Delivery.id) == delivery_id, col(Delivery.status) == _SENDING)
                .values(**values)
            )

    async def finish_sent(self, rows: Sequence[SentRow], now: datetime) -> None:
        """Record many sends in one transaction: one statement, sent as a pipelined
        executemany, and one commit, instead of a transaction a row (a paid broadcast goes at
        hundreds a second). Like `finish`, only rows still `sending` change."""
        if not rows:
            return
        statement = (
            update(Delivery)
            .where(col(Delivery.id) == bindparam("row_id"), col(Delivery.status) == _SENDING)
            .values(
                status=DeliveryStatus.SENT.value,
                finished_at=now,
                error=None,
                telegram_message_id=bindparam("message_id"),
                attempts=bindparam("row_attempts"),
            )
        )
        params = [
            {"row_id": row.id, "message_id": row.telegram_message_id, "row_attempts": row.attempts}
            for row in rows
        ]
        async with self._connection() as connection:
            await connection.execute(statement, params)

    async def retry_later(
        self, delivery_id: int, at: datetime, *, attempts: int, error: str | None
    ) -> None:
        """Back to `pending`: only for answers that prove nothing was delivered."""
        async with self._connection() as connection:
            await connection.execute(
                update(Delivery)
                .where(col(Delivery.id) == delivery_id, col(Delivery.status) == _SENDING)
                .values(
                    status=_PENDING,
                    next_attempt_at=at,
                    attempts=attempts,
                    error=error[:300] if error else None,
                    claimed_by=None,
                )
            )

    async def complete_finished_jobs(
        self, now: datetime, on_done: OnJobDone | None = None
    ) -> list[FinishedJob]:
        """Active, started jobs without pending or sending rows become `done`.

        `on_done` runs in the transaction that marks the job done (the worker queues the
        sender's report there): with several workers, retries and restarts, a job is marked
        done and reported together exactly once, or neither and it is tried again.
        """
        unfinished = exists().where(
            col(Delivery.job_id) == col(DeliveryJob.id),
            col(Delivery.status).in_([_PENDING, _SENDING]),
        )
        async with self._database.session() as session:
            candidates = (
                await session.exec(
                    select(col(DeliveryJob.id)).where(
                        col(DeliveryJob.status) == JobStatus.ACTIVE.value,
                        or_(
                            col(DeliveryJob.not_before).is_(None),
                            col(DeliveryJob.not_before) <= now,
                        ),
                        ~unfinished,
                    )
                )
            ).all()
        finished: list[FinishedJob] = []
        for job_id in candidates:
            if job_id is None:  # never (a primary key); said for the type checker
                continue
            # One transaction per job, so one that cannot be reported holds up no other.
            async with self._database.session() as session:
                # Conditional, so with several workers exactly one marks (and reports) the job.
                changed = await session.exec(
                    update(DeliveryJob)
                    .where(
                        col(DeliveryJob.id) == job_id,
                        col(DeliveryJob.status) == JobStatus.ACTIVE.value,
                        ~unfinished,
                    )
                    .values(status=JobStatus.DONE.value, finished_at=now)
                )
                if changed.rowcount != 1:
                    continue
                job = await session.get(DeliveryJob, job_id)
                assert job is not None
                done = FinishedJob(
                    id=int(job_id),
                    kind=job.kind,
                    status_chat_id=job.status_chat_id,
                    status_message_id=job.status_message_id,
                    status_language=job.status_language,
                )
                if on_done is not None:
                    await on_done(session, done)
            finished.append(done)
        return finished

    async def watched_jobs(self) -> list[WatchedJob]:
        """Started, active jobs whose sender watches a status message."""
        async with self._database.session() as session:
            rows = (
                await session.exec(
                    select(
                        col(DeliveryJob.id),
                        col(DeliveryJob.status_chat_id),
                        col(DeliveryJob.status_message_id),
                        col(DeliveryJob.status_language),
                    ).where(
                        col(DeliveryJob.status) == JobStatus.ACTIVE.value,
                        col(DeliveryJob.status_chat_id).is_not(None),
                        col(DeliveryJob.status_message_id).is_not(None),
                        col(DeliveryJob.started_at).is_not(None),
                    )
                )
            ).all()
        # No NULL here (a primary key, and the where clause): `is not None` is for the type checker.
        return [
            WatchedJob(int(job_id), int(chat_id), int(message_id), str(language))
            for job_id, chat_id, message_id, language in rows
            if job_id is not None and chat_id is not None and message_id is not None
        ]
