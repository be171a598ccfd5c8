"""The rate limiter and retry policy, on a fake clock."""

from __future__ import annotations

import itertools

import pytest

from bot.delivery.pacing import RateLimiter, RetryPolicy
from tests.delivery.fakes import FakeClock


def busiest_second(stamps: list[float]) -> int:
    return max(sum(1 for t in stamps if start <= t < start + 1.0) for start in stamps)


async def test_the_long_run_rate_is_the_configured_rate():
    clock = FakeClock()
    limiter = RateLimiter(25, clock)
    for _ in range(251):
        await limiter.acquire()
    # 251 sends at 25 a second: the last one starts after ten seconds, not before.
    assert clock.elapsed == pytest.approx(10.0)


async def test_no_one_second_window_holds_more_than_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(25, clock)
    stamps: list[float] = []
    for index in range(300):
        if index % 60 == 0:
            clock.advance(3.0)  # idle periods must not bank a flood of credit
        if index % 7 == 0:
            clock.advance(0.3)  # the process was held up: catching up stays within the rate
        await limiter.acquire()
        stamps.append(clock.monotonic())
    assert busiest_second(stamps) <= 25
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.02 - 1e-9  # never closer than half an interval


async def test_a_pause_holds_every_send_for_exactly_retry_after():
    clock = FakeClock()
    limiter = RateLimiter(25, clock)
    await limiter.acquire()
    limiter.pause(7)
    before = clock.elapsed
    await limiter.acquire()
    assert clock.elapsed - before == pytest.approx(7)


async def test_a_shorter_pause_does_not_cut_a_longer_one():
    clock = FakeClock()
    limiter = RateLimiter(25, clock)
    limiter.pause(10)
    limiter.pause(2)
    await limiter.acquire()
    assert clock.elapsed == pytest.approx(10)


def test_one_message_per_chat_per_interval():
    clock = FakeClock()
    limiter = RateLimiter(25, clock, per_chat_interval=1.05)
    assert limiter.chat_wait(5) == 0
    limiter.note_sent_to(5)
    assert limiter.chat_wait(5) == pytest.approx(1.05)
    assert limiter.chat_wait(6) == 0
    clock.advance(0.5)
    assert limiter.chat_wait(5) == pytest.approx(0.55)
    clock.advance(0.6)
    assert limiter.chat_wait(5) == 0


def test_retry_backoff_doubles_and_gives_up():
    policy = RetryPolicy(max_attempts=4, base_seconds=2, max_seconds=5)
    assert [policy.delay_after(n) for n in (1, 2, 3, 4)] == [2, 4, 5, None]


def test_rate_must_be_positive():
    with pytest.raises(ValueError):
        RateLimiter(0, FakeClock())
