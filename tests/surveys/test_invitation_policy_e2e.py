"""Survey buttons count for their own invitation only (`SurveyInvitationPolicy`): a press on a
question of a stopped wave or on somebody else's invitation is refused politely, stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.storage.survey_models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.e2e.harness import Learner
from tests.surveys.factories import add_learners
from tests.surveys.test_typing_and_echo_e2e import LEARNER, World, world

__all__ = ["world"]  # the fixture, shared with the typing tests

OTHER = 7102


async def answers_by_wave(world: World) -> dict[int, dict[str, object]]:
    services = world.running.services
    assert services is not None
    async with services.database.session() as session:
        rows = (
            await session.exec(
                select(SurveyResponse.wave_id, SurveyAnswer.question_id, SurveyAnswer.value)
                .join(SurveyResponse, col(SurveyResponse.id) == col(SurveyAnswer.response_id))
                .order_by(col(SurveyAnswer.id))
            )
        ).all()
    found: dict[int, dict[str, object]] = {}
    for wave_id, question_id, value in rows:
        found.setdefault(wave_id, {})[question_id] = value
    return found


async def test_a_button_of_a_stopped_wave_does_not_answer_the_next_wave(world: World) -> None:
    services = world.running.services
    assert services is not None
    learner = world.learner
    await learner.press("Start the survey")
    await learner.press("4")
    old_question = learner.last_keyboard_message()  # wave 1's "How clear", with its buttons
    async with services.database.session() as session:
        [first] = (await session.exec(select(SurveyInvitation))).all()
    await services.surveys.stop_wave(first.wave_id)

    # A second wave of the same survey reaches the learner, who starts it and answers once.
    [second] = await services.surveys.start_waves("typing")
    async with services.database.session() as session:
        session.add(SurveyInvitation(wave_id=second.id, user_id=LEARNER))
    await services.surveys.open_invitation(LEARNER, second.id)
    step = await services.surveys.type_answer(LEARNER, "typing", "2", "en")
    assert step.question is not None and step.question.index == 1  # wave 2 is at "How clear"

    reply = await learner.press("3", message=old_question)
    assert "closed" in reply
    assert await answers_by_wave(world) == {first.wave_id: {"useful": 4}, second.id: {"useful": 2}}


async def test_presses_on_another_learners_survey_are_refused_and_store_nothing(
    world: World,
) -> None:
    services = world.running.services
    assert services is not None
    world.fake.add_user(OTHER)
    await add_learners(services.database, [OTHER], created_at=datetime.now(UTC) - timedelta(days=1))
    await world.learner.press("Start the survey")
    question = world.learner.last_keyboard_message()
    invitation = world.fake.messages_to(LEARNER)[0]
    # OTHER was never invited: they forge the presses on a message of their own chat.
    other = Learner(world.fake, OTHER)
    await other.say("/help")
    anchor = world.fake.messages_to(OTHER)[-1]
    for data in [*question.callback_data, *invitation.callback_data]:
        before = len(world.fake.requests("sendMessage", chat_id=OTHER))
        world.fake.push_callback(OTHER, anchor.message_id, data, check_button=False)
        await world.fake.wait_for(
            "sendMessage", lambda r: r.chat_id == OTHER, count=before + 1, timeout=30
        )
        assert "was not sent to you" in other.last_text
    assert await answers_by_wave(world) == {}
    async with services.database.session() as session:
        responses = (await session.exec(select(SurveyResponse))).all()
    assert [response.user_id for response in responses] == [LEARNER]
