"""Pacing of sends: a global rate, a per-chat interval, pauses on 429, and retry backoff."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.delivery.clock import Clock


class RateLimiter:
    """At most `rate_per_second` sends in any rolling second, at least half an interval apart.

    Telegram counts about 30 messages a second per bot; the configured rate (25 by default)
    stays below it so the bot's direct replies, which do not pass through here, keep headroom.
    A rolling window (rather than strict spacing) lets the sender catch up after the process
    was held up for a moment without ever exceeding the rate in any one-second window; the
    minimum gap keeps the catching up from turning into a burst. `pause` stops every sender (a
    429's `retry_after` applies to the whole bot).
    """

    def __init__(
        self,
        rate_per_second: float,
        clock: Clock,
        *,
        per_chat_interval: float = 1.0,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._capacity = max(1, int(rate_per_second))
        self._window = self._capacity / rate_per_second
        self._min_gap = 0.5 / rate_per_second
        self._clock = clock
        self._per_chat_interval = per_chat_interval
        self._recent: deque[float] = deque()
        self._paused_until = float("-inf")
        self._chat_free_at: dict[int, float] = {}

    def pause(self, seconds: float) -> None:
        """No send may start for `seconds` from now (extends, never shortens, a pause)."""
        self._paused_until = max(self._paused_until, self._clock.monotonic() + seconds)

    async def wait_unpaused(self) -> None:
        """Wait out a pause (a 429) without taking a slot."""
        while (wait := self._paused_until - self._clock.monotonic()) > 0:
            await self._clock.sleep(wait)

    async def acquire(self) -> None:
        """Wait for the next send slot."""
        while True:
            now = self._clock.monotonic()
            while self._recent and self._recent[0] <= now - self._window:
                self._recent.popleft()
            ready_at = self._paused_until
            if self._recent:
                ready_at = max(ready_at, self._recent[-1] + self._min_gap)
            if len(self._recent) >= self._capacity:
                ready_at = max(ready_at, self._recent[0] + self._window)
            if ready_at <= now:
                break
            await self._clock.sleep(ready_at - now)
        self._recent.append(now)

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until `chat_id` may receive another message (0 when it may now)."""
        free_at = self._chat_free_at.get(chat_id)
        if free_at is None:
            return 0.0
        return max(0.0, free_at - self._clock.monotonic())

    def note_sent_to(self, chat_id: int) -> None:
        now = self._clock.monotonic()
        self._chat_free_at[chat_id] = now + self._per_chat_interval
        if len(self._chat_free_at) > 10_000:
            self._chat_free_at = {
                chat: free_at for chat, free_at in self._chat_free_at.items() if free_at > now
            }


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for network errors: base, 2×base, 4×base... capped."""

    max_attempts: int = 5
    base_seconds: float = 2.0
    max_seconds: float = 300.0

    def delay_after(self, attempts: int) -> float | None:
        """Seconds to wait after `attempts` failed tries, or None to give up."""
        if attempts >= self.max_attempts:
            return None
        return float(min(self.max_seconds, self.base_seconds * 2 ** (attempts - 1)))
