"""The delivery worker as its own process (`hecbot worker`): a broadcast completes exactly once,
with two bot instances serving webhooks and two workers claiming the same outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.delivery import Outbox, OutgoingMessage
from bot.storage.db import Database
from tests import real_services
from tests.fakebotapi import FakeTelegram
from tests.production.cluster import (
    ClusterConfig,
    running_cluster,
    start_worker,
    stop_instances,
    wait_healthy,
)

# Not `slow`: issue 7's acceptance test for `hecbot worker`; it runs in `make test` (CI).
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(600)]

LEARNERS = [5_000_100_000 + n for n in range(40)]


@pytest.fixture
async def cluster_config(tmp_path: Path) -> AsyncIterator[ClusterConfig]:
    await real_services.require("redis")
    url = await real_services.create_postgres_database()
    prefix = real_services.new_redis_prefix()
    try:
        yield ClusterConfig(
            database_url=url,
            redis_url=real_services.REDIS_TEST_URL,
            redis_key_prefix=prefix,
            data_dir=tmp_path / "cluster",
        )
    finally:
        await real_services.drop_postgres_database(url)
        await real_services.delete_redis_keys(prefix)


async def test_a_broadcast_completes_once_with_two_workers_beside_two_bots(
    cluster_config: ClusterConfig,
):
    async with FakeTelegram(strict_chats=False) as fake, running_cluster(cluster_config, fake):
        workers = [start_worker(cluster_config, fake, f"worker{n}") for n in (1, 2)]
        try:
            for worker in workers:
                await wait_healthy(worker)
            database = Database(
                cluster_config.database_url.replace("postgresql://", "postgresql+asyncpg://")
            )
            try:
                outbox = Outbox(database)
                job = await outbox.enqueue_job(
                    kind="broadcast",
                    reference="webinar-e2e",
                    messages=[
                        OutgoingMessage(chat_id=chat, text="Webinar on Friday at 3 pm")
                        for chat in LEARNERS
                    ],
                )
                for _ in range(600):
                    progress = await outbox.job_progress(job)
                    if progress.sent + progress.failed + progress.blocked >= len(LEARNERS):
                        break
                    await asyncio.sleep(0.2)
            finally:
                await database.close()
            async with ClientSession() as http:
                scraped = [
                    await (await http.get(worker.base_url + "/metrics")).text()
                    for worker in workers
                ]
        finally:
            await stop_instances(workers)

    assert progress.sent == len(LEARNERS), progress
    for chat in LEARNERS:
        received = [m.text for m in fake.messages_to(chat) if m.from_bot]
        assert received == ["Webinar on Friday at 3 pm"], (chat, received)
    sent_by_worker = [
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("hecbot_delivery_sends_total{") and 'outcome="sent"' in line
        )
        for text in scraped
    ]
    assert sum(sent_by_worker) == len(LEARNERS), sent_by_worker
