"""The people feature end to end: real dispatcher, fake Telegram, real database.

A learner onboards and asks what the rules do not cover; the question reaches the focal person
of their university, whose answer reaches the learner and becomes an FAQ entry that answers the
next learner who asks the same.
"""

from __future__ import annotations

import asyncio
import json
import re

from sqlmodel import select

from bot.storage.models import QuestionLog, Role, User
from bot.storage.people_models import Ticket
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.fakebotapi import ChatStatus

FOCAL, LEARNER, SECOND_LEARNER = 2001, 1001, 1002
QUESTION = "Can I pause my licence during my exams?"
ANSWER = "Yes: ask your focal person before the 1st of the month and your seat is kept."


async def invite_link(people: PeopleBot, university: str = "COMSATS University Islamabad") -> str:
    [choices] = await people.send(ADMIN, f"/invite_focal {university}")
    [created] = await people.press(ADMIN, choices, choices.callback_data[0])
    match = re.search(r"https://t\.me/hecbot_test_bot\?start=(\S+)", created.text or "")
    assert match, created.text
    return match.group(1)


async def test_question_reaches_focal_person_and_the_answer_becomes_an_faq(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    token = await invite_link(people)
    await people.onboard_staff(FOCAL, f"/start {token}")
    await people.onboard(LEARNER, "comsats")

    # The bot cannot answer: the learner is offered their focal person.
    [abstained] = await people.send(LEARNER, QUESTION)
    assert "I don't know the answer" in (abstained.text or "")
    escalate = people.button(abstained, "esc:")
    [sent] = await people.press(LEARNER, abstained, escalate)
    assert "focal person" in (sent.text or "")

    # The focal person gets the ticket: question, university, no phone number or name.
    await people.until(lambda: "🎫" in (people.messages(FOCAL)[-1].text or ""), "ticket sent")
    ticket_message = people.messages(FOCAL)[-1]
    assert QUESTION in (ticket_message.text or "")
    assert "COMSATS University Islamabad" in (ticket_message.text or "")
    assert str(LEARNER) not in (ticket_message.text or "")

    # They answer by replying to it; the learner receives it from "your focal person".
    [confirmation] = await people.send(FOCAL, ANSWER, reply_to_message_id=ticket_message.message_id)
    assert "was sent to the learner" in (confirmation.text or "")
    await people.until(lambda: ANSWER in (people.messages(LEARNER)[-1].text or ""), "answer")
    delivered = people.messages(LEARNER)[-1]
    assert "An answer from your focal person" in (delivered.text or "")
    await people.press(LEARNER, delivered, people.button(delivered, "tkr:"), expect=0)
    assert people.last_alert() == "Thank you for your feedback!"

    # "Add to knowledge base": a draft for HEC; once an admin approves it, it is indexed...
    await people.press(FOCAL, confirmation, people.button(confirmation, "faq:add"), expect=0)
    assert "FAQ draft #1" in people.last_alert()
    assert people.answerer.index_calls == 0
    [_, draft, _] = await people.send(ADMIN, "/faq", expect=3)
    await people.press(ADMIN, draft, people.button(draft, "faq:approve"), expect=0)
    assert people.answerer.index_calls == 1

    # ...so the next learner who asks the same gets the answer from the bot.
    await people.onboard(SECOND_LEARNER, "COMSATS")
    [answered] = await people.send(SECOND_LEARNER, QUESTION.upper())
    assert ANSWER in (answered.text or "")
    assert "Questions answered by focal persons" in (answered.text or "")
    assert not any(d.startswith("esc:") for d in answered.callback_data)

    async with people.services.database.session() as session:
        ticket = (await session.exec(select(Ticket))).one()
    assert (ticket.status, ticket.rating, ticket.answered_by) == ("answered", 1, FOCAL)


async def test_thumbs_down_offers_the_focal_person_and_no_focal_goes_to_the_desk(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    await people.onboard(LEARNER, "central punjab")
    # Index an FAQ file by hand so the bot answers something, then the learner presses 👎.
    faq_dir = people.services.settings.data_dir / "faq"
    faq_dir.mkdir(parents=True)
    (faq_dir / "manual.md").write_text("# FAQ\n\n## What is the deadline?\n\nJune 30.\n\n")
    people.answerer.index_paths([faq_dir])
    [answer] = await people.send(LEARNER, "What is the deadline?")
    assert "June 30." in (answer.text or "") and not any(
        d.startswith("esc:") for d in answer.callback_data
    )
    await people.press(LEARNER, answer, people.button(answer, "fb:"), expect=0)
    # 👍 first, then 👎 (a new vote replaces the old): the keyboard gains "Ask my focal person".
    thumbs_down = answer.callback_data[1]
    await people.press(LEARNER, answer, thumbs_down, expect=0)
    await people.until(
        lambda: any(d.startswith("esc:") for d in people.messages(LEARNER)[-1].callback_data),
        "escalation offered",
    )
    answer = people.messages(LEARNER)[-1]
    [sent] = await people.press(LEARNER, answer, people.button(answer, "esc:"))
    assert "HEC desk" in (sent.text or "")  # UCP has no focal person
    await people.until(lambda: "🎫" in (people.messages(ADMIN)[-1].text or ""), "desk ticket")
    desk_ticket = people.messages(ADMIN)[-1]
    assert "no reachable focal person" in (desk_ticket.text or "")
    assert "June 30." in (desk_ticket.text or "")  # the bot's attempt comes with the question

    # The desk answers with the Answer button, then typing.
    [prompt] = await people.press(ADMIN, desk_ticket, people.button(desk_ticket, "tk:answer"))
    assert "Type your answer" in (prompt.text or "")
    await people.send(ADMIN, "The deadline moved to July 15.")
    await people.until(
        lambda: "July 15" in (people.messages(LEARNER)[-1].text or ""), "desk answer"
    )
    assert "from the HEC desk" in (people.messages(LEARNER)[-1].text or "")


async def test_focal_person_who_blocked_the_bot_the_ticket_goes_to_the_desk(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    await people.onboard(LEARNER, "comsats")
    people.tg.set_chat_status(FOCAL, ChatStatus.BLOCKED)

    [abstained] = await people.send(LEARNER, QUESTION)
    await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    await people.until(
        lambda: (
            len(people.tg.requests("sendMessage", FOCAL)) > 0
            and people.tg.requests("sendMessage", FOCAL)[-1].status == 403
        ),
        "blocked",
    )
    # The delivery worker records the refusal just after Telegram's 403.
    for _ in range(100):
        async with people.services.database.session() as session:
            focal = await session.get(User, FOCAL)
        if focal is not None and focal.is_blocked:
            break
        await asyncio.sleep(0.05)
    assert focal is not None and focal.is_blocked

    tickets = people.services.extras["tickets"]
    from bot.storage.types import utcnow

    assert await tickets.run_due(utcnow()) == 1
    await people.until(lambda: "🎫" in (people.messages(ADMIN)[-1].text or ""), "desk ticket")
    assert QUESTION in (people.messages(ADMIN)[-1].text or "")
    # A later ticket skips the blocked focal person straight away.
    [second] = await people.send(LEARNER, "Another question nobody wrote down?")
    [sent] = await people.press(LEARNER, second, people.button(second, "esc:"))
    assert "HEC desk" in (sent.text or "")


async def test_tickets_list_mydata_and_insights(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    await people.onboard(LEARNER, "comsats")
    [abstained] = await people.send(LEARNER, QUESTION)
    await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    # The ticket reaches the focal person through the outbox; let it arrive first, so the
    # next message in their chat is the /tickets listing and not the ticket itself.
    await people.until(
        lambda: any("🎫" in (m.text or "") for m in people.messages(FOCAL)), "ticket to focal"
    )

    [listing] = await people.send(FOCAL, "/tickets")
    assert QUESTION in (listing.text or "") and "oldest first" in (listing.text or "")
    assert listing.callback_data == ["tk:answer:1"]

    [document] = await people.send(LEARNER, "/mydata")
    file_id = document.raw["document"]["file_id"]
    exported = json.loads(people.tg.file_bytes(file_id))
    assert exported["profile"]["university"] == "COMSATS University Islamabad"
    assert exported["questions"][0]["question"] == QUESTION
    assert "phone" not in json.dumps(exported)

    report, chart = await people.send(ADMIN, "/insights", expect=2)
    assert "Questions the bot could not answer" in (report.text or "")
    assert QUESTION in (report.text or "")
    assert "photo" in chart.raw
    own, _ = await people.send(FOCAL, "/insights", expect=2)
    assert "Insights: COMSATS" in (own.text or "")
    [refused] = await people.send(FOCAL, "/insights central punjab")
    assert refused.text == "Sorry, you are not allowed to do that."
    other, _ = await people.send(ADMIN, "/insights central punjab", expect=2)
    assert "Insights: UCP" in (other.text or "") and QUESTION not in (other.text or "")


async def test_forget_then_start_again(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard(LEARNER, "comsats")
    await people.send(LEARNER, QUESTION)
    [confirm] = await people.send(LEARNER, "/forget")
    [done] = await people.press(LEARNER, confirm, "forget:1")
    assert "deleted" in (done.text or "")
    async with people.services.database.session() as session:
        user = await session.get(User, LEARNER)
        questions = (await session.exec(select(QuestionLog))).all()
    # The middleware may have re-created a bare row (id + language) for the button press.
    assert user is None or (user.university_id is None and user.privacy_accepted_at is None)
    assert [q.user_id for q in questions] == [None]

    [notice] = await people.send(LEARNER, "/start")
    assert "Privacy first" in (notice.text or "")
    await people.onboard(LEARNER, "nust")
    async with people.services.database.session() as session:
        user = await session.get(User, LEARNER)
    assert user is not None and user.role == Role.LEARNER.value and user.onboarded_at
