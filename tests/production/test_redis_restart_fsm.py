"""Issue 14's fault: Redis restarted without persistence mid-onboarding, against a real Redis.

The test starts a Redis server of its own (no RDB, no AOF: the shared one on 6379 is never
restarted), takes a learner halfway through onboarding with the state in it, restarts it empty,
and presses the button the learner still sees. Before, the press did nothing; now the learner is
told the step expired and starts again, and the bot carries on with the restarted Redis (the
per-learner lock and the FSM state included).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.config import Settings
from tests.e2e.people.conftest import (
    FaqAnswerer,
    assert_a_lost_step_starts_onboarding_again,
    running_bot,
)
from tests.production.tcp_proxy import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

LEARNER = 1101


class OwnRedis:
    """A redis-server of this test's own, without persistence, that it may restart."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        options = {"port": str(self.port), "bind": "127.0.0.1", "save": "", "appendonly": "no"}
        arguments = [part for name, value in options.items() for part in (f"--{name}", value)]
        self.process = subprocess.Popen(
            [binary, *arguments, "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # as a crash or a restart without saving: nothing kept
            self.process.wait(timeout=30)
            self.process = None

    async def wait_ready(self) -> None:
        client = Redis.from_url(self.url)
        try:
            for _ in range(200):
                try:
                    if await client.ping():
                        return
                except OSError:
                    pass
                except Exception:  # redis' own ConnectionError while it starts
                    pass
                await asyncio.sleep(0.05)
            raise AssertionError("the test's redis-server did not start")
        finally:
            await client.aclose()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def ready_redis(own_redis: OwnRedis) -> AsyncIterator[OwnRedis]:
    await own_redis.wait_ready()
    yield own_redis


async def test_a_button_pressed_after_redis_lost_the_step_says_so_and_starts_again(
    settings: Settings, ready_redis: OwnRedis
) -> None:
    def storage() -> RedisStorage:
        return RedisStorage.from_url(
            ready_redis.url,
            connection_kwargs={"health_check_interval": 30, "retry_on_timeout": True},
            key_builder=DefaultKeyBuilder(prefix="fault", with_destiny=True),
        )

    async def restart_without_persistence() -> None:  # the step is gone
        ready_redis.stop()
        ready_redis.start()
        await ready_redis.wait_ready()

    async with running_bot(settings, FaqAnswerer(), storage) as people:
        await assert_a_lost_step_starts_onboarding_again(
            people, LEARNER, restart_without_persistence
        )
