"""pytest plugin: `from tests.fakebotapi.fixtures import fake_telegram` in a conftest."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.fakebotapi.server import FakeTelegram


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API on 127.0.0.1 without flood limits; stopped after the test."""
    async with FakeTelegram() as fake:
        yield fake
