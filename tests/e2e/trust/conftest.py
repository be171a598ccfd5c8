"""Trust tests run the real dispatcher against the fake Bot API (the people tests' harness)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.config import Settings
from tests.e2e.people.conftest import ADMIN, FaqAnswerer, PeopleBot, running_bot
from tests.e2e.people.test_people_story import invite_link
from tests.fakebotapi import ChatMessage

# COMSATS's focal person and the COMSATS learner whose question becomes an FAQ draft.
FOCAL, LEARNER = 2001, 1001

# `await faq_drafted(question, answer)`
DraftFaq = Callable[[str, str], Awaitable[None]]


async def ticket_to_focal(people: PeopleBot, question: str) -> ChatMessage:
    """The admin and COMSATS's focal person (FOCAL) start; a COMSATS learner (LEARNER) asks
    `question`, which the knowledge base cannot answer, and sends it on: the ticket the focal
    person is sent."""
    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    await people.onboard(LEARNER, "comsats")
    [abstained] = await people.send(LEARNER, question)
    await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    await people.until(lambda: "🎫" in (people.messages(FOCAL)[-1].text or ""), "ticket")
    return people.messages(FOCAL)[-1]


@pytest.fixture
async def people_bot(settings: Settings) -> AsyncIterator[PeopleBot]:
    """The people harness, without flood control: the tests press hundreds of buttons."""
    async with running_bot(
        settings.model_copy(update={"throttle_seconds": 0}), FaqAnswerer()
    ) as people:
        yield people


@pytest.fixture
def faq_drafted(people_bot: PeopleBot) -> DraftFaq:
    """The admin and COMSATS's focal person (FOCAL) start; a COMSATS learner (LEARNER) asks
    `question`, which the knowledge base cannot answer, and sends it on; the focal person
    answers `answer` and adds it to the knowledge base: an FAQ draft, for review."""
    people = people_bot

    async def draft(question: str, answer: str) -> None:
        ticket = await ticket_to_focal(people, question)
        [sent] = await people.send(FOCAL, answer, reply_to_message_id=ticket.message_id)
        await people.press(FOCAL, sent, people.button(sent, "faq:add"), expect=0)
        assert "draft" in people.last_alert()

    return draft
