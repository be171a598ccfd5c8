"""The shared send budget: replies first, the outbox takes what they leave, a floor keeps a
broadcast moving, a 429 pauses everyone; in memory on a fake clock and shared through Redis."""

from __future__ import annotations

import pytest

from bot.delivery.budget import BudgetRates, LocalSendBudget, RedisSendBudget, SendKind
from tests import real_services
from tests.delivery.fakes import FakeClock
from tests.production.tcp_proxy import TcpProxy

STEP = 0.005  # the simulation's tick: 5 ms


def simulate(
    budget: LocalSendBudget, clock: FakeClock, *, seconds: float, replies_per_second: float
) -> tuple[list[float], list[float], list[float]]:
    """An outbox that always has rows and learners asking at a steady rate.

    Returns the times of outbox sends, of reply sends, and how long each reply waited.
    """
    outbox: list[float] = []
    replies: list[float] = []
    waits: list[float] = []
    waiting_since: list[float] = []
    next_reply = 0.0
    while clock.elapsed < seconds:
        now = clock.elapsed
        while next_reply <= now:
            waiting_since.append(next_reply)
            next_reply += 1 / replies_per_second
        while waiting_since and budget.try_take(SendKind.REPLY) == 0:
            waits.append(now - waiting_since.pop(0))
            replies.append(now)
        if budget.try_take(SendKind.OUTBOX) == 0:
            outbox.append(now)
        clock.advance(STEP)
    return outbox, replies, waits


def busiest_second(stamps: list[float]) -> int:
    return max((sum(1 for t in stamps if start <= t < start + 1.0) for start in stamps), default=0)


def test_replies_go_first_and_the_outbox_gets_what_they_leave():
    clock = FakeClock()
    rates = BudgetRates(rate=27, burst=3, floor=3)
    outbox, replies, waits = simulate(
        LocalSendBudget(rates, clock), clock, seconds=20, replies_per_second=4
    )
    assert len(replies) == 80
    # A reply waits at most for the next token, never behind the broadcast.
    assert max(waits) <= 1 / 27 + STEP
    # The outbox gets the rest: 23 a second.
    assert 20 * 23 - 3 <= len(outbox) <= 20 * 23 + 3
    assert busiest_second(outbox + replies) <= 30


def test_the_floor_keeps_a_broadcast_moving_while_replies_take_everything():
    clock = FakeClock()
    rates = BudgetRates(rate=27, burst=3, floor=3)
    outbox, replies, _ = simulate(
        LocalSendBudget(rates, clock), clock, seconds=20, replies_per_second=40
    )
    assert 20 * 3 - 1 <= len(outbox) <= 20 * 3 + 1
    assert len(replies) >= 20 * 23
    assert busiest_second(outbox + replies) <= 30


def test_the_outbox_alone_uses_the_whole_budget():
    clock = FakeClock()
    outbox, _, _ = simulate(
        LocalSendBudget(BudgetRates(rate=27, burst=3), clock),
        clock,
        seconds=10,
        replies_per_second=0.001,
    )
    assert 10 * 27 - 1 <= len(outbox) <= 10 * 27 + 3


async def test_a_429_pauses_every_kind_and_paid_sends_have_their_own_rate():
    clock = FakeClock()
    budget = LocalSendBudget(BudgetRates(rate=27, burst=3, paid_rate=1000), clock)
    await budget.pause(5)
    assert budget.try_take(SendKind.REPLY) == pytest.approx(5)
    assert budget.try_take(SendKind.PAID) == pytest.approx(5)
    clock.advance(5)
    granted = 0
    while budget.try_take(SendKind.PAID) == 0:
        granted += 1
    assert granted == 20  # the paid burst; then 1,000 a second
    assert budget.try_take(SendKind.REPLY) == 0  # the free budget was not touched


@pytest.fixture
async def prefix() -> object:
    await real_services.require("redis")
    name = real_services.new_redis_prefix()
    yield name
    await real_services.delete_redis_keys(name)


@pytest.mark.redis
async def test_two_processes_share_one_budget_through_redis(prefix: str):
    rates = BudgetRates(rate=1, burst=2, floor=0)  # slow refill: the test's own pace is moot
    first = RedisSendBudget.from_url(
        real_services.REDIS_TEST_URL, key_prefix=prefix, bot_token="1:a", rates=rates
    )
    second = RedisSendBudget.from_url(
        real_services.REDIS_TEST_URL, key_prefix=prefix, bot_token="1:a", rates=rates
    )
    other_bot = RedisSendBudget.from_url(
        real_services.REDIS_TEST_URL, key_prefix=prefix, bot_token="2:b", rates=rates
    )
    try:
        assert await first.try_take(SendKind.REPLY) == 0
        assert await first.try_take(SendKind.REPLY) == 0
        assert await second.try_take(SendKind.REPLY) > 0  # the same bucket
        assert await other_bot.try_take(SendKind.REPLY) == 0  # another token, another bucket
        await second.pause(30)
        assert await first.try_take(SendKind.OUTBOX) > 20
        assert await first.try_take(SendKind.PAID) > 20
        assert first.degraded is None
    finally:
        for budget in (first, second, other_bot):
            await budget.close()


@pytest.mark.redis
async def test_redis_unreachable_falls_back_to_pacing_in_process_then_shares_again(prefix: str):
    proxy = TcpProxy("127.0.0.1", 6379)
    url = real_services.REDIS_TEST_URL.replace("127.0.0.1:6379", f"127.0.0.1:{proxy.port}")
    rates = BudgetRates(rate=1, burst=2, floor=0)
    async with proxy:
        budget = RedisSendBudget.from_url(url, key_prefix=prefix, bot_token="1:a", rates=rates)
        try:
            assert await budget.try_take(SendKind.REPLY) == 0
            await proxy.stop()
            assert await budget.try_take(SendKind.REPLY) == 0  # the local bucket, full
            assert budget.degraded is not None
            await proxy.start()
            budget._retry_at = 0.0  # do not wait out the retry interval in a test
            # Back on Redis, where one token of two is already gone.
            assert await budget.try_take(SendKind.REPLY) == 0
            assert await budget.try_take(SendKind.REPLY) > 0
            assert budget.degraded is None
        finally:
            await budget.close()
