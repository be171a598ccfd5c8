"""The delivery worker on SQLite with a scripted sender and a fake clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.config import Settings
from bot.delivery import PRIORITY_REMINDER, Outbox, OutgoingMessage, Scheduler
from bot.delivery.telegram import OutcomeKind, SendOutcome
from bot.delivery.worker import DeliveryWorker
from bot.services.users import UserService
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery, DeliveryStatus
from bot.storage.types import utcnow
from tests.delivery.fakes import FakeClock, ScriptedSender


def messages(chats: range | list[int], text: str = "Webinar on Friday") -> list[OutgoingMessage]:
    return [OutgoingMessage(chat_id=chat, text=f"{text} #{chat}") for chat in chats]


def make_worker(database: Database, settings: Settings, sender: ScriptedSender, **kwargs):
    clock = kwargs.pop("clock", None) or FakeClock(datetime.now(UTC))
    worker = DeliveryWorker(database, None, settings, sender=sender, clock=clock, **kwargs)
    return worker, clock


async def statuses(database: Database, job_id: int) -> dict[int, str]:
    async with database.session() as session:
        rows = await session.exec(
            select(Delivery.chat_id, Delivery.status).where(Delivery.job_id == job_id)
        )
        return {int(chat): str(status) for chat, status in rows}


async def test_every_recipient_gets_the_message_exactly_once(database, settings):
    outbox = Outbox(database)
    job = await outbox.enqueue_job(
        kind="broadcast", reference="b:1", messages=messages(range(1, 61))
    )
    sender = ScriptedSender()
    worker, _ = make_worker(database, settings, sender)
    await worker.run_until_idle()
    assert sender.sent == {chat: 1 for chat in range(1, 61)}
    progress = await outbox.job_progress(job)
    assert (progress.total, progress.sent, progress.pending, progress.status) == (60, 60, 0, "done")
    assert progress.eta_seconds == 0


async def test_blocked_users_are_marked_and_missing_chats_fail(database, settings):
    users = UserService(database)
    await users.get_or_create(2)
    sender = ScriptedSender(
        script={
            2: [SendOutcome(OutcomeKind.BLOCKED, error="Forbidden: bot was blocked by the user")],
            3: [SendOutcome(OutcomeKind.FAILED, error="Bad Request: chat not found")],
        }
    )
    outbox = Outbox(database)
    job = await outbox.enqueue_job(kind="broadcast", reference=None, messages=messages([1, 2, 3]))
    worker, _ = make_worker(database, settings, sender, users=users)
    await worker.run_until_idle()
    assert await statuses(database, job) == {1: "sent", 2: "blocked", 3: "failed"}
    profile_is_blocked = await _is_blocked(database, 2)
    assert profile_is_blocked
    progress = await outbox.job_progress(job)
    assert (progress.sent, progress.blocked, progress.failed) == (1, 1, 1)


async def _is_blocked(database: Database, user_id: int) -> bool:
    from bot.storage.models import User

    async with database.session() as session:
        user = await session.get(User, user_id)
        return bool(user and user.is_blocked)


async def test_network_errors_are_retried_with_backoff_then_given_up(database, settings):
    transient = SendOutcome(OutcomeKind.TRANSIENT, error="Request timeout error")
    sender = ScriptedSender(script={1: [transient, transient], 2: [transient] * 10})
    worker, clock = make_worker(database, settings, sender)
    job = await Outbox(database).enqueue_job(kind="t", reference=None, messages=messages([1, 2]))
    await worker.run_until_idle()
    assert await statuses(database, job) == {1: "sent", 2: "failed"}
    assert sender.attempts[1] == 3
    assert sender.attempts[2] == settings.delivery.max_attempts
    # The waits between tries grow: 2 s, 4 s, 8 s... (the fake clock jumped through them).
    assert clock.elapsed >= 2 + 4 + 8 + 16


async def test_retry_after_pauses_everyone_for_exactly_that_long(database, settings):
    sender = ScriptedSender(
        script={1: [SendOutcome(OutcomeKind.RETRY_AFTER, retry_after=7, error="429")]}
    )
    worker, clock = make_worker(database, settings, sender)
    job = await Outbox(database).enqueue_job(kind="t", reference=None, messages=messages([1, 2]))
    await worker.run_until_idle()
    assert sender.sent == {1: 1, 2: 1}
    assert 7 in [round(s, 6) for s in clock.sleeps]
    async with database.session() as session:
        row = (
            await session.exec(
                select(Delivery).where(Delivery.job_id == job, Delivery.chat_id == 1)
            )
        ).one()
    assert row.attempts == 1  # a 429 is not a failed attempt


async def test_rows_left_sending_by_a_dead_worker_are_not_resent(database, settings):
    outbox = Outbox(database)
    job = await outbox.enqueue_job(kind="t", reference=None, messages=messages([1, 2, 3]))
    async with database.session() as session:
        await session.exec(
            update(Delivery)
            .where(Delivery.job_id == job, Delivery.chat_id == 2)
            # Claimed by a worker that died long ago: older than any lease, so PostgreSQL's
            # several-worker rule (only stale claims are interrupted) applies too.
            .values(status=DeliveryStatus.SENDING.value, claimed_at=utcnow() - timedelta(hours=1))
        )
    sender = ScriptedSender()
    worker, _ = make_worker(database, settings, sender)
    await worker.run_until_idle()
    assert sender.sent == {1: 1, 3: 1}
    assert worker.uncertain_at_start == 1
    progress = await outbox.job_progress(job)
    assert (progress.sent, progress.uncertain, progress.status) == (2, 1, "done")


async def test_higher_priority_goes_first_and_equal_jobs_share_the_rate(database, settings):
    outbox = Outbox(database)
    big = await outbox.enqueue_job(
        kind="broadcast", reference=None, messages=messages(range(100, 120))
    )
    small = await outbox.enqueue_job(
        kind="broadcast", reference=None, messages=messages(range(200, 205))
    )
    urgent = await outbox.enqueue_job(
        kind="reminder", reference=None, messages=messages([300, 301]), priority=PRIORITY_REMINDER
    )
    order: list[int] = []
    sender = ScriptedSender(on_send=lambda message: order.append(message.chat_id))
    worker, _ = make_worker(database, settings, sender)
    await worker.run_until_idle()
    assert set(order[:2]) == {300, 301}
    # Round robin: the small broadcast, enqueued after the big one, finishes within its first
    # ten sends instead of waiting for all twenty.
    small_positions = [order.index(chat) for chat in range(200, 205)]
    assert max(small_positions) < 2 + 10
    for job in (big, small, urgent):
        assert (await outbox.job_progress(job)).status == "done"


async def test_cancelled_rows_are_never_sent(database, settings):
    outbox = Outbox(database)
    job = await outbox.enqueue_job(kind="broadcast", reference=None, messages=messages([1, 2]))
    assert await outbox.cancel_job(job)
    assert not await outbox.cancel_job(job)
    sender = ScriptedSender()
    worker, _ = make_worker(database, settings, sender)
    await worker.run_until_idle()
    assert sender.sent == {}
    progress = await outbox.job_progress(job)
    assert (progress.cancelled, progress.status) == (2, "cancelled")


async def test_a_job_waits_for_not_before(database, settings):
    clock = FakeClock(datetime.now(UTC))
    outbox = Outbox(database)
    later = clock.now() + timedelta(hours=2)
    job = await outbox.enqueue_job(
        kind="b", reference=None, messages=messages([1]), not_before=later
    )
    sender = ScriptedSender()
    worker, _ = make_worker(database, settings, sender, clock=clock)
    await worker.run_until_idle()
    assert sender.sent == {}
    clock.advance(2 * 3600 + 1)
    await worker.run_until_idle()
    assert sender.sent == {1: 1}
    assert (await outbox.job_progress(job)).status == "done"


async def test_the_sender_sees_progress_and_a_final_report(database, settings):
    outbox = Outbox(database)
    job = await outbox.enqueue_job(
        kind="broadcast",
        reference=None,
        messages=messages(range(1, 11)),
        created_by=99,
    )
    await outbox.watch_job(job, chat_id=99, message_id=5, language="en")
    sender = ScriptedSender(script={4: [SendOutcome(OutcomeKind.BLOCKED, error="blocked")]})
    worker, _ = make_worker(database, settings, sender)
    await worker.run_until_idle()
    final_edit = [text for chat, message_id, text in sender.edits if (chat, message_id) == (99, 5)][
        -1
    ]
    assert "9 of 10" in final_edit
    assert "Blocked the bot: 1" in final_edit
    # Edits do not notify: a short notice follows through the outbox, not the report again.
    assert sender.sent[99] == 1
    assert "report is in the message above" in sender.texts[99][0]
    assert "9 of 10" not in sender.texts[99][0]
    reports = await outbox.jobs("delivery-report")
    assert [job_summary.reference for job_summary in reports] == [f"job:{job}"]


async def watched_job(outbox: Outbox) -> int:
    job = await outbox.enqueue_job(
        kind="broadcast", reference=None, messages=messages(range(1, 6)), created_by=99
    )
    await outbox.watch_job(job, chat_id=99, message_id=5, language="en")
    return job


async def test_two_workers_finishing_one_job_report_it_once(database, settings):
    outbox = Outbox(database)
    job = await watched_job(outbox)
    sender = ScriptedSender()
    first, clock = make_worker(database, settings, sender, worker_id="a")
    second, _ = make_worker(database, settings, sender, clock=clock, worker_id="b")
    await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    # Both see the job finished; each runs its housekeeping again, as after a restart.
    await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    assert sender.sent[99] == 1
    assert [summary.reference for summary in await outbox.jobs("delivery-report")] == [f"job:{job}"]


async def test_a_report_lost_between_done_and_queued_is_not_possible(
    database, settings, monkeypatch
):
    """A worker that fails after finishing a job (crash, outage) leaves it to be reported once."""
    outbox = Outbox(database)
    job = await watched_job(outbox)
    sender = ScriptedSender()
    first, clock = make_worker(database, settings, sender, worker_id="a")
    failing = {"left": 1}
    enqueue = Outbox.enqueue_job

    async def enqueue_or_fail(self, **kwargs):
        if kwargs.get("kind") == "delivery-report" and failing["left"]:
            failing["left"] -= 1
            raise RuntimeError("the worker died here")
        return await enqueue(self, **kwargs)

    monkeypatch.setattr(Outbox, "enqueue_job", enqueue_or_fail)
    with pytest.raises(RuntimeError, match="died here"):
        await first.run_until_idle()
    second, _ = make_worker(database, settings, sender, clock=clock, worker_id="b")
    await second.run_until_idle()
    await first.run_until_idle()
    assert sender.sent[99] == 1
    assert (await outbox.job_progress(job)).status == "done"
    assert len(await outbox.jobs("delivery-report")) == 1


async def test_the_worker_runs_scheduled_callables(database, settings):
    calls: list[datetime] = []

    async def run_due(now: datetime) -> int:
        calls.append(now)
        return 0

    scheduler = Scheduler()
    scheduler.register("probe", run_due, every_seconds=60)
    worker, clock = make_worker(database, settings, ScriptedSender(), scheduler=scheduler)
    await worker.run_until_idle()
    await worker.run_until_idle()
    assert len(calls) == 1  # not again within its interval
    clock.advance(61)
    await worker.run_until_idle()
    assert len(calls) == 2
    with pytest.raises(ValueError):
        scheduler.register("probe", run_due, every_seconds=60)
