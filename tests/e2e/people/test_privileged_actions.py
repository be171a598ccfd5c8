"""Every privileged command and button, tried by each role that must not have it.

Buttons are replayed as forged callback data (as a modified client could send), in the
attacker's own chat; the server must refuse each one, every time, and log it.
"""

from __future__ import annotations

import logging

import pytest
from sqlmodel import func, select

from bot.storage.models import FsmRecord, Role, User
from bot.storage.people_models import FaqEntry, FocalInvite, Ticket
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.e2e.people.test_people_story import invite_link

LEARNER, FOCAL, OTHER_FOCAL = 1001, 2001, 2002
REFUSAL = "Sorry, you are not allowed to do that."


async def count(people: PeopleBot, table: type) -> int:
    async with people.services.database.session() as session:
        return int((await session.exec(select(func.count()).select_from(table))).one())


async def test_privileged_actions_are_refused_to_roles_without_them(
    people_bot: PeopleBot, caplog: pytest.LogCaptureFixture
) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    await people.onboard_staff(
        OTHER_FOCAL, f"/start {await invite_link(people, 'University of Central Punjab')}"
    )
    await people.onboard(LEARNER, "comsats")
    [abstained] = await people.send(LEARNER, "Is a laptop included?")
    await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    await people.until(lambda: "🎫" in (people.messages(FOCAL)[-1].text or ""), "ticket")
    [sent] = await people.send(
        FOCAL, "No laptops.", reply_to_message_id=people.messages(FOCAL)[-1].message_id
    )
    await people.press(FOCAL, sent, people.button(sent, "faq:add"), expect=0)
    # The answer travels to the learner through the outbox; let it arrive before counting replies.
    await people.until(
        lambda: any("No laptops." in (m.text or "") for m in people.messages(LEARNER)),
        "answer relayed to the learner",
    )
    async with people.services.database.session() as session:
        focal = await session.get(User, FOCAL)
        ticket = (await session.exec(select(Ticket))).one()
        entry = (await session.exec(select(FaqEntry))).one()
    assert focal is not None and focal.university_id is not None and ticket.id and entry.id
    comsats = focal.university_id
    invites_before = await count(people, FocalInvite)

    commands = {
        "/invite_focal comsats": (LEARNER, FOCAL),
        "/focals": (LEARNER, FOCAL),
        "/faq": (LEARNER, FOCAL),
        "/tickets": (LEARNER,),
        "/insights": (LEARNER,),
    }
    callbacks = {
        f"inv:{comsats}": (LEARNER, FOCAL),
        f"fp:revoke:{FOCAL}": (LEARNER, FOCAL, OTHER_FOCAL),
        f"fp:reassign:{FOCAL}": (LEARNER, OTHER_FOCAL),
        f"fpm:{FOCAL}:{comsats + 1}": (LEARNER, FOCAL, OTHER_FOCAL),
        f"tk:answer:{ticket.id}": (LEARNER, OTHER_FOCAL),
        f"tk:pass:{ticket.id}": (LEARNER, OTHER_FOCAL),
        f"faq:add:{ticket.id}": (LEARNER, OTHER_FOCAL),
        f"faq:review:{entry.id}": (LEARNER, FOCAL, OTHER_FOCAL),
        f"faq:remove:{entry.id}": (LEARNER, FOCAL, OTHER_FOCAL),
    }
    caplog.set_level(logging.WARNING, "hecbot.permissions")
    refusals = 0
    for command, users in commands.items():
        for user_id in users:
            [reply] = await people.send(user_id, command)
            assert reply.text == REFUSAL, (command, user_id, reply.text)
            refusals += 1
    for data, users in callbacks.items():
        for user_id in users:
            any_bot_message = people.messages(user_id)[-1]
            await people.press(user_id, any_bot_message, data, expect=0, check_button=False)
            assert people.last_alert() == REFUSAL, (data, user_id)
            refusals += 1

    assert caplog.text.count("refused") >= refusals
    # Nothing changed.
    assert await count(people, FocalInvite) == invites_before
    assert await count(people, FaqEntry) == 1
    async with people.services.database.session() as session:
        focal = await session.get(User, FOCAL)
        ticket_after = await session.get(Ticket, ticket.id)
        entry_after = await session.get(FaqEntry, entry.id)
        states = (await session.exec(select(FsmRecord))).all()
    assert focal is not None and (focal.role, focal.university_id) == (
        Role.FOCAL_PERSON.value,
        comsats,
    )
    assert ticket_after is not None and ticket_after.route == "focal"
    assert entry_after is not None and entry_after.reviewed_at is None
    assert [r.state for r in states if r.state] == []

    # The admin may do each of them.
    [choices] = await people.send(ADMIN, "/invite_focal comsats")
    assert choices.callback_data[0] == f"inv:{comsats}"
    [listing_header, *rows] = await people.send(ADMIN, "/focals", expect=3)
    assert "Focal persons (2)" in (listing_header.text or "")
    await people.press(ADMIN, rows[0], f"faq:review:{entry.id}", expect=0, check_button=False)
    assert "approved" in people.last_alert()
