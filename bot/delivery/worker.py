"""The delivery worker: claims due outbox rows and sends them, paced and exactly once.

Exactly once, as far as Telegram allows: a row is committed as `sending` before the API call and
as `sent` right after. Telegram has no idempotency key, so a row found `sending` after a crash
may or may not have arrived; it is marked `uncertain` and never resent (a missed notice is
better than a duplicate). See docs/architecture.md, "Delivery".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Protocol

from aiogram import Bot
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.delivery.budget import BudgetRates, LocalSendBudget, SendBudget, SendKind
from bot.delivery.clock import Clock, SystemClock
from bot.delivery.messages import JobProgress, OutgoingMessage
from bot.delivery.outbox import PRIORITY_REPORT, Outbox
from bot.delivery.pacing import RateLimiter, RetryPolicy
from bot.delivery.scheduler import Scheduler
from bot.delivery.session import SEND_KIND
from bot.delivery.store import ClaimedDelivery, DeliveryStore, DueJob, FinishedJob, SentRow
from bot.delivery.telegram import MessageSender, OutcomeKind, SendOutcome, TelegramSender
from bot.i18n import Catalogue
from bot.storage.db import Database
from bot.storage.delivery_models import DeliveryStatus
from bot.transient import dependency_of, is_transient

log = logging.getLogger(__name__)

# (progress, language, final) -> the status message text.
ProgressRenderer = Callable[[JobProgress, str, bool], str]

UNAUTHORIZED_PAUSE_SECONDS = 60.0
PAID_CLAIM_BATCH = 50
# Waits between attempts while PostgreSQL or Redis is unreachable: 0.5 s doubling up to 15 s.
OUTAGE_BACKOFF_SECONDS = (0.5, 15.0)
# How long an outcome is kept in memory and written again before the row is left to the lease.
RECORD_RETRY_SECONDS = 300.0
# Sends accepted within this long are recorded together (PostgreSQL): one commit for many rows.
SENT_BATCH_WINDOW_SECONDS = 0.02
SENT_BATCH_MAX = 500


class UnreachableMarker(Protocol):
    """Records that a user blocked the bot (`UserService` is one; delivery imports no service)."""

    async def mark_unreachable(self, user_id: int) -> None: ...


def catalogue_renderer(catalogue: Catalogue) -> ProgressRenderer:
    """Status texts from the `delivery-*` catalogue keys."""

    def render(progress: JobProgress, language: str, final: bool) -> str:
        eta = progress.eta_seconds or 0.0
        minutes, seconds = divmod(round(eta), 60)
        return catalogue.text(
            language,
            "delivery-report" if final else "delivery-progress",
            sent=progress.sent,
            total=progress.total,
            failed=progress.failed,
            blocked=progress.blocked,
            uncertain=progress.uncertain,
            cancelled=progress.cancelled,
            minutes=minutes,
            seconds=seconds,
        )

    return render


class DeliveryWorker:
    """Runs until `stop` is set: sends due rows, runs the scheduler, edits status messages."""

    def __init__(
        self,
        database: Database,
        bot: Bot | None,
        settings: Settings,
        *,
        scheduler: Scheduler | None = None,
        users: UnreachableMarker | None = None,
        sender: MessageSender | None = None,
        clock: Clock | None = None,
        renderer: ProgressRenderer | None = None,
        worker_id: str | None = None,
        budget: SendBudget | None = None,
    ) -> None:
        if sender is None:
            if bot is None:
                raise ValueError("a DeliveryWorker needs a bot or a sender")
            sender = TelegramSender(bot)
        self._sender = sender
        self._clock = clock or SystemClock()
        self._store = DeliveryStore(database)
        self._is_sqlite = database.is_sqlite
        self._outbox = Outbox(database, send_rate_per_second=settings.delivery.send_rate_per_second)
        self._users: UnreachableMarker = users or self._store
        self._scheduler = scheduler or Scheduler()
        catalogue = Catalogue.from_settings(settings)
        self._render = renderer or catalogue_renderer(catalogue)
        self._notice = partial(catalogue.text, key="delivery-finished-notice")
        self._limiter = RateLimiter(
            settings.delivery.send_rate_per_second,
            self._clock,
            per_chat_interval=settings.delivery.per_chat_interval_seconds,
        )
        self._retry = RetryPolicy(
            max_attempts=settings.delivery.max_attempts,
            base_seconds=settings.delivery.backoff_seconds,
        )
        self._budget: SendBudget = budget or LocalSendBudget(
            BudgetRates.from_settings(settings), self._clock
        )
        self._lease = timedelta(seconds=settings.delivery.sending_lease_seconds)
        # Sends in flight at once: the free rate's worth, or enough for the paid rate when
        # each call takes ~100 ms (paid broadcasts go up to 1,000 a second).
        self._max_in_flight = max(
            int(settings.delivery.send_rate_per_second),
            min(200, int(settings.delivery.paid_send_rate_per_second / 10)),
        )
        # Read by /healthz and /metrics: the last loop's wall time, and the outage if any.
        self.heartbeat = time.time()
        self.outage: str | None = None
        self._outage_started: float | None = None
        self._outage_wait = OUTAGE_BACKOFF_SECONDS[0]
        # A database with an outage watch logs its outages itself (bot.outages): the worker
        # then adds no second line for the same outage.
        self._database_watched = getattr(database, "outage_watch", None) is not None
        self._outage_logged = False
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self._in_flight: set[asyncio.Task[None]] = set()
        self._round_robin = 0
        # Rows claimed together for a paid broadcast, sent one by one at the paid rate.
        self._claimed: deque[ClaimedDelivery] = deque()
        self._batch = 1
        self._due_jobs: list[DueJob] | None = None
        self._due_jobs_at = float("-inf")
        self._started_jobs: set[int] = set()
        self._last_housekeeping = float("-inf")
        self._last_status_edit = float("-inf")
        self._shown: dict[int, tuple[int, int, int]] = {}
        self.uncertain_at_start = 0
        # Accepted sends waiting to be recorded in one transaction (`_record_sent_batches`),
        # each with the future its delivery task waits on. Only while `run` runs, on PostgreSQL.
        self._sent: list[tuple[SentRow, asyncio.Future[None]]] = []
        self._sent_waiting = asyncio.Event()
        self._batch_sent = False

    @property
    def limiter(self) -> RateLimiter:
        return self._limiter

    async def recover(self) -> int:
        """At start-up: rows a dead worker left `sending` become `uncertain`."""
        older_than = None if self._is_sqlite else self._lease
        count = await self._store.mark_interrupted(self._clock.now(), older_than=older_than)
        if count:
            log.warning("%s deliveries were in flight when a worker stopped: not resent", count)
        self.uncertain_at_start = count
        return count

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; a database or Redis outage is waited out, never fatal."""
        await self._weather(self.recover, stop)
        log.info("delivery worker %s started", self.worker_id)
        recorder = None
        if not self._is_sqlite:
            recorder = asyncio.create_task(self._record_sent_batches())
            self._batch_sent = True
        try:
            while not stop.is_set():
                self.heartbeat = time.time()
                try:
                    await self._step(stop)
                except Exception as error:
                    if not is_transient(error):
                        raise
                    await self._outage(error, stop)
                else:
                    self._recovered()
        finally:
            if self._in_flight:
                # Each waits for its outcome to be recorded: the recorder still runs here.
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            self._batch_sent = False
            if recorder is not None:
                recorder.cancel()
                await asyncio.gather(recorder, return_exceptions=True)
            await self._release_claimed()
            log.info("delivery worker %s stopped", self.worker_id)

    async def _release_claimed(self) -> None:
        """Rows claimed in a batch but never sent go back to pending (never uncertain)."""
        now = self._clock.now()
        while self._claimed:
            claimed = self._claimed.popleft()
            with contextlib.suppress(Exception):  # else the lease makes it uncertain: no resend
                await self._store.retry_later(
                    claimed.id, now, attempts=claimed.attempts, error=None
                )

    async def _step(self, stop: asyncio.Event) -> None:
        await self._housekeeping()
        if len(self._in_flight) >= self._max_in_flight:
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            return
        # Claim while the next slot comes closer (the database time overlaps the pacing),
        # but never during a pause: a claimed row waiting out a 429 would be `sending`
        # for seconds, and a crash then would make it uncertain for nothing.
        await self._limiter.wait_unpaused()
        claimed = await self._claim_next()
        if claimed is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.25)
            return
        await self._budget.acquire(SendKind.PAID if claimed.message.paid else SendKind.OUTBOX)
        task = asyncio.create_task(self._deliver(claimed))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _weather(self, action: Callable[[], object], stop: asyncio.Event) -> None:
        """Run `action` (a coroutine function) until it gets through an outage."""
        while not stop.is_set():
            try:
                result = action()
                if asyncio.iscoroutine(result):
                    await result
            except Exception as error:
                if not is_transient(error):
                    raise
                await self._outage(error, stop)
            else:
                self._recovered()
                return

    async def _outage(self, error: BaseException, stop: asyncio.Event) -> None:
        """Log once per outage, report it, and wait a little longer each time."""
        self.heartbeat = time.time()
        now = time.monotonic()
        if self._outage_started is None:
            self._outage_started = now
            self._outage_wait = OUTAGE_BACKOFF_SECONDS[0]
            self._outage_logged = not (
                self._database_watched and dependency_of(error) == "database"
            )
            log.log(
                logging.WARNING if self._outage_logged else logging.DEBUG,
                "delivery worker %s: %s: %s; waiting for it to come back",
                self.worker_id,
                type(error).__name__,
                error,
            )
        else:
            self._outage_wait = min(OUTAGE_BACKOFF_SECONDS[1], self._outage_wait * 2)
        self.outage = f"{type(error).__name__}: {error}"[:300]
        self._due_jobs = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=self._outage_wait)

    def _recovered(self) -> None:
        if self._outage_started is None:
            return
        log.log(
            logging.WARNING if self._outage_logged else logging.DEBUG,
            "delivery worker %s: back after %.1f s",
            self.worker_id,
            time.monotonic() - self._outage_started,
        )
        self._outage_started = None
        self.outage = None

    async def run_until_idle(self, *, horizon_seconds: float = 600.0) -> None:
        """Send until nothing is due within `horizon_seconds` (tests, one-shot CLI sends).

        Waits (on the worker's clock) for retries and per-chat gaps due within the horizon.
        """
        await self.recover()
        while True:
            await self._housekeeping(force=True)
            claimed = None
            if len(self._in_flight) < self._max_in_flight:
                await self._budget.acquire(SendKind.OUTBOX)
                claimed = await self._claim_next()
            if claimed is not None:
                task = asyncio.create_task(self._deliver(claimed))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                continue
            if self._in_flight:
                await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            # Finishing a job may enqueue its report: look for due rows only after that.
            await self._housekeeping(force=True)
            due_at = await self._store.next_due_at()
            now = self._clock.now()
            if due_at is None or (due_at - now).total_seconds() > horizon_seconds:
                return
            await self._clock.sleep(max(0.01, (due_at - now).total_seconds()))

    async def _claim_next(self) -> ClaimedDelivery | None:
        if self._claimed:
            return self._claimed.popleft()
        now = self._clock.now()
        tick = self._clock.monotonic()
        # The list of due jobs is cached briefly: asking for it before every send would double
        # the database work of a broadcast.
        if self._due_jobs is None or tick - self._due_jobs_at > 0.5:
            self._due_jobs = await self._store.due_jobs(now)
            self._due_jobs_at = tick
        jobs = self._due_jobs
        if not jobs:
            return None
        top = jobs[0].priority
        # Round-robin among the jobs of the highest priority: a big broadcast and a small one
        # started later share the rate instead of the small one waiting for the big one.
        group: list[DueJob] = [job for job in jobs if job.priority == top]
        for offset in range(len(group)):
            job = group[(self._round_robin + offset) % len(group)]
            batch = await self._store.claim_batch(
                job.id,
                now,
                self.worker_id,
                self._limiter.chat_wait,
                limit=self._batch,
                mark_started=job.id not in self._started_jobs,
            )
            claimed = batch[0] if batch else None
            if claimed is not None:
                self._claimed.extend(batch[1:])
                # A paid broadcast goes at up to 1,000 a second: claim its rows in batches.
                # Free sends are claimed one at a time, so a crash leaves at most the rows
                # actually in flight uncertain.
                self._batch = PAID_CLAIM_BATCH if claimed.message.paid else 1
                self._started_jobs.add(job.id)
                self._round_robin = (self._round_robin + offset + 1) % max(1, len(group))
                return claimed
        self._due_jobs = None  # nothing claimable in the cached jobs: ask again next time
        return None

    async def _deliver(self, claimed: ClaimedDelivery) -> None:
        SEND_KIND.set(SendKind.OUTBOX)  # this task's own context: replies are unaffected
        chat_id = claimed.message.chat_id
        self._limiter.note_sent_to(chat_id)
        try:
            outcome = await self._sender.send(claimed.message)
        except Exception as error:  # a sender must not raise; be safe if one does
            log.exception("sender raised for delivery %s", claimed.id)
            outcome = SendOutcome(OutcomeKind.FAILED, error=f"{type(error).__name__}: {error}")
        if outcome.kind is OutcomeKind.SENT and self._batch_sent:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            row = SentRow(claimed.id, outcome.telegram_message_id, claimed.attempts + 1)
            self._sent.append((row, done))
            self._sent_waiting.set()
            await done
            return
        await self._record_through_outages(claimed, outcome)

    async def _record_sent_batches(self) -> None:
        """Record accepted sends in batches: one transaction for all that arrived in a short
        window, instead of one a row (a paid broadcast goes at up to 1,000 a second).

        Exactly-once holds as before: a row is `sending` until its outcome is written, and a
        worker that dies with outcomes unwritten leaves those rows to the lease (uncertain,
        never resent); the window only adds `SENT_BATCH_WINDOW_SECONDS` to that time.
        """
        while True:
            await self._sent_waiting.wait()
            if len(self._sent) < SENT_BATCH_MAX:
                await asyncio.sleep(SENT_BATCH_WINDOW_SECONDS)
            batch, self._sent = self._sent[:SENT_BATCH_MAX], self._sent[SENT_BATCH_MAX:]
            if not self._sent:
                self._sent_waiting.clear()
            try:
                await self._write_sent(batch)
            finally:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _write_sent(self, batch: list[tuple[SentRow, asyncio.Future[None]]]) -> None:
        """One transaction for the batch; through an outage, kept and written when it is back."""
        rows = [row for row, _ in batch]
        wait = OUTAGE_BACKOFF_SECONDS[0]
        deadline = time.monotonic() + RECORD_RETRY_SECONDS
        while True:
            try:
                await self._store.finish_sent(rows, self._clock.now())
                return
            except Exception as error:
                if not is_transient(error) or time.monotonic() > deadline:
                    log.exception("could not record %d sent deliveries", len(rows))
                    return
                log.debug("%d sent deliveries kept until the database is back", len(rows))
            await asyncio.sleep(wait)
            wait = min(OUTAGE_BACKOFF_SECONDS[1], wait * 2)

    async def _record_through_outages(self, claimed: ClaimedDelivery, outcome: SendOutcome) -> None:
        """Write the outcome; while the database is down keep it and write it when it is back.

        The message was sent (or refused): losing the outcome would leave the row `sending`
        and, after the lease, `uncertain`. A row is lost only if this process dies meanwhile.
        """
        wait = OUTAGE_BACKOFF_SECONDS[0]
        deadline = time.monotonic() + RECORD_RETRY_SECONDS
        while True:
            try:
                await self._record(claimed, outcome)
                return
            except Exception as error:
                if not is_transient(error) or time.monotonic() > deadline:
                    log.exception("could not record the outcome of delivery %s", claimed.id)
                    return
                log.debug("delivery %s: outcome kept until the database is back", claimed.id)
            await asyncio.sleep(wait)
            wait = min(OUTAGE_BACKOFF_SECONDS[1], wait * 2)

    async def _record(self, claimed: ClaimedDelivery, outcome: SendOutcome) -> None:
        now = self._clock.now()
        attempts = claimed.attempts + 1
        if outcome.kind is OutcomeKind.SENT:
            await self._store.finish(
                claimed.id,
                DeliveryStatus.SENT,
                now,
                telegram_message_id=outcome.telegram_message_id,
                attempts=attempts,
            )
        elif outcome.kind is OutcomeKind.BLOCKED:
            await self._store.finish(
                claimed.id, DeliveryStatus.BLOCKED, now, error=outcome.error, attempts=attempts
            )
            await self._users.mark_unreachable(claimed.message.chat_id)
        elif outcome.kind is OutcomeKind.FAILED:
            await self._store.finish(
                claimed.id, DeliveryStatus.FAILED, now, error=outcome.error, attempts=attempts
            )
        elif outcome.kind is OutcomeKind.RETRY_AFTER:
            # Telegram names the wait; everyone waits exactly that long. Not a failed attempt.
            log.warning("Telegram asked to wait %.0f s", outcome.retry_after)
            self._limiter.pause(outcome.retry_after)
            await self._budget.pause(outcome.retry_after)
            await self._store.retry_later(
                claimed.id,
                now + timedelta(seconds=outcome.retry_after),
                attempts=claimed.attempts,
                error=outcome.error,
            )
        elif outcome.kind is OutcomeKind.UNAUTHORIZED:
            log.error("Telegram refused the bot token; pausing delivery")
            self._limiter.pause(UNAUTHORIZED_PAUSE_SECONDS)
            await self._store.retry_later(
                claimed.id,
                now + timedelta(seconds=UNAUTHORIZED_PAUSE_SECONDS),
                attempts=claimed.attempts,
                error=outcome.error,
            )
        else:
            delay = self._retry.delay_after(attempts)
            if delay is None:
                await self._store.finish(
                    claimed.id, DeliveryStatus.FAILED, now, error=outcome.error, attempts=attempts
                )
            else:
                await self._store.retry_later(
                    claimed.id,
                    now + timedelta(seconds=delay),
                    attempts=attempts,
                    error=outcome.error,
                )

    async def _housekeeping(self, *, force: bool = False) -> None:
        """About once a second: the scheduler, finished jobs, status messages."""
        tick = self._clock.monotonic()
        if not force and tick - self._last_housekeeping < 1.0:
            return
        self._last_housekeeping = tick
        now = self._clock.now()
        await self._scheduler.run_pending(now)
        if not self._is_sqlite:
            await self._store.mark_interrupted(now, older_than=self._lease)
        for job in await self._store.complete_finished_jobs(now, self._queue_report):
            await self._show_final(job)
        if force or tick - self._last_status_edit >= 3.0:
            self._last_status_edit = tick
            await self._edit_status_messages()

    async def _edit_status_messages(self) -> None:
        SEND_KIND.set(SendKind.OUTBOX)
        for job in await self._store.watched_jobs():
            progress = await self._outbox.job_progress(job.id)
            shown = (progress.sent, progress.failed, progress.blocked)
            if self._shown.get(job.id) == shown:
                continue
            self._shown[job.id] = shown
            await self._budget.acquire(SendKind.OUTBOX)
            await self._sender.edit_text(
                job.chat_id, job.message_id, self._render(progress, job.language, False)
            )

    async def _queue_report(self, session: AsyncSession, job: FinishedJob) -> None:
        """The sender's report, queued in the transaction that marks the job done (so once).

        The status message they watched becomes the report (`_show_final`); as an edit does
        not notify, a short notice follows as a reply to it, not the report a second time.
        Without a status message the report itself is the new message.
        """
        if job.status_chat_id is None:
            return
        if job.status_message_id is not None:
            message = OutgoingMessage(
                chat_id=job.status_chat_id,
                text=self._notice(job.status_language),
                reply_to_message_id=job.status_message_id,
            )
        else:
            progress = await self._outbox.job_progress(job.id, session=session)
            message = OutgoingMessage(
                chat_id=job.status_chat_id,
                text=self._render(progress, job.status_language, True),
            )
        await self._outbox.enqueue_job(
            kind="delivery-report",
            reference=f"job:{job.id}",
            messages=[message],
            priority=PRIORITY_REPORT,
            session=session,
        )

    async def _show_final(self, job: FinishedJob) -> None:
        """Edit the watched status message into the final report (an edit: idempotent)."""
        self._shown.pop(job.id, None)
        if job.status_chat_id is None or job.status_message_id is None:
            return
        progress = await self._outbox.job_progress(job.id)
        await self._budget.acquire(SendKind.OUTBOX)
        await self._sender.edit_text(
            job.status_chat_id,
            job.status_message_id,
            self._render(progress, job.status_language, True),
        )
