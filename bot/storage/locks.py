"""The per-learner lock across instances, on a short lease renewed while the update is handled.

aiogram's `RedisEventIsolation` takes a Redis lock with one fixed timeout: long enough for the
slowest update (60 s) means a killed instance's learners wait a minute in silence. Here the
lock lives `LEASE_SECONDS` and the instance holding it renews it every third of that while
the handler runs; a crashed instance stops renewing and its learners wait seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator

from aiogram.fsm.storage.base import KeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from bot.outages import OutageWatch

log = logging.getLogger(__name__)

LEASE_SECONDS = 8.0
# How long an update waits for a learner's lock (their previous update, or a dead instance's
# lease running out) before it is left for Telegram to deliver again.
WAIT_SECONDS = 25.0


class LeasedEventIsolation(RedisEventIsolation):
    def __init__(
        self,
        redis: Redis,
        key_builder: KeyBuilder | None = None,
        *,
        lease_seconds: float = LEASE_SECONDS,
        wait_seconds: float = WAIT_SECONDS,
        outage_watch: OutageWatch | None = None,
    ) -> None:
        super().__init__(redis, key_builder, lock_kwargs={})
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds
        # Told when Redis answers or not: a Redis outage is one line in the log, not one a lock.
        self.outage_watch = outage_watch

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock = Lock(
            self.redis,
            self.key_builder.build(key, "lock"),
            timeout=self.lease_seconds,
            sleep=0.02,
            blocking_timeout=self.wait_seconds,
        )
        try:
            acquired = await lock.acquire()
        except (RedisError, OSError) as error:
            if not isinstance(error, LockError) and self.outage_watch is not None:
                self.outage_watch.failed(error)
            raise
        if self.outage_watch is not None:
            self.outage_watch.succeeded()
        if not acquired:
            raise LockError("the learner's previous update still holds the lock")
        renewal = asyncio.create_task(self._renew(lock))
        try:
            yield None
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            await lock.release()

    async def _renew(self, lock: Lock) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await lock.reacquire()
            except (RedisError, OSError) as error:
                # Redis is away: the release will fail too and the update is answered anyway;
                # the lease then runs out on its own.
                if self.outage_watch is None or isinstance(error, LockError):
                    log.warning("could not renew a learner's lock: %s", error)
                else:
                    self.outage_watch.failed(error)
                    log.debug("could not renew a learner's lock: %s", error)
