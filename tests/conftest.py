"""Shared fixtures: settings in a temporary data dir, an open database, services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.storage.db import Database


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings as a fresh install has them, isolated from the developer's `.env`."""
    monkeypatch.chdir(data_dir.parent)
    for name in ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "CHROMA_URL", "ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    return Settings(HECBOT_DATA_DIR=data_dir, HECBOT_THROTTLE_SECONDS=0)  # type: ignore[call-arg]


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.effective_database_url)
    await db.migrate()
    yield db
    await db.close()


from tests.fakebotapi.fixtures import fake_telegram  # noqa: E402

__all__ = ["fake_telegram"]
