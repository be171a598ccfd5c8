"""Faults are weather: `hecbot worker` rides out a PostgreSQL restart, a Redis restart and its
connections being terminated, mid-broadcast, without a duplicate or a lost row beyond those in
flight. The restarts are the TcpProxy between the worker and the real servers being cut and
restored (never the servers themselves, which other tests share)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest
from aiohttp import ClientSession

from bot.delivery import Outbox, OutgoingMessage
from bot.delivery.messages import JobProgress
from bot.errors import ServiceUnavailableError
from bot.storage.db import Database, is_outage_error
from tests import real_services
from tests.fakebotapi import FakeTelegram, RateLimit
from tests.production.cluster import ClusterConfig, start_worker, stop_instance, wait_healthy
from tests.production.tcp_proxy import TcpProxy

LEARNERS = [5_000_200_000 + n for n in range(400)]


class ShuttingDownError(Exception):
    sqlstate = "57P03"


def test_the_database_shutting_down_and_a_closed_connection_are_outages():
    # asyncpg's "the database system is shutting down" reaches SQLAlchemy as a plain DBAPIError.
    assert is_outage_error(ShuttingDownError("the database system is shutting down"))
    assert is_outage_error(RuntimeError("connection is closed"))
    wrapped = RuntimeError("wrapper")
    wrapped.__cause__ = ShuttingDownError("shutting down")
    assert is_outage_error(wrapped)
    assert not is_outage_error(ValueError('duplicate key value violates unique constraint "x"'))


@pytest.fixture
async def services_behind_proxies(tmp_path: Path) -> AsyncIterator[tuple]:
    await real_services.require("redis")
    url = await real_services.create_postgres_database()
    prefix = real_services.new_redis_prefix()
    postgres, redis = TcpProxy("127.0.0.1", 5432), TcpProxy("127.0.0.1", 6379)
    try:
        async with postgres, redis:
            config = ClusterConfig(
                database_url=url.replace("127.0.0.1:5432", f"127.0.0.1:{postgres.port}"),
                redis_url=real_services.REDIS_TEST_URL.replace(
                    "127.0.0.1:6379", f"127.0.0.1:{redis.port}"
                ),
                redis_key_prefix=prefix,
                data_dir=tmp_path / "faults",
            )
            yield config, url, postgres, redis
    finally:
        await real_services.drop_postgres_database(url)
        await real_services.delete_redis_keys(prefix)


async def terminate_connections(url: str) -> int:
    """What a restart does to the sessions of one database: `pg_terminate_backend` (57P01)."""
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(real_services.POSTGRES_ADMIN_URL)
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await admin.close()
    return len(rows)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(900)
async def test_the_worker_survives_postgres_and_redis_restarts_mid_broadcast(
    services_behind_proxies: tuple,
):
    config, direct_url, postgres, redis = services_behind_proxies
    async with FakeTelegram(strict_chats=False, rate_limit=RateLimit(per_chat_limit=5)) as fake:
        worker = start_worker(config, fake, "worker")
        database = Database(direct_url.replace("postgresql://", "postgresql+asyncpg://"))
        try:
            await wait_healthy(worker)
            outbox = Outbox(database)
            job = await outbox.enqueue_job(
                kind="broadcast",
                reference="faults",
                messages=[OutgoingMessage(chat_id=c, text="Exam dates moved") for c in LEARNERS],
            )

            async def until(done: Callable[[JobProgress], bool]) -> JobProgress:
                progress = None
                for _ in range(3000):
                    # The test's own connections are terminated too: asked again.
                    with contextlib.suppress(ServiceUnavailableError):
                        progress = await outbox.job_progress(job)
                    if progress is not None and done(progress):
                        return progress
                    await asyncio.sleep(0.1)
                raise AssertionError(f"stuck: {progress}\n{worker.log_text()[-3000:]}")

            async with ClientSession() as http:
                await until(lambda p: p.sent >= 60)
                await postgres.stop()  # PostgreSQL restarts
                await asyncio.sleep(3)
                during = await http.get(worker.base_url + "/healthz")
                assert during.status == 503  # a load balancer and an alert see it
                await postgres.start()
                await until(lambda p: p.sent >= 150)
                await terminate_connections(direct_url)  # every session killed by the server
                await until(lambda p: p.sent >= 220)
                await redis.stop()  # Redis restarts: the budget paces in-process meanwhile
                await asyncio.sleep(3)
                await redis.start()
                final = await until(lambda p: p.is_finished)
                after = await http.get(worker.base_url + "/healthz")
                assert after.status == 200
            assert worker.process.poll() is None, worker.log_text()[-3000:]
        finally:
            await database.close()
            await stop_instance(worker)

    counts = [sum(1 for m in fake.messages_to(chat) if m.from_bot) for chat in LEARNERS]
    assert max(counts) == 1  # no duplicate
    # Nothing lost beyond the rows in flight when a connection was cut (marked uncertain).
    assert final.sent + final.uncertain == len(LEARNERS), final
    assert final.uncertain <= 30, final
    assert final.sent == sum(counts)
    log = worker.log_text()
    assert "waiting for it to come back" in log
    assert "Traceback" not in log or "could not record" not in log
