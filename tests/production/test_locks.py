"""The per-learner lock on a short lease: a dead instance's lock frees in seconds; a live one
keeps its lock however long the update takes."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from bot.storage.locks import LeasedEventIsolation
from tests import real_services

pytestmark = pytest.mark.redis

KEY = StorageKey(bot_id=1, chat_id=7001, user_id=7001)


@pytest.fixture
async def redis() -> Redis:
    await real_services.require("redis")
    prefix = real_services.new_redis_prefix()
    client = Redis.from_url(real_services.REDIS_TEST_URL)
    client.test_prefix = prefix  # type: ignore[attr-defined]
    yield client
    await client.aclose()
    await real_services.delete_redis_keys(prefix)


def isolation(redis: Redis, **kwargs: float) -> LeasedEventIsolation:
    builder = DefaultKeyBuilder(prefix=redis.test_prefix, with_destiny=True)  # type: ignore[attr-defined]
    return LeasedEventIsolation(redis, builder, **kwargs)


async def test_a_crashed_instances_lock_frees_when_its_short_lease_runs_out(redis: Redis):
    dead = isolation(redis, lease_seconds=1.0)
    # What a killed instance leaves: the lock taken, never released, never renewed.
    orphan = Lock(redis, dead.key_builder.build(KEY, "lock"), timeout=dead.lease_seconds)
    assert await orphan.acquire()
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with isolation(redis, wait_seconds=30).lock(KEY):
        waited = loop.time() - started
    assert waited < 30  # freed by the lease, not by the wait running out


async def test_a_live_instance_keeps_the_lock_past_the_lease_while_it_works(redis: Redis):
    holder = isolation(redis, lease_seconds=1.5)
    async with holder.lock(KEY):
        await asyncio.sleep(4)  # longer than the lease: renewed meanwhile
        with pytest.raises(LockError):
            async with isolation(redis, wait_seconds=0.3).lock(KEY):
                pass
    async with isolation(redis, wait_seconds=0.3).lock(KEY):  # released at the end
        pass


async def test_a_lease_lost_meanwhile_is_one_warning_at_release_not_an_error(
    redis: Redis, caplog: pytest.LogCaptureFixture
):
    # The update was handled: an error from the release would reach the learner as an error
    # reply after their answer (or make Telegram deliver the update again).
    holder = isolation(redis, lease_seconds=5.0)
    async with holder.lock(KEY):
        await redis.delete(holder.key_builder.build(KEY, "lock"))  # as if the lease had lapsed
    lapsed = [r for r in caplog.records if "lapsed" in r.getMessage()]
    assert len(lapsed) == 1 and lapsed[0].levelname == "WARNING"
    await holder.close()


async def test_an_updates_handled_mark_goes_with_the_locks_release_in_one_round_trip(
    redis: Redis,
):
    """Marking an update handled and releasing the learner's lock were two round trips: the mark
    now rides in the release's pipeline, written before the lock goes, so a redelivered copy
    waiting on the lock still finds it. Outside a lock it is written at once, as before."""
    from bot.storage.seen_updates import SEEN_FOR_SECONDS, RedisSeenUpdates

    seen = RedisSeenUpdates(redis, redis.test_prefix)  # type: ignore[attr-defined]
    holder = isolation(redis)
    lock_key = holder.key_builder.build(KEY, "lock")
    sent: list[int] = []
    execute = redis.pipeline(transaction=False).__class__.execute

    async def counting_execute(self, raise_on_error: bool = True):  # type: ignore[no-untyped-def]
        sent.append(len(self.command_stack))
        return await execute(self, raise_on_error=raise_on_error)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(redis.pipeline(transaction=False).__class__, "execute", counting_execute)
        async with holder.lock(KEY):
            await seen.remember(1, 501)
            assert not await seen.seen(1, 501)  # not yet: it goes with the release
        assert sent == [2]  # the mark and the release, one round trip
    assert await seen.seen(1, 501) and not await redis.exists(lock_key)
    ttl = await redis.ttl(f"{redis.test_prefix}:update-done:1:501")  # type: ignore[attr-defined]
    assert SEEN_FOR_SECONDS - 5 < ttl <= SEEN_FOR_SECONDS

    await seen.remember(1, 502)  # no lock held: at once
    assert await seen.seen(1, 502)
