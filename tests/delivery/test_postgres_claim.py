"""Claiming on a real PostgreSQL: two workers never take the same row (SKIP LOCKED)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.delivery import Outbox, OutgoingMessage
from bot.delivery.store import DeliveryStore
from bot.delivery.worker import DeliveryWorker
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery
from tests import real_services
from tests.delivery.fakes import FakeClock, ScriptedSender

pytestmark = pytest.mark.postgres

ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh database for this test, dropped afterwards; skipped loudly without a server."""
    async with real_services.postgres_database() as url:
        yield url


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
