"""An error after a button press reaches the person as a message (issue 13, item 13).

The handler has already answered the press (its alert is spent), so the error cannot be another
alert: it arrives as a message in the chat instead of being lost.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.storage.courses_models import Course
from tests.e2e.people.conftest import PeopleBot

LEARNER = 1001


async def test_an_error_after_the_press_was_answered_arrives_as_a_message(
    people_bot: PeopleBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = people_bot
    await people.onboard(LEARNER, "comsats")
    courses = people.services.courses
    await courses.warm_up()
    async with people.services.database.session() as session:
        course = (await session.exec(select(Course).limit(1))).one()
    assert course.id is not None
    await courses.save_to_plan(LEARNER, [course.id])
    [plan] = await people.send(LEARNER, "/myplan")
    done = people.button(plan, "cpe:")

    async def broken(user_id: int) -> list[object]:
        raise RuntimeError("the plan could not be read")

    # Marking done works and the press is answered; redrawing the plan afterwards fails.
    monkeypatch.setattr(courses, "plan", broken)
    [told] = await people.press(LEARNER, plan, done)
    answered = [r for r in people.tg.requests("answerCallbackQuery") if r.ok]
    marked = people.services.catalogue.text("en", "courses-plan-marked")
    assert answered[-1].params.get("text") == marked
    assert (told.text or "") == people.services.catalogue.text("en", "error-generic")
