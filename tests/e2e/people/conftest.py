"""The people tests run the one harness (tests/e2e/harness.py) with a knowledge double that
reads FAQ files.

`FaqAnswerer` stands in for the knowledge engine: it abstains on everything except questions that
an FAQ Markdown file (as written by `FaqService`) answers, and it is re-indexed through the same
`index_paths` call the engine offers (test_faq_with_knowledge_engine.py runs the real engine).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
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


async def assert_a_lost_step_starts_onboarding_again(
    people: BotHarness, learner: int, lose_step: Callable[[], Awaitable[None]]
) -> None:
    """A learner halfway through onboarding loses their step (`lose_step`: Redis restarted
    without persistence, the database's state rows gone); the button they still see says the
    step expired and starts again, never silence, and the steps then go on as usual."""
    [notice] = await people.send(learner, "/start")
    [language] = await people.press(learner, notice, "ob:privacy:yes")
    [kinds] = await people.press(learner, language, "ob:lang:en")
    await lose_step()

    [restarted] = await people.press(learner, kinds, "ob:kind:alumni")
    assert "Privacy first" in (restarted.text or "")  # the first step again, not silence
    alerts = [
        r
        for r in people.tg.requests("answerCallbackQuery")
        if "expired" in str(r.params.get("text"))
    ]
    assert len(alerts) == 1 and "start again" in str(alerts[0].params["text"])
    [language] = await people.press(learner, restarted, "ob:privacy:yes")
    assert "ob:lang:en" in language.callback_data  # the steps go on, in the new storage
