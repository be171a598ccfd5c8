"""Trust tests run the real dispatcher against the fake Bot API (the people tests' harness)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from tests.e2e.people.conftest import FaqAnswerer, PeopleBot, running_bot


@pytest.fixture
async def people_bot(settings: Settings) -> AsyncIterator[PeopleBot]:
    """The people harness, without flood control: the tests press hundreds of buttons."""
    async with running_bot(
        settings.model_copy(update={"throttle_seconds": 0}), FaqAnswerer()
    ) as people:
        yield people
