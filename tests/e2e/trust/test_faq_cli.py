"""`hecbot faq review|approve|reject`: HEC's operator reviews drafts from the command line."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

import bot.cli.faq
from bot.cli import app
from bot.config import Settings
from bot.storage.db import Database
from bot.storage.people_models import FaqEntry


class RecordingIndexer:
    def __init__(self) -> None:
        self.calls = 0

    def index_paths(self, paths: Sequence[Path]) -> None:
        self.calls += 1


async def drafts(settings: Settings, *questions: str) -> Database:
    database = Database(settings.effective_database_url)
    await database.migrate()
    async with database.session() as session:
        for number, question in enumerate(questions, start=1):
            session.add(
                FaqEntry(
                    question=question,
                    answer="Ask your focal person.",
                    university_id=None,
                    file_name=f"faq-entry-{number}.md",
                )
            )
    return database


async def test_review_approve_with_a_reviewed_question_and_reject(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HECBOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HECBOT_LOG_LEVEL", "WARNING")
    indexer = RecordingIndexer()
    monkeypatch.setattr(bot.cli.faq, "_indexer", lambda _settings: indexer)
    database = await drafts(settings, "pls my licnse pause??", "spam")
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args))

    listing = await asyncio.to_thread(invoke, "faq", "review")
    assert listing.exit_code == 0, listing.output
    assert "#1" in listing.output and "pls my licnse pause??" in listing.output

    approved = await asyncio.to_thread(
        invoke, "faq", "approve", "1", "--question", "Can I pause my licence?", "--national"
    )
    assert approved.exit_code == 0, approved.output
    assert "approved FAQ entry #1 for all universities" in approved.output
    assert indexer.calls == 1
    published = (settings.data_dir / "faq" / "faq-entry-1.md").read_text(encoding="utf-8")
    assert "## Can I pause my licence?" in published and "licnse" not in published

    assert (await asyncio.to_thread(invoke, "faq", "reject", "2")).exit_code == 0
    assert (await asyncio.to_thread(invoke, "faq", "review")).output.strip() == (
        "no FAQ drafts are waiting for review"
    )
    missing = await asyncio.to_thread(invoke, "faq", "approve", "99")
    assert missing.exit_code != 0
    async with database.session() as session:
        [entry] = (await session.exec(select(FaqEntry))).all()
    assert entry.reviewed_at is not None
    await database.close()
