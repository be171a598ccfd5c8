"""Staff flows do what they promise (issue 13, item 13)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import SurveyService
from bot.storage.survey_models import SurveyInvitation
from bot.storage.types import utcnow
from handlers.buttons import TelegramButtons
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.e2e.people.test_people_story import invite_link
from tests.e2e.trust.conftest import FOCAL, LEARNER, ticket_to_focal
from tests.surveys.factories import shipped_survey

LEARNER_QUESTION = "Is the licence valid after I graduate?"
STAFF_QUESTION = "Testing the bot as the focal person: what about hostels?"
ADMIN_QUESTION = "Admin trying the bot: are exams proctored?"


async def test_insights_count_only_learners_questions(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    await people.onboard(LEARNER, "comsats")
    await people.send(LEARNER, LEARNER_QUESTION)
    await people.send(FOCAL, STAFF_QUESTION)
    await people.send(ADMIN, ADMIN_QUESTION)

    report, _ = await people.send(ADMIN, "/insights", expect=2)
    text = report.text or ""
    assert LEARNER_QUESTION in text
    assert STAFF_QUESTION not in text and ADMIN_QUESTION not in text
    insights = people.services.insights
    counted = await insights.report(None)
    assert counted.total_questions == 1


async def test_insights_reads_a_date_and_names_the_format_of_a_wrong_one(
    people_bot: PeopleBot,
) -> None:
    """`/insights 2026-13-45` was searched for as a university's name ("could not find"): a
    date that is not one is told the format; a valid date counts from that day."""
    people = people_bot
    await people.onboard_staff(ADMIN)
    await people.onboard(LEARNER, "comsats")
    await people.send(LEARNER, LEARNER_QUESTION)

    for wrong in ("2026-13-45", "13/11/2026", "۲۰۲۶-۰۲-۳۰"):
        [told] = await people.send(ADMIN, f"/insights {wrong}")
        assert "YYYY-MM-DD" in (told.text or ""), wrong

    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    report, _ = await people.send(ADMIN, f"/insights {tomorrow}", expect=2)
    assert f"Since {tomorrow}" in (report.text or "")
    assert LEARNER_QUESTION not in (report.text or "")
    report, _ = await people.send(ADMIN, "/insights 2020-01-01 comsats", expect=2)
    assert "COMSATS" in (report.text or "") and LEARNER_QUESTION in (report.text or "")


async def test_survey_send_without_a_role_reaches_learners_only(
    people_bot: PeopleBot, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    await people.onboard(LEARNER, "comsats")
    seen = {user: len(people.messages(user)) for user in (ADMIN, FOCAL, LEARNER)}
    surveys = SurveyService(people.services.database)
    await surveys.add_survey(shipped_survey("impact"))

    # `hecbot survey send impact`, no --role, on the running bot's database.
    monkeypatch.setenv("HECBOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HECBOT_LOG_LEVEL", "WARNING")
    sent = await asyncio.to_thread(CliRunner().invoke, app, ["survey", "send", "impact"])
    assert sent.exit_code == 0, sent.output
    assert "roles learner" in sent.output

    scheduler = SurveyScheduler(
        people.services.database,
        people.services.outbox,
        people.services.catalogue,
        buttons=TelegramButtons(people.services.catalogue),
    )
    assert await scheduler.run_due(utcnow() + timedelta(seconds=1)) == 1
    await people.until(
        lambda: len(people.messages(LEARNER)) > seen[LEARNER], "the learner's invitation"
    )
    async with people.services.database.session() as session:
        invited = [row.user_id for row in (await session.exec(select(SurveyInvitation))).all()]
    assert invited == [LEARNER]
    assert len(people.messages(FOCAL)) == seen[FOCAL]
    assert len(people.messages(ADMIN)) == seen[ADMIN]


async def test_a_learner_whose_ticket_nobody_can_answer_is_told_so(
    people_bot: PeopleBot,
) -> None:
    """No focal person for their university and no HEC admin on the bot: no false promise."""
    people = people_bot
    await people.onboard(LEARNER, "comsats")
    [abstained] = await people.send(LEARNER, LEARNER_QUESTION)
    [told] = await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    assert "nobody can answer it yet" in (told.text or "")
    assert "will arrive" not in (told.text or "")


async def test_an_admin_who_never_onboarded_answers_a_ticket_by_replying(
    people_bot: PeopleBot,
) -> None:
    """An HEC admin who only ever pressed /start still answers the desk's ticket."""
    people = people_bot
    await people.send(ADMIN, "/start")  # the privacy notice, never accepted
    await people.onboard(LEARNER, "comsats")  # COMSATS has no focal person: the desk answers
    [abstained] = await people.send(LEARNER, LEARNER_QUESTION)
    await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    await people.until(lambda: "🎫" in (people.messages(ADMIN)[-1].text or ""), "ticket")
    ticket = people.messages(ADMIN)[-1]
    [confirmation] = await people.send(
        ADMIN, "Yes, until the licence's end date.", reply_to_message_id=ticket.message_id
    )
    assert "was sent to the learner" in (confirmation.text or "")
    await people.until(
        lambda: "until the licence's end date" in (people.messages(LEARNER)[-1].text or ""),
        "the answer reaches the learner",
    )


async def test_an_invited_focal_person_is_told_what_to_do(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard_staff(ADMIN)
    link = await invite_link(people)
    [accepted, notice] = await people.send(FOCAL, f"/start {link}", expect=2)
    assert "privacy notice" in (accepted.text or "")
    assert "Reply to a ticket" in (accepted.text or "") and "/tickets" in (accepted.text or "")
    [language] = await people.press(FOCAL, notice, "ob:privacy:yes")
    [done] = await people.press(FOCAL, language, "ob:lang:en")
    assert "reply to a ticket" in (done.text or "") and "/tickets" in (done.text or "")


async def test_an_answer_too_long_is_refused_with_its_limit_and_the_shorter_one_answers(
    people_bot: PeopleBot,
) -> None:
    """A focal person pressed Answer and typed more than fits: the bot names the limit, and the
    shortened answer typed next still answers the ticket (it once became a question for the
    knowledge base: the step had ended with the refused text)."""
    people = people_bot
    ticket = await ticket_to_focal(people, LEARNER_QUESTION)
    [prompt] = await people.press(FOCAL, ticket, people.button(ticket, "tk:answer:"))
    assert "Type your answer" in (prompt.text or "")

    [refused] = await people.send(FOCAL, "Yes. " * 700)  # 3,499 characters
    assert "3,499 characters" in (refused.text or "") and "3,000" in (refused.text or "")
    [replied] = await people.send(
        FOCAL, "Too long by replying too. " * 150, reply_to_message_id=ticket.message_id
    )
    assert "at most 3,000" in (replied.text or "")
    [sent] = await people.send(FOCAL, "Yes, until the licence's end date.")
    assert "was sent to the learner" in (sent.text or "")
    await people.until(
        lambda: "until the licence's end date" in (people.messages(LEARNER)[-1].text or ""),
        "the answer reaches the learner",
    )
    # The step ended with the accepted answer: the next text is a question again.
    [question] = await people.send(FOCAL, STAFF_QUESTION)
    assert "was sent to the learner" not in (question.text or "")


async def test_an_answer_to_a_learner_who_blocked_the_bot_is_not_said_to_be_sent(
    people_bot: PeopleBot,
) -> None:
    """The learner blocked the bot after asking: the answer is kept, and the focal person was
    told "Your answer ... was sent to the learner", which nobody sent."""
    people = people_bot
    ticket = await ticket_to_focal(people, LEARNER_QUESTION)
    await people.services.users.mark_unreachable(LEARNER)
    [told] = await people.send(FOCAL, "Yes, it is.", reply_to_message_id=ticket.message_id)
    assert "has blocked the bot" in (told.text or "") and "was sent" not in (told.text or "")
    assert "faq:add" in str(told.callback_data)
