"""One Telegram send budget per bot token, shared by every process that sends with it.

Telegram counts about 30 messages a second per bot, whichever process sends them. The budget is
a token bucket (`rate` tokens a second, at most `burst` banked; `rate + burst` never exceeds what
Telegram allows in any one second) with two kinds of taker:

- **replies** (a learner's answer) take a token whenever one is there;
- **the outbox** (broadcasts, invitations) takes one only when it leaves a token banked for the
  next reply (`REPLY_RESERVE`): it uses what replies leave. A separate `floor` bucket (`floor`
  tokens a second) lets it send anyway, so a broadcast always progresses while learners chat.
  Floor sends are debited from the main bucket too (it may go negative): the total never
  exceeds `rate` for long.

A 429 from Telegram pauses every taker for its `retry_after` (`pause`). Paid broadcasts
(`allow_paid_broadcast`, up to 1,000 a second) draw from their own bucket, apart from the free
budget, and respect the pause too.

With `REDIS_URL` the state is one Redis hash per bot token, updated by a Lua script on Redis's
clock, so any number of bot instances and workers share it without dividing the rate by hand.
Without Redis (one process) the same arithmetic runs in memory. When Redis is unreachable the
budget falls back to the in-memory one and returns to Redis when it answers again: sending goes
on; a 429 it may cause is waited out like any other. The outage is logged once, by the
process's Redis `OutageWatch` (bot.outages), which the FSM storage and the locks report to too.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.config import Settings
from bot.delivery.clock import Clock, SystemClock
from bot.outages import OutageWatch

log = logging.getLogger(__name__)


# Tokens the outbox leaves in the bucket for the next reply. The burst must exceed it by one at
# least, or the outbox would only send when the bucket is full and waste every refill that
# arrives while it is.
REPLY_RESERVE = 1.0


class SendKind(StrEnum):
    REPLY = "reply"
    OUTBOX = "outbox"
    PAID = "paid"


@dataclass(frozen=True)
class BudgetRates:
    """Tokens a second and burst of the free budget, the outbox floor and the paid rate."""

    rate: float = 27.0
    burst: float = 3.0
    floor: float = 3.0
    paid_rate: float = 1000.0

    @classmethod
    def from_settings(cls, settings: Settings) -> BudgetRates:
        return cls(
            rate=settings.delivery.send_rate_per_second,
            burst=settings.delivery.send_burst,
            floor=settings.delivery.outbox_floor_per_second,
            paid_rate=settings.delivery.paid_send_rate_per_second,
        )

    @property
    def paid_burst(self) -> float:
        return max(1.0, self.paid_rate / 50)


class SendBudget(Protocol):
    """What a sender needs: wait for a token of its kind; tell everyone to pause after a 429."""

    async def acquire(self, kind: SendKind) -> None: ...

    async def pause(self, seconds: float) -> None: ...

    @property
    def degraded(self) -> str | None:
        """Why the budget is not shared right now (Redis unreachable), else None."""
        ...


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    paused_until: float = 0.0
    floor: float = 1.0


def _take(
    bucket: _Bucket, now: float, kind: SendKind, *, rate: float, burst: float, floor_rate: float
) -> float:
    """Take one token of `kind` from `bucket` (0.0) or say how long to wait (seconds).

    The same arithmetic as `_TAKE_SCRIPT` below, which runs it inside Redis.
    """
    elapsed = max(0.0, now - bucket.stamp)
    bucket.stamp = now
    bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
    if floor_rate > 0:
        bucket.floor = min(1.0, bucket.floor + elapsed * floor_rate)
    if bucket.paused_until > now:
        return bucket.paused_until - now
    need = 1.0 + REPLY_RESERVE if kind is SendKind.OUTBOX else 1.0
    if bucket.tokens >= need:
        bucket.tokens -= 1.0
        return 0.0
    if kind is SendKind.OUTBOX and floor_rate > 0 and bucket.floor >= 1.0:
        bucket.floor -= 1.0
        bucket.tokens -= 1.0
        return 0.0
    wait = (need - bucket.tokens) / rate
    if kind is SendKind.OUTBOX and floor_rate > 0:
        wait = min(wait, (1.0 - bucket.floor) / floor_rate)
    return max(wait, 0.001)


class LocalSendBudget:
    """The budget in this process's memory: one process (SQLite, or tests), or Redis's fallback."""

    def __init__(self, rates: BudgetRates | None = None, clock: Clock | None = None) -> None:
        self.rates = rates or BudgetRates()
        self._clock = clock or SystemClock()
        now = self._clock.monotonic()
        self._free = _Bucket(tokens=self.rates.burst, stamp=now)
        self._paid = _Bucket(tokens=self.rates.paid_burst, stamp=now)

    @property
    def degraded(self) -> str | None:
        return None

    def try_take(self, kind: SendKind) -> float:
        now = self._clock.monotonic()
        if kind is SendKind.PAID:
            if self._free.paused_until > now:
                return self._free.paused_until - now
            return _take(
                self._paid,
                now,
                SendKind.REPLY,
                rate=self.rates.paid_rate,
                burst=self.rates.paid_burst,
                floor_rate=0.0,
            )
        return _take(
            self._free,
            now,
            kind,
            rate=self.rates.rate,
            burst=self.rates.burst,
            floor_rate=self.rates.floor,
        )

    async def acquire(self, kind: SendKind) -> None:
        while (wait := self.try_take(kind)) > 0:
            await self._clock.sleep(wait)

    async def pause(self, seconds: float) -> None:
        until = self._clock.monotonic() + seconds
        self._free.paused_until = max(self._free.paused_until, until)


# KEYS[1]: the bucket taken from; KEYS[2]: the free bucket, which holds the pause.
# ARGV: rate, burst, floor rate, kind (reply|outbox|pause), pause seconds, key TTL (ms), reserve.
# Returns the seconds to wait as a string (Lua numbers become integers in replies).
_TAKE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local floor_rate = tonumber(ARGV[3])
local kind = ARGV[4]
local ttl = tonumber(ARGV[6])
if kind == 'pause' then
  local until_at = now + tonumber(ARGV[5])
  local paused = tonumber(redis.call('HGET', KEYS[2], 'paused') or '0')
  if until_at > paused then redis.call('HSET', KEYS[2], 'paused', tostring(until_at)) end
  redis.call('PEXPIRE', KEYS[2], ttl + math.ceil(tonumber(ARGV[5]) * 1000))
  return '0'
end
local paused = tonumber(redis.call('HGET', KEYS[2], 'paused') or '0')
local s = redis.call('HMGET', KEYS[1], 'tokens', 'stamp', 'floor')
local tokens = tonumber(s[1])
local stamp = tonumber(s[2])
local floor = tonumber(s[3]) or 1
if tokens == nil or stamp == nil then
  tokens = burst
  stamp = now
end
local elapsed = math.max(0, now - stamp)
tokens = math.min(burst, tokens + elapsed * rate)
if floor_rate > 0 then floor = math.min(1, floor + elapsed * floor_rate) end
local wait = 0
if paused > now then
  wait = paused - now
else
  local need = 1
  if kind == 'outbox' then need = 1 + tonumber(ARGV[7]) end
  if tokens >= need then
    tokens = tokens - 1
  elseif kind == 'outbox' and floor_rate > 0 and floor >= 1 then
    floor = floor - 1
    tokens = tokens - 1
  else
    wait = (need - tokens) / rate
    if kind == 'outbox' and floor_rate > 0 then
      wait = math.min(wait, (1 - floor) / floor_rate)
    end
    if wait < 0.001 then wait = 0.001 end
  end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now),
  'floor', tostring(floor))
redis.call('PEXPIRE', KEYS[1], ttl)
return tostring(wait)
"""

REDIS_RETRY_SECONDS = 5.0
_KEY_TTL_MS = 60_000


class RedisSendBudget:
    """The budget shared through Redis by every process sending with one bot token."""

    def __init__(
        self,
        redis: Redis,
        *,
        key_prefix: str,
        bot_token: str,
        rates: BudgetRates | None = None,
        clock: Clock | None = None,
        outage_watch: OutageWatch | None = None,
    ) -> None:
        self.rates = rates or BudgetRates()
        self._redis = redis
        self._watch = outage_watch or OutageWatch("Redis")
        self._clock = clock or SystemClock()
        # The token itself never goes into a key name: its hash tells bots apart.
        bot_key = hashlib.sha256(bot_token.encode()).hexdigest()[:16]
        self._free_key = f"{key_prefix}:budget:{bot_key}:free"
        self._paid_key = f"{key_prefix}:budget:{bot_key}:paid"
        self._script: Any = redis.register_script(_TAKE_SCRIPT)
        self._fallback = LocalSendBudget(self.rates, self._clock)
        self._down_since: float | None = None
        self._retry_at = 0.0

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        key_prefix: str,
        bot_token: str,
        rates: BudgetRates | None = None,
        outage_watch: OutageWatch | None = None,
    ) -> RedisSendBudget:
        client = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return cls(
            client,
            key_prefix=key_prefix,
            bot_token=bot_token,
            rates=rates,
            outage_watch=outage_watch,
        )

    @property
    def degraded(self) -> str | None:
        if self._down_since is None:
            return None
        return "Redis unreachable: each process paces its sends alone"

    async def close(self) -> None:
        await self._redis.aclose()

    async def _run(
        self, kind: str, keys: list[str], rate: float, burst: float, pause: float
    ) -> float:
        floor = self.rates.floor if keys[0] == self._free_key else 0.0
        reply = await self._script(
            keys=keys, args=[rate, burst, floor, kind, pause, _KEY_TTL_MS, REPLY_RESERVE]
        )
        self._down_since = None
        self._watch.succeeded()
        return float(reply)

    def _redis_usable(self) -> bool:
        return self._down_since is None or time.monotonic() >= self._retry_at

    def _note_down(self, error: Exception) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.debug("send budget: Redis unreachable; pacing in this process until it is back")
        self._watch.failed(error)
        self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS

    async def try_take(self, kind: SendKind) -> float:
        if self._redis_usable():
            try:
                if kind is SendKind.PAID:
                    return await self._run(
                        "reply",
                        [self._paid_key, self._free_key],
                        self.rates.paid_rate,
                        self.rates.paid_burst,
                        0.0,
                    )
                return await self._run(
                    kind.value,
                    [self._free_key, self._free_key],
                    self.rates.rate,
                    self.rates.burst,
                    0.0,
                )
            except (RedisError, OSError) as error:
                self._note_down(error)
        return self._fallback.try_take(kind)

    async def acquire(self, kind: SendKind) -> None:
        while (wait := await self.try_take(kind)) > 0:
            await self._clock.sleep(wait)

    async def pause(self, seconds: float) -> None:
        await self._fallback.pause(seconds)
        if not self._redis_usable():
            return
        try:
            await self._run(
                "pause",
                [self._free_key, self._free_key],
                self.rates.rate,
                self.rates.burst,
                seconds,
            )
        except (RedisError, OSError) as error:
            self._note_down(error)


def create_send_budget(
    settings: Settings, *, outage_watch: OutageWatch | None = None
) -> LocalSendBudget | RedisSendBudget:
    """Redis when configured (several processes share the token), in memory otherwise."""
    rates = BudgetRates.from_settings(settings)
    if settings.database.redis_url:
        token = (
            settings.telegram.bot_token.get_secret_value()
            if settings.telegram.bot_token
            else "no-token"
        )
        return RedisSendBudget.from_url(
            settings.database.redis_url,
            key_prefix=settings.database.redis_key_prefix,
            bot_token=token,
            rates=rates,
            outage_watch=outage_watch,
        )
    return LocalSendBudget(rates)


async def close_send_budget(budget: object) -> None:
    closer = getattr(budget, "close", None)
    if closer is not None:
        result = closer()
        if asyncio.iscoroutine(result):
            await result
