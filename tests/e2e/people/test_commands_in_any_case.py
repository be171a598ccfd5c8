"""Commands typed in capitals (`/START`, a phone's caps lock, `/Help` auto-capitalised) are the
commands: Telegram's API is case-sensitive, so aiogram's filters are told to ignore case."""

from __future__ import annotations

from tests.e2e.people.conftest import PeopleBot

LEARNER = 1001
UNKNOWN = "I don't know that command"


async def test_start_help_and_cancel_in_capitals(people_bot: PeopleBot) -> None:
    people = people_bot
    [notice] = await people.send(LEARNER, "/START")
    assert UNKNOWN not in (notice.text or "")
    assert "ob:privacy:yes" in notice.callback_data
    await people.onboard(LEARNER, "comsats")

    [help_text] = await people.send(LEARNER, "/Help")
    assert "How to use this bot" in (help_text.text or "")
    [language] = await people.send(LEARNER, "/LANGUAGE")
    assert any(data.startswith("lang:") for data in language.callback_data)
    [started] = await people.send(LEARNER, "/Apply")
    assert UNKNOWN not in (started.text or "")
    [cancelled] = await people.send(LEARNER, "/CANCEL")
    assert cancelled.text in {
        "There is nothing to cancel.",
        "Cancelled. Ask me anything whenever you like.",
    }
