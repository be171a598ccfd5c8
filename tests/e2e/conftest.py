"""End-to-end fixtures: services over a fresh database per test, answering from the session's
knowledge engine (`knowledge_engine`, tests/conftest.py) unless a module overrides
`answering_engine` (the test_own_k*.py modules answer from an operator's own rules, through
`harness.own_kb_fixtures`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.telegram.container import AppServices, build_services
from knowledge.engine import KnowledgeEngine
from tests.databases import sqlite_started


@pytest.fixture
def answering_engine(knowledge_engine: KnowledgeEngine) -> KnowledgeEngine:
    return knowledge_engine


@pytest.fixture
async def services(
    settings: Settings, answering_engine: KnowledgeEngine
) -> AsyncIterator[AppServices]:
    await sqlite_started(settings)
    built = await build_services(settings, answerer=answering_engine)
    yield built
    await built.database.close()
