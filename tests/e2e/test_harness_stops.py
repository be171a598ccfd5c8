"""The harness's stop ends within its bound whatever the bot does while stopping: a stop that
hung held its test (and CI) with no timer left; now it fails saying which step hung and where."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from tests.bounded import DidNotFinishError
from tests.e2e.harness import BotHarness
from tests.fakebotapi import FakeTelegram


async def a_shutdown_that_never_returns() -> None:
    await asyncio.Event().wait()


async def test_a_bot_whose_polling_never_stops_fails_the_stop_within_its_bound(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    harness = BotHarness(fake_telegram, settings, stop_seconds=1)
    await harness.start()
    assert harness.dispatcher is not None
    # aiogram's stop_polling() waits for the Dispatcher's shutdown handlers without a bound.
    harness.dispatcher.shutdown.register(a_shutdown_that_never_returns)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        with pytest.raises(DidNotFinishError) as raised:
            await harness.stop()
    finally:
        await harness.bot.session.close()
    assert loop.time() - started < 20  # the bound of each step, not forever
    message = str(raised.value)
    assert message.startswith("polling did not stop within 1 s of stop_polling() (cancelled)")
    assert "in a_shutdown_that_never_returns" in message, message
    # The steps after it ran all the same: the worker and the services are stopped.
    assert harness.services is None and harness.dispatcher is None


async def test_a_harness_that_stops_normally_can_start_again(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    async with BotHarness(fake_telegram, settings) as harness:
        await harness.restart()
        assert fake_telegram.active_long_polls
