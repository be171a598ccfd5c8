"""FAQ entries are reviewed before they answer anyone, with the reviewed question as heading.

A focal person's answer made into an FAQ ("Add to knowledge base") is a draft scoped to their
university; an HEC admin edits its heading, approves it, widens it to every university, or
rejects it, in the chat's /faq queue and with `hecbot faq review|approve|reject`.
"""

from __future__ import annotations

from sqlmodel import select

from bot.storage.people_models import FaqEntry
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.e2e.trust.conftest import LEARNER, DraftFaq

CLASSMATE, OTHER_LEARNER = 1002, 1003
RAW_QUESTION = "my teacher Mr Khan at block 4 says pause licence is ok??"
REVIEWED = "Can I pause my licence during exams?"
ANSWER = "Yes: ask your focal person before the 1st of the month."


async def test_a_draft_answers_nobody_until_an_admin_approves_the_reviewed_question(
    people_bot: PeopleBot, faq_drafted: DraftFaq
) -> None:
    people = people_bot
    await faq_drafted(RAW_QUESTION, ANSWER)
    await people.onboard(CLASSMATE, "comsats")
    await people.onboard(OTHER_LEARNER, "central punjab")

    # A draft: the classmate asking the very same words gets no answer from it.
    [reply] = await people.send(CLASSMATE, RAW_QUESTION)
    assert ANSWER not in (reply.text or "")
    assert people.answerer.index_calls == 0

    # The admin's queue: the draft, scoped to COMSATS, with its buttons; a learner has none.
    [header, draft, _] = await people.send(ADMIN, "/faq", expect=3)
    assert "One FAQ draft" in (header.text or "")
    assert "COMSATS" in (draft.text or "") and "draft" in (draft.text or "")
    [refused] = await people.send(LEARNER, "/faq")
    assert "not allowed" in (refused.text or "")

    # Edit the heading (one line keeps the answer), then approve.
    [prompt] = await people.press(ADMIN, draft, people.button(draft, "faq:edit"))
    assert "first line" in (prompt.text or "")
    [edited, shown] = await people.send(ADMIN, REVIEWED, expect=2)
    assert "updated" in (edited.text or "") and REVIEWED in (shown.text or "")
    await people.press(ADMIN, shown, people.button(shown, "faq:approve"), expect=0)
    assert "approved" in people.last_alert()

    # Published under the reviewed question; the learner's words appear nowhere.
    faq_dir = people.services.settings.data_dir / "faq"
    [published] = [path.read_text(encoding="utf-8") for path in faq_dir.glob("*.md")]
    assert f"## {REVIEWED}" in published and "Mr Khan" not in published
    [answered] = await people.send(CLASSMATE, REVIEWED)
    assert ANSWER in (answered.text or "")
    # Scoped to COMSATS: another university's learner is not answered from it...
    [elsewhere] = await people.send(OTHER_LEARNER, REVIEWED)
    assert ANSWER not in (elsewhere.text or "")

    # ...until the admin widens it to every university.
    async with people.services.database.session() as session:
        entry = (await session.exec(select(FaqEntry))).one()
    [_, listed] = await people.send(ADMIN, "/faq", expect=2)
    await people.press(ADMIN, listed, f"faq:scope:{entry.id}", expect=0, check_button=False)
    [everywhere] = await people.send(OTHER_LEARNER, REVIEWED)
    assert ANSWER in (everywhere.text or "")


async def test_a_rejected_draft_is_never_published(
    people_bot: PeopleBot, faq_drafted: DraftFaq
) -> None:
    people = people_bot
    await faq_drafted(RAW_QUESTION, ANSWER)
    [_, draft, _] = await people.send(ADMIN, "/faq", expect=3)
    await people.press(ADMIN, draft, people.button(draft, "faq:reject"), expect=0)
    assert "rejected" in people.last_alert()
    async with people.services.database.session() as session:
        assert (await session.exec(select(FaqEntry))).all() == []
    assert not list((people.services.settings.data_dir / "faq").glob("*.md"))
    [header, _] = await people.send(ADMIN, "/faq", expect=2)
    assert "No FAQ drafts" in (header.text or "")


async def test_an_edit_too_long_names_the_limit_and_the_shorter_edit_is_taken(
    people_bot: PeopleBot, faq_drafted: DraftFaq
) -> None:
    """The admin's heading over 300 characters: told the limit, still editing; the shorter
    heading typed next edits the draft (it was once read as a question for the bot)."""
    people = people_bot
    await faq_drafted(RAW_QUESTION, ANSWER)
    [_, draft, _] = await people.send(ADMIN, "/faq", expect=3)
    await people.press(ADMIN, draft, people.button(draft, "faq:edit"))
    [refused] = await people.send(ADMIN, "Can I pause my licence? " * 20)
    assert "479 characters" in (refused.text or "") and "at most 300" in (refused.text or "")
    [edited, shown] = await people.send(ADMIN, REVIEWED, expect=2)
    assert "updated" in (edited.text or "") and REVIEWED in (shown.text or "")
