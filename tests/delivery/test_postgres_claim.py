"""Claiming on a real PostgreSQL: two workers never take the same row (SKIP LOCKED)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from bot.config import Settings
from bot.delivery import Outbox, OutgoingMessage
from bot.delivery.store import DeliveryStore
from bot.delivery.worker import DeliveryWorker
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery
from tests import databases, real_services
from tests.delivery.fakes import FakeClock, ScriptedSender

pytestmark = pytest.mark.postgres


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A database of this test's own at the newest migration (a copy of the process's template,
    tests/databases.py: the tests' `migrate()` finds it at head instead of running every
    revision), dropped afterwards; skipped loudly without a server."""
    plain = await databases.postgres_at_head()
    try:
        yield plain.replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        await real_services.drop_postgres_database(plain)


async def test_a_row_locked_by_one_worker_is_skipped_by_another(postgres_url):
    database = Database(postgres_url)
    await database.migrate()
    other = Database(postgres_url)
    try:
        outbox = Outbox(database)
        job = await outbox.enqueue_job(
            kind="b", reference=None, messages=[OutgoingMessage(c, "x") for c in (1, 2, 3)]
        )
        now = datetime.now(UTC)
        async with other.engine.begin() as holder:
            # Worker A is in the middle of claiming the first row (it holds its lock).
            first = await holder.execute(
                select(Delivery.id).order_by(Delivery.id).limit(1).with_for_update()
            )
            locked_id = first.scalar_one()
            claimed = await asyncio.wait_for(
                DeliveryStore(database).claim(job, now, "worker-b", lambda _chat: 0.0), 10
            )
        assert claimed is not None
        assert claimed.id != locked_id
        assert claimed.message.chat_id == 2
    finally:
        await other.close()
        await database.close()


async def test_two_workers_share_a_job_without_sending_anything_twice(postgres_url):
    settings = Settings(DATABASE_URL=postgres_url, SEND_RATE_PER_SECOND=30)  # type: ignore[call-arg]
    first, second = Database(postgres_url), Database(postgres_url)
    await first.migrate()
    try:
        outbox = Outbox(first)
        job = await outbox.enqueue_job(
            kind="b", reference=None, messages=[OutgoingMessage(c, "x") for c in range(1, 201)]
        )
        senders = [ScriptedSender(), ScriptedSender()]
        workers = [
            DeliveryWorker(
                db,
                None,
                settings,
                sender=sender,
                clock=FakeClock(datetime.now(UTC)),
                worker_id=name,
            )
            for db, sender, name in zip((first, second), senders, ("a", "b"), strict=True)
        ]
        await asyncio.gather(*(worker.run_until_idle() for worker in workers))
        a, b = (set(sender.sent) for sender in senders)
        assert not a & b
        assert a | b == set(range(1, 201))
        assert all(count == 1 for sender in senders for count in sender.sent.values())
        assert a and b, "both workers should have taken part"
        progress = await outbox.job_progress(job)
        assert (progress.sent, progress.status) == (200, "done")
    finally:
        await first.close()
        await second.close()


async def test_paid_rows_are_claimed_in_batches_and_each_is_sent_once(postgres_url):
    database = Database(postgres_url)
    await database.migrate()
    try:
        outbox = Outbox(database)
        chats = list(range(1, 121))
        await outbox.enqueue_job(
            kind="broadcast",
            reference="urgent",
            messages=[OutgoingMessage(c, "urgent", paid=True) for c in chats],
        )
        store = DeliveryStore(database)
        now = datetime.now(UTC)
        first, second = await asyncio.gather(
            store.claim_batch(1, now, "a", lambda _: 0.0, limit=50),
            store.claim_batch(1, now, "b", lambda _: 0.0, limit=50),
        )
        assert len(first) == 50 and len(second) == 50
        assert not {c.id for c in first} & {c.id for c in second}  # SKIP LOCKED across batches
        assert all(c.message.paid for c in first + second)
        for claimed in first + second:  # give them back, as a stopping worker does
            await store.retry_later(claimed.id, now, attempts=0, error=None)

        sender = ScriptedSender()
        settings = Settings(DATABASE_URL=postgres_url)  # type: ignore[call-arg]
        clock = FakeClock(start=now)
        worker = DeliveryWorker(database, None, settings, sender=sender, clock=clock)
        await worker.run_until_idle()
        assert sorted(sender.sent) == chats and set(sender.sent.values()) == {1}
    finally:
        await database.close()


async def test_a_paid_broadcast_records_its_sends_in_batches_each_row_once(postgres_url):
    """Recording a send was one transaction a row, which capped a worker far below Telegram's
    1,000 paid messages a second; sends accepted together are now recorded together."""
    database = Database(postgres_url)
    await database.migrate()
    commits = 0

    def count_commit(_connection: object) -> None:
        nonlocal commits
        commits += 1

    try:
        outbox = Outbox(database)
        chats = list(range(1, 301))
        job = await outbox.enqueue_job(
            kind="broadcast",
            reference="urgent",
            messages=[OutgoingMessage(c, "urgent", paid=True) for c in chats],
        )
        sender = ScriptedSender()
        settings = Settings(DATABASE_URL=postgres_url)  # type: ignore[call-arg]
        worker = DeliveryWorker(database, None, settings, sender=sender)
        event.listen(database.engine.sync_engine, "commit", count_commit)
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        async with asyncio.timeout(60):
            while True:
                if (await outbox.job_progress(job)).is_finished:
                    break
                await asyncio.sleep(0.05)
        stop.set()
        await running
        event.remove(database.engine.sync_engine, "commit", count_commit)
        assert sorted(sender.sent) == chats and set(sender.sent.values()) == {1}
        async with database.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(Delivery.status, Delivery.telegram_message_id, Delivery.attempts)
                )
            ).all()
        assert {(status, attempts) for status, _, attempts in rows} == {("sent", 1)}
        assert len({message_id for _, message_id, _ in rows}) == len(chats)
        # 300 rows: 6 claims of 50, a few reads of due jobs and housekeeping, and the records.
        assert commits < len(chats) / 3, commits
    finally:
        await database.close()
