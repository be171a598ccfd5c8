"""A question two rules could answer: the bot asks "Do you mean (a) ... or (b) ...?", the
learner presses one and gets the answer from that rule; a button older than the knowledge base
it names gets a clear reply and changes nothing."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.services.knowledge_bridge import knowledge_config
from bot.storage.models import QuestionLog
from bot.telegram.container import AppServices, build_services
from knowledge.config import BUNDLED_KB_DIR
from knowledge.engine import KnowledgeEngine, build_engine
from tests.e2e.harness import Learner, running_bot
from tests.fakebotapi import ChatMessage, FakeTelegram

# Late applications are refused in one section ("Two cohorts each year") and a form can be
# edited until the window closes in another ("Changing or withdrawing an application"):
# retrieval cannot tell which the learner means.
AMBIGUOUS = "I missed the deadline. Will a late form be considered?"
DOCUMENT = "applying-and-intake.md"


@pytest.fixture
def own_engine(tmp_path: Path) -> KnowledgeEngine:
    """An engine over a copy of the bundled knowledge base that a test may change."""
    kb = tmp_path / "kb"
    shutil.copytree(BUNDLED_KB_DIR, kb)
    settings = Settings(HECBOT_DATA_DIR=tmp_path / "data")  # type: ignore[call-arg]
    engine = build_engine(knowledge_config(settings))
    report = engine.index_paths([kb])
    assert not report.failed, report.failed
    return engine


@pytest.fixture
async def own_services(
    settings: Settings, own_engine: KnowledgeEngine
) -> AsyncIterator[AppServices]:
    built = await build_services(settings, answerer=own_engine)
    yield built
    await built.database.close()


def buttons(message: ChatMessage) -> list[str]:
    markup = message.reply_markup or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


def sources(message: ChatMessage) -> str:
    return (message.text or "").split("Sources:", 1)[-1]


async def stored(services: AppServices) -> list[QuestionLog]:
    async with services.database.session() as session:
        return list((await session.exec(select(QuestionLog))).all())


async def test_an_ambiguous_question_asks_which_rule_and_answers_from_the_one_chosen(
    fake_telegram: FakeTelegram, own_services: AppServices, own_engine: KnowledgeEngine
):
    expected = own_engine.answer_sync(AMBIGUOUS)
    assert len(expected.choices) == 2, "the question no longer reads as ambiguous"
    first, second = expected.choices
    assert first.section != second.section
    learner = Learner(fake_telegram, user_id=5_000_000_140)
    async with running_bot(fake_telegram, own_services):
        await learner.onboards()
        (question,) = await learner.says(AMBIGUOUS)
        assert "Do you mean" in (question.text or "")
        assert first.section in (question.text or "") and second.section in (question.text or "")
        labels = buttons(question)
        assert len(labels) == 2 and labels[0].startswith("(a)") and labels[1].startswith("(b)")
        assert "Sources:" not in (question.text or "")  # no answer before the learner chooses

        (answer_b,) = await learner.presses(question, "(b)", replies=1)
        assert second.section in sources(answer_b) and first.section not in sources(answer_b)
        assert "Show the full rule" in str(answer_b.reply_markup)
        (full_b,) = await learner.presses(answer_b, "Show the full rule", replies=1)
        assert second.section in (full_b.text or "")

        (answer_a,) = await learner.presses(question, "(a)", replies=1)
        assert first.section in sources(answer_a) and second.section not in sources(answer_a)
        assert "Late applications are not accepted" in (answer_a.text or "")

    (record,) = await stored(own_services)
    assert record.question == AMBIGUOUS and not record.abstained
    assert first.section in str(record.citations)  # the last choice is what is kept


async def test_a_choice_naming_a_rule_removed_since_gets_a_clear_reply_and_changes_nothing(
    fake_telegram: FakeTelegram, own_services: AppServices, own_engine: KnowledgeEngine
):
    learner = Learner(fake_telegram, user_id=5_000_000_141)
    async with running_bot(fake_telegram, own_services):
        await learner.onboards()
        (question,) = await learner.says(AMBIGUOUS)
        assert len(buttons(question)) == 2
        (before,) = await stored(own_services)
        # HEC removes the document from the knowledge base while the buttons are on screen.
        assert own_engine.remove_source(DOCUMENT)
        (stale,) = await learner.presses(question, "(a)", replies=1)
        assert "no longer in the knowledge base" in (stale.text or "")
        assert "Sources:" not in (stale.text or "")
        # The learner asks again and is answered from what the knowledge base holds now.
        (again,) = await learner.says(AMBIGUOUS)
        assert "How to apply and intake windows" not in (again.text or "")
    records = await stored(own_services)
    assert len(records) == 2
    kept = next(r for r in records if r.id == before.id)
    assert (kept.answer, kept.citations, kept.abstained) == (
        before.answer,
        before.citations,
        before.abstained,
    )
