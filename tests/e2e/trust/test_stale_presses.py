"""Stale and repeated presses get a short "no longer available" (or nothing), never an error."""

from __future__ import annotations

import logging

import pytest

from bot.storage.models import User
from tests.e2e.people.conftest import PeopleBot

LEARNER = 1001
STALE = "This is no longer available."


async def test_no_keep_it_twice_and_an_old_yes_delete_nothing(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard(LEARNER, "comsats")
    [question] = await people.send(LEARNER, "/forget")
    [kept] = await people.press(LEARNER, question, "forget:0")
    assert kept.text == "Nothing was deleted."

    # The same message again: "No" twice, then "Yes" on the old message.
    for data in ("forget:0", "forget:1"):
        await people.press(LEARNER, question, data, expect=0, check_button=False)
        assert people.last_alert() == STALE
    assert people.messages(LEARNER)[-1].message_id == kept.message_id  # nothing more was sent
    async with people.services.database.session() as session:
        assert await session.get(User, LEARNER) is not None


async def test_an_unknown_language_code_is_no_longer_available(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard(LEARNER, "comsats")
    [choose] = await people.send(LEARNER, "/language")
    await people.press(LEARNER, choose, "lang:xx", expect=0, check_button=False)
    assert people.last_alert() == STALE
    async with people.services.database.session() as session:
        user = await session.get(User, LEARNER)
    assert user is not None and user.language == "en"


async def test_an_unknown_language_code_at_onboarding_is_no_longer_available(
    people_bot: PeopleBot, caplog: pytest.LogCaptureFixture
) -> None:
    """The onboarding step's language button, forged: "Sorry, something went wrong on our
    side" and an error in the operator's log (a ValueError). Refused like /language's; the
    step goes on."""
    people = people_bot
    [notice] = await people.send(LEARNER, "/start")
    [language] = await people.press(LEARNER, notice, "ob:privacy:yes")
    with caplog.at_level(logging.ERROR):
        await people.press(LEARNER, language, "ob:lang:xx", expect=0, check_button=False)
    assert people.last_alert() == STALE
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    [kinds] = await people.press(LEARNER, language, "ob:lang:ur")
    assert "ob:kind:student" in kinds.callback_data
