"""End-to-end fixtures: one knowledge index of the bundled KB per session, a fresh DB per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.services.knowledge_bridge import knowledge_config
from bot.telegram.container import AppServices, build_services
from knowledge.config import BUNDLED_KB_DIR
from knowledge.engine import KnowledgeEngine, build_engine
from tests.databases import sqlite_at_head


@pytest.fixture(scope="session")
def knowledge_engine(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeEngine:
    """The real engine over the bundled knowledge base, indexed once for the whole session."""
    data_dir = tmp_path_factory.mktemp("kb")
    settings = Settings(HECBOT_DATA_DIR=data_dir)  # type: ignore[call-arg]
    engine = build_engine(knowledge_config(settings))
    report = engine.index_paths([BUNDLED_KB_DIR])
    assert not report.failed, report.failed
    return engine


@pytest.fixture
async def services(
    settings: Settings, knowledge_engine: KnowledgeEngine
) -> AsyncIterator[AppServices]:
    await sqlite_at_head(settings)
    built = await build_services(settings, answerer=knowledge_engine)
    yield built
    await built.database.close()
