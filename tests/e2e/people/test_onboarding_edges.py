"""Onboarding's bad input: unknown universities, /start twice, a restart, used or old invites."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.services.licences_intakes import IntakeService
from bot.storage.licence_models import LicenceApplication
from bot.storage.models import FsmRecord, Role, User
from bot.storage.types import utcnow
from tests import real_services
from tests.e2e.harness import stored_questions
from tests.e2e.people.conftest import (
    ADMIN,
    FaqAnswerer,
    PeopleBot,
    assert_a_lost_step_starts_onboarding_again,
    running_bot,
)
from tests.e2e.people.test_people_story import invite_link
from tests.licences.test_intakes_and_applying import open_intake_source

LEARNER, FOCAL, OTHER = 1001, 2001, 2002


async def test_unknown_university_then_none_of_these_then_urdu(people_bot: PeopleBot) -> None:
    people = people_bot
    [notice] = await people.send(LEARNER, "/start")
    assert "Before you accept, I keep nothing" in (notice.text or "")
    async with people.services.database.session() as session:
        user = await session.get(User, LEARNER)
    assert user is not None and user.privacy_accepted_at is None and user.learner_kind is None

    [language] = await people.press(LEARNER, notice, "ob:privacy:yes")
    [kinds] = await people.press(LEARNER, language, "ob:lang:ur")
    assert "آپ کون ہیں" in (kinds.text or "")
    await people.press(LEARNER, kinds, "ob:kind:faculty")

    [unknown] = await people.send(LEARNER, "qwxz zzkk")
    assert "نہیں ملی" in (unknown.text or "")  # "not found", in Urdu
    [choices] = await people.send(LEARNER, "lahore")
    assert len(choices.callback_data) <= 6 and choices.callback_data[-1] == "obu:0"
    [again] = await people.press(LEARNER, choices, "obu:0")
    assert "دوبارہ" in (again.text or "")
    [choices] = await people.send(LEARNER, "کامسیٹس")
    first = choices.reply_markup["inline_keyboard"][0][0]  # type: ignore[index]
    assert "کامسیٹس" in first["text"]
    [done] = await people.press(LEARNER, choices, first["callback_data"])
    assert "سب تیار ہے" in (done.text or "")
    async with people.services.database.session() as session:
        user = await session.get(User, LEARNER)
    assert user is not None and (user.language, user.learner_kind) == ("ur", "faculty")
    assert user.onboarded_at is not None and user.university_id is not None


async def test_start_twice_resumes_and_survives_a_restart(people_bot: PeopleBot) -> None:
    people = people_bot
    [notice] = await people.send(LEARNER, "/start")
    [language] = await people.press(LEARNER, notice, "ob:privacy:yes")
    [kinds] = await people.press(LEARNER, language, "ob:lang:en")

    # /start mid-onboarding shows the current step again, not the privacy notice.
    [again] = await people.send(LEARNER, "/start")
    assert again.text == kinds.text and again.callback_data == kinds.callback_data
    # A question typed mid-onboarding is not answered yet: the step is shown again.
    [step] = await people.send(LEARNER, "How do I get a licence?")
    assert step.callback_data == kinds.callback_data

    # Restart: a new dispatcher on the same database (the FSM state is in it, not in memory).
    async with people.services.database.session() as session:
        records = (await session.exec(select(FsmRecord))).all()
    assert [r.state for r in records] == ["Onboarding:learner_kind"]
    await people.restart()
    [resumed] = await people.send(LEARNER, "/start")
    assert resumed.callback_data == kinds.callback_data
    await people.press(LEARNER, resumed, "ob:kind:alumni")
    [choices] = await people.send(LEARNER, "UCP")
    assert "University of Central Punjab" in str(choices.reply_markup)


async def test_onboarded_user_gets_welcome_back(people_bot: PeopleBot) -> None:
    await people_bot.onboard(LEARNER, "comsats")
    [back] = await people_bot.send(LEARNER, "/start")
    assert "Welcome back" in (back.text or "")


async def test_invite_link_is_single_use_and_expires(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    token = await invite_link(people)
    await people.onboard_staff(FOCAL, f"/start {token}")

    replies = await people.send(OTHER, f"/start {token}", expect=2)
    assert "not valid" in (replies[0].text or "")
    async with people.services.database.session() as session:
        other = await session.get(User, OTHER)
    assert other is not None and other.role == Role.LEARNER.value

    roles = people.services.roles
    admin = await people.services.users.get(ADMIN)
    assert admin is not None and admin.is_admin
    old = await roles.create_focal_invite(admin, 1, now=utcnow() - timedelta(days=7, seconds=1))
    replies = await people.send(OTHER, f"/start {old.token}", expect=2)
    assert "not valid" in (replies[0].text or "")
    assert "Privacy first" in (replies[1].text or "")  # onboarding goes on as a learner
    async with people.services.database.session() as session:
        other = await session.get(User, OTHER)
        focal = await session.get(User, FOCAL)
    assert other is not None and other.role == Role.LEARNER.value
    assert focal is not None and focal.role == Role.FOCAL_PERSON.value


async def test_a_shared_links_tag_is_welcomed_not_refused_as_an_invite(
    people_bot: PeopleBot,
) -> None:
    """A learner who came by t.me/<bot>?start=poster_lahore (or typed /start with a word) gets
    the welcome alone; they were told their "invite link is not valid", an invite they never
    had. A payload as long as an invite's token is still checked as one."""
    people = people_bot
    for payload in ("poster_lahore", "xyz<>&"):
        [welcome] = await people.send(LEARNER, f"/start {payload}")
        assert "Privacy first" in (welcome.text or "") and "not valid" not in (welcome.text or "")
    replies = await people.send(OTHER, "/start " + "A" * 43, expect=2)
    assert "not valid" in (replies[0].text or "") and "Privacy first" in (replies[1].text or "")
    async with people.services.database.session() as session:
        learner = await session.get(User, LEARNER)
    assert learner is None or learner.role == Role.LEARNER.value


@pytest.mark.redis
async def test_restart_resumes_onboarding_from_redis(settings: Settings) -> None:
    """Production keeps FSM state in Redis: a new process finds the learner at the same step."""
    from aiogram.fsm.storage.base import DefaultKeyBuilder
    from aiogram.fsm.storage.redis import RedisStorage

    await real_services.require("redis")
    from redis.asyncio import Redis

    await real_services.require("redis")
    probe = Redis.from_url(real_services.REDIS_TEST_URL)
    prefix = f"people-test-{uuid.uuid4().hex[:8]}"  # the server is shared with other test runs

    def redis_storage() -> RedisStorage:
        return RedisStorage.from_url(
            real_services.REDIS_TEST_URL,
            key_builder=DefaultKeyBuilder(prefix=prefix, with_destiny=True),
        )

    try:
        async with running_bot(settings, FaqAnswerer(), redis_storage) as people:
            [notice] = await people.send(LEARNER, "/start")
            [language] = await people.press(LEARNER, notice, "ob:privacy:yes")
            [kinds] = await people.press(LEARNER, language, "ob:lang:en")
            await people.restart()
            [resumed] = await people.send(LEARNER, "/start")
            assert resumed.callback_data == kinds.callback_data
            async with people.services.database.session() as session:
                assert (await session.exec(select(FsmRecord))).all() == []
            assert await probe.keys(f"{prefix}:*")
    finally:
        keys = await probe.keys(f"{prefix}:*")
        if keys:
            await probe.delete(*keys)
        await probe.aclose()


def _chat_menu(people: PeopleBot, chat_id: int) -> list[str] | None:
    """The commands last set for this chat (None once deleted or never set)."""
    menu: list[str] | None = None
    for request in people.tg.requests():
        scope = request.params.get("scope")
        if isinstance(scope, str):
            scope = json.loads(scope)
        if not isinstance(scope, dict) or scope.get("chat_id") != chat_id:
            continue
        if request.method == "setMyCommands":
            commands = request.params["commands"]
            commands = json.loads(commands) if isinstance(commands, str) else commands
            menu = [command["command"] for command in commands]
        elif request.method == "deleteMyCommands":
            menu = None
    return menu


async def test_a_new_focal_person_gets_their_menu_at_once_and_loses_it_when_revoked(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    menu = _chat_menu(people, FOCAL)
    assert menu is not None and {"broadcast", "webinars", "tickets"} <= set(menu)
    assert "focals" not in menu

    _header, line = await people.send(ADMIN, "/focals", expect=2)
    await people.press(ADMIN, line, f"fp:revoke:{FOCAL}", expect=0)
    await people.until(lambda: _chat_menu(people, FOCAL) is None, "the menu withdrawn")


async def test_a_button_whose_step_was_lost_says_so_and_starts_again(people_bot: PeopleBot) -> None:
    """The database's state rows deleted: the learner's step is gone, their button is not."""
    people = people_bot

    async def lose_step() -> None:
        async with people.services.database.session() as session:
            for record in (await session.exec(select(FsmRecord))).all():
                await session.delete(record)

    await assert_a_lost_step_starts_onboarding_again(people, LEARNER, lose_step)


async def test_a_nonsense_university_name_is_told_how_to_search(people_bot: PeopleBot) -> None:
    """ "no such place at all" was offered The University of Child Health and two more (the
    fuzzy matcher found "uchs" in "such"): nothing matches, and the learner is told how to
    search."""
    people = people_bot
    [notice] = await people.send(LEARNER, "/start")
    [language] = await people.press(LEARNER, notice, "ob:privacy:yes")
    [kinds] = await people.press(LEARNER, language, "ob:lang:en")
    await people.press(LEARNER, kinds, "ob:kind:student")
    for nonsense in ("no such place at all", "xyzzy university"):
        [told] = await people.send(LEARNER, nonsense)
        assert not told.callback_data, nonsense
        assert "could not find a university by that name" in (told.text or "")
        assert "short name" in (told.text or "")
    [choices] = await people.send(LEARNER, "cmsats")
    assert choices.callback_data


async def test_nothing_is_stored_or_applied_for_before_the_notice_is_accepted(
    people_bot: PeopleBot,
) -> None:
    """Someone who never accepted the privacy notice could start /apply (on to the e-mail
    address, mailed and stored) and /courses; and a question typed while /forget's buttons
    were open was answered and stored. Each is taken back to the notice; the question is
    answered once it is accepted."""
    people = people_bot
    await IntakeService(people.services.database).add(open_intake_source())
    [apply] = await people.send(LEARNER, "/apply")
    assert "accept the privacy notice first" in (apply.text or "") and "/apply" in (
        apply.text or ""
    )
    assert apply.callback_data == ["ob:privacy:yes"]
    [courses] = await people.send(LEARNER, "/courses")
    assert "then send /courses again" in (courses.text or "")

    await people.send(LEARNER, "/forget")
    [reminder] = await people.send(LEARNER, "How do I get a Coursera licence?")
    assert "I will answer your question right after" in (reminder.text or "")
    assert await stored_questions(people.services) == []
    async with people.services.database.session() as session:
        assert (await session.exec(select(LicenceApplication))).all() == []

    await people.press(LEARNER, reminder, "ob:privacy:yes", expect=2)  # the answer, languages
    assert [q.question for q in await stored_questions(people.services)] == [
        "How do I get a Coursera licence?"
    ]
    [finish, step] = await people.send(LEARNER, "/apply", expect=2)
    assert "finish setting up first" in (finish.text or "") and "ob:lang:en" in step.callback_data
