"""A question corrected by editing it (a typo, a missing word) is answered again, as a new
question: the bot did not subscribe to edited messages, and the corrected question got nothing.
An edit long after, or in the middle of a conversation's step, is left alone."""

from __future__ import annotations

from tests.e2e.people.conftest import ADMIN, PeopleBot

LEARNER = 1001


def _last_own_message(people: PeopleBot, user_id: int) -> int:
    return [m for m in people.fake.history(user_id) if not m.from_bot][-1].message_id


async def _edit(people: PeopleBot, user_id: int, text: str, *, after_seconds: int = 30) -> int:
    """Edit the user's last message; returns how many messages the bot sent for it."""
    before = len(people.messages(user_id))
    message_id = _last_own_message(people, user_id)
    update = people.fake.push_edit(user_id, message_id, text, after_seconds=after_seconds)
    await people.handled([update["update_id"]], f"the edit to {text!r}")
    return len(people.messages(user_id)) - before


async def test_a_corrected_question_is_answered_again(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard(LEARNER, "comsats")
    [first] = await people.send(LEARNER, "Who is elgible for the licnce")
    assert await _edit(people, LEARNER, "Who is eligible for a free Coursera licence?") == 1
    answered = people.messages(LEARNER)[-1]
    assert answered.message_id != first.message_id and answered.callback_data

    # Corrected an hour later: not asked again out of the blue.
    await people.send(LEARNER, "What is the deadline?")
    assert await _edit(people, LEARNER, "What is the deadlne?", after_seconds=3600) == 0


async def test_an_edit_mid_step_or_before_onboarding_is_not_a_question(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    await people.send(LEARNER, "/start")
    await people.send(LEARNER, "hello?", expect=1)
    assert await _edit(people, LEARNER, "Who is eligible?") == 0  # privacy not accepted yet

    await people.onboard_staff(ADMIN)
    await people.send(ADMIN, "/broadcast")
    await people.send(ADMIN, "Who is eligible?", expect=1)
    assert await _edit(people, ADMIN, "Who is eligible for a licence?") == 0  # a form's step
