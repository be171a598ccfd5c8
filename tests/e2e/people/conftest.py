"""The people tests run the one harness (tests/e2e/harness.py) with a knowledge double that
reads FAQ files.

`FaqAnswerer` stands in for the knowledge engine: it abstains on everything except questions that
an FAQ Markdown file (as written by `FaqService`) answers, and it is re-indexed through the same
`index_paths` call the engine offers (test_faq_with_knowledge_engine.py runs the real engine).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import BaseStorage

from bot.config import Settings
from knowledge.answers import Answer, Citation
from tests.e2e.harness import BotHarness
from tests.fakebotapi import FakeTelegram

ADMIN = 9001


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


class FaqAnswerer:
    """Answers exactly the questions of indexed FAQ files; abstains otherwise."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, str, str, str]] = {}
        self.index_calls = 0

    def index_paths(self, paths: Sequence[Path]) -> None:
        self.index_calls += 1
        self.entries = {}
        for folder in paths:
            for path in sorted(folder.glob("*.md")):
                text = path.read_text(encoding="utf-8")
                title = re.search(r"^# (.+)$", text, re.MULTILINE)
                for match in re.finditer(r"^## (.+?)\n\n(.+?)\n\n", text, re.MULTILINE | re.DOTALL):
                    self.entries[_key(match.group(1))] = (
                        title.group(1) if title else path.stem,
                        match.group(1),
                        match.group(2),
                        path.name,
                    )

    async def ask(self, question: str) -> Answer:
        found = self.entries.get(_key(question))
        if found is None:
            return Answer(question, "I don't know.", abstained=True, latency_ms=1.0)
        title, section, answer, document = found
        citation = Citation(title, section, "faq", 1.0, document=document)
        return Answer(question, answer, abstained=False, citations=[citation], latency_ms=1.0)


# The people tests' name for the one harness (tests/e2e/harness.py).
PeopleBot = BotHarness


@asynccontextmanager
async def running_bot(
    settings: Settings,
    answerer: Any,
    storage_factory: Callable[[], BaseStorage] | None = None,
) -> AsyncIterator[BotHarness]:
    """The bot with ADMIN as an HEC admin, answering from `answerer`."""
    settings = settings.model_copy(update={"admin_ids": frozenset({ADMIN})})
    async with (
        FakeTelegram() as tg,
        BotHarness(tg, settings, answerer=answerer, storage_factory=storage_factory) as people,
    ):
        yield people


@pytest.fixture
async def people_bot(settings: Settings) -> AsyncIterator[BotHarness]:
    async with running_bot(settings, FaqAnswerer()) as people:
        yield people
