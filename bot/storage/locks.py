"""The per-learner lock across instances, on a short lease renewed while the update is handled.

aiogram's `RedisEventIsolation` takes a Redis lock with one fixed timeout: long enough for the
slowest update (60 s) means a killed instance's learners wait a minute in silence. Here the
lock lives `LEASE_SECONDS` and the process holding it renews it every third of that while
the handler runs; a crashed instance stops renewing and its learners wait seconds.

The renewals come from a thread of their own (`LeaseKeeper`), not from the event loop: a loop
that falls behind (a loaded host, a long synchronous call in a handler) used to miss them, the
lease lapsed while the update was still being handled, the learner's next update (or Telegram's
second copy of this one) could run beside it, and the release failed with `LockNotOwnedError`,
which reached the learner as an error reply after their answer. A lease that lapses anyway
(Redis away for longer than it) is logged at release, never raised: the update was handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncGenerator
from typing import cast

import redis as sync_redis
from aiogram.fsm.storage.base import KeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio import Redis
from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, LockNotOwnedError, RedisError

from bot.outages import OutageWatch

log = logging.getLogger(__name__)

LEASE_SECONDS = 8.0
# How long an update waits for a learner's lock (their previous update, or a dead instance's
# lease running out) before it is left for Telegram to deliver again.
WAIT_SECONDS = 25.0

# Extends a lock's lease only while it still holds this process's token (as redis-py's
# `Lock.reacquire` does), for every held lock in one round trip.
_RENEW_SCRIPT = """
local renewed = {}
for i, key in ipairs(KEYS) do
    if redis.call('get', key) == ARGV[i + 1] then
        redis.call('pexpire', key, ARGV[1])
        renewed[i] = 1
    else
        renewed[i] = 0
    end
end
return renewed
"""


def sync_client_like(client: Redis) -> sync_redis.Redis:
    """A blocking client to the same server and database as `client` (for the keeper's thread:
    an asyncio client belongs to its event loop)."""
    pool = client.connection_pool
    kwargs = pool.connection_kwargs
    db = int(kwargs.get("db") or 0)
    username = kwargs.get("username")
    password = kwargs.get("password")
    if issubclass(pool.connection_class, UnixDomainSocketConnection):
        return sync_redis.Redis(
            unix_socket_path=str(kwargs.get("path")),
            db=db,
            username=username,
            password=password,
            socket_timeout=2.0,
            socket_connect_timeout=2.0,
        )
    return sync_redis.Redis(
        host=str(kwargs.get("host") or "localhost"),
        port=int(kwargs.get("port") or 6379),
        db=db,
        username=username,
        password=password,
        ssl=issubclass(pool.connection_class, SSLConnection),
        socket_timeout=2.0,
        socket_connect_timeout=2.0,
    )


class LeaseKeeper:
    """Renews the leases of the locks this process holds, every third of a lease, from a daemon
    thread with its own Redis connection, so event-loop lag cannot let one lapse."""

    def __init__(self, client: sync_redis.Redis, lease_seconds: float) -> None:
        self._client = client
        self.lease_seconds = lease_seconds
        self._held: dict[str, bytes] = {}
        self._lost: set[str] = set()
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def hold(self, name: str, token: bytes) -> None:
        with self._guard:
            self._held[name] = token
            self._lost.discard(name)
            # The thread runs while locks are held and ends when none is (an idle instance,
            # or a test's many dispatchers, keeps no thread behind).
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="hecbot-lock-leases", daemon=True
                )
                self._thread.start()

    def drop(self, name: str) -> bool:
        """Stops renewing `name`; False if the keeper found its lease already gone."""
        with self._guard:
            self._held.pop(name, None)
            lost = name in self._lost
            self._lost.discard(name)
            return not lost

    def close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=self.lease_seconds)
        self._client.close()

    def _run(self) -> None:
        while not self._stop.wait(self.lease_seconds / 3):
            with self._guard:
                if not self._held:
                    self._thread = None
                    return
            self.renew_now()

    def renew_now(self) -> None:
        """One round of renewals (the thread calls it; tests may too)."""
        with self._guard:
            held = list(self._held.items())
        if not held:
            return
        names = [name for name, _ in held]
        try:
            renewed = cast(
                list[int],
                self._client.eval(
                    _RENEW_SCRIPT,
                    len(held),
                    *names,
                    int(self.lease_seconds * 1000),
                    *(token for _, token in held),
                ),
            )
        except (RedisError, OSError) as error:
            # Redis is away: the process's outage watch logs that once; the leases run out on
            # their own if it stays away, and the releases say so.
            if not self._failing:
                log.debug("could not renew the learners' locks: %s", error)
            self._failing = True
            return
        self._failing = False
        with self._guard:
            for (name, token), ok in zip(held, renewed, strict=True):
                # Only the token asked about: while Redis answered, the update may have
                # released this lock and the learner's next one taken it anew (a new token,
                # renewed next round); dropping that one would let its lease lapse mid-update.
                if not ok and self._held.get(name) == token:
                    self._lost.add(name)
                    del self._held[name]


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
        self.wait_seconds = wait_seconds
        self.keeper = LeaseKeeper(sync_client_like(redis), lease_seconds)
        # Told when Redis answers or not: a Redis outage is one line in the log, not one a lock.
        self.outage_watch = outage_watch

    @property
    def lease_seconds(self) -> float:
        return self.keeper.lease_seconds

    @lease_seconds.setter
    def lease_seconds(self, seconds: float) -> None:
        self.keeper.lease_seconds = seconds

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
        name = str(lock.name)
        token = getattr(lock.local, "token", None)
        assert isinstance(token, bytes), "redis-py keeps the lock's token as bytes"
        self.keeper.hold(name, token)
        started = time.monotonic()
        try:
            yield None
        finally:
            kept = self.keeper.drop(name)
            await self._release(lock, kept, time.monotonic() - started)

    async def _release(self, lock: Lock, kept: bool, held_seconds: float) -> None:
        # Never raises: the update has been handled (or failed on its own), and an error here
        # would reach the learner as an error reply after their answer, or make Telegram
        # deliver a handled update again.
        try:
            await lock.release()
        except LockNotOwnedError:
            log.warning(
                "a learner's lock lapsed while their update was handled (%.1f s, lease %.0f s%s)",
                held_seconds,
                self.lease_seconds,
                "" if kept else ", not renewed in time",
            )
        except (RedisError, OSError) as error:
            # Redis is away: the lease runs out on its own.
            if self.outage_watch is not None:
                self.outage_watch.failed(error)
            else:
                log.warning("could not release a learner's lock: %s", error)

    async def close(self) -> None:
        # The keeper's last renewal may be waiting on an unreachable Redis (2 s at most).
        await asyncio.to_thread(self.keeper.close)
        await super().close()
