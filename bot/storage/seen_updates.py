"""Update ids already handled, so an update Telegram delivers again is not answered twice.

Telegram delivers an update again when the webhook did not answer 200 in time (an instance was
killed, the proxy timed out) although the update may have been handled. With Redis (several
instances) the ids live there for a day, Telegram's own retention of undelivered updates; in one
process a bounded set in memory is enough.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis

from bot.storage.locks import DeferredSet, set_at_release

SEEN_FOR_SECONDS = 24 * 3600


class SeenUpdates(Protocol):
    async def seen(self, bot_id: int, update_id: int) -> bool: ...

    async def remember(self, bot_id: int, update_id: int) -> None: ...


class MemorySeenUpdates:
    def __init__(self, max_ids: int = 100_000) -> None:
        self._ids: OrderedDict[tuple[int, int], None] = OrderedDict()
        self._max = max_ids

    async def seen(self, bot_id: int, update_id: int) -> bool:
        return (bot_id, update_id) in self._ids

    async def remember(self, bot_id: int, update_id: int) -> None:
        self._ids[bot_id, update_id] = None
        while len(self._ids) > self._max:
            self._ids.popitem(last=False)


class RedisSeenUpdates:
    """`key_prefix` is the FSM storage's own, so ids live beside the state they protect."""

    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{key_prefix}:update-done"

    async def seen(self, bot_id: int, update_id: int) -> bool:
        return bool(await self._redis.exists(f"{self._prefix}:{bot_id}:{update_id}"))

    async def remember(self, bot_id: int, update_id: int) -> None:
        key = f"{self._prefix}:{bot_id}:{update_id}"
        # Inside the learner's lock (bot.storage.locks) the mark goes with the lock's release,
        # in its round trip and before it, so a redelivered copy waiting on the lock finds it.
        if set_at_release(DeferredSet(self._redis, key, 1, SEEN_FOR_SECONDS)):
            return
        await self._redis.set(key, 1, ex=SEEN_FOR_SECONDS)
