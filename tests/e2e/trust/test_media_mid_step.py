"""A photo, sticker, voice note or document sent while a step waits for typed text is told what
the step waits for (it was told "Please type your question"), and the step goes on."""

from __future__ import annotations

from tests.e2e.harness import stored_questions
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.e2e.people.test_people_story import invite_link
from tests.e2e.trust.conftest import FOCAL, LEARNER

OTHER_LEARNER = 1002
IN_STEP = "Please type your answer as a message, or send /cancel"


async def test_media_during_onboarding_and_a_ticket_answer_is_told_what_the_step_waits_for(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    [notice] = await people.send(LEARNER, "/start")
    [language] = await people.press(LEARNER, notice, "ob:privacy:yes")
    [kinds] = await people.press(LEARNER, language, "ob:lang:en")
    await people.press(LEARNER, kinds, "ob:kind:student")
    [photo] = await people.send(LEARNER, "", photo=b"\xff\xd8 a photo of the ID card")
    [sticker] = await people.send(LEARNER, "", sticker="🙂")
    for reply in (photo, sticker):
        assert IN_STEP in (reply.text or "") and "your question" not in (reply.text or "")
    [choices] = await people.send(LEARNER, "comsats")  # the step goes on
    [done] = await people.press(LEARNER, choices, choices.callback_data[0])
    assert "All set" in (done.text or "")

    # Outside any step a voice note is still asked to be a typed question.
    [voice] = await people.send(LEARNER, "", voice=b"OggS voice note")
    assert "Please type your question" in (voice.text or "")

    await people.onboard_staff(ADMIN)
    await people.onboard_staff(FOCAL, f"/start {await invite_link(people)}")
    [abstained] = await people.send(LEARNER, "Can my licence be moved to my brother?")
    await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    await people.until(lambda: "🎫" in (people.messages(FOCAL)[-1].text or ""), "ticket")
    ticket = people.messages(FOCAL)[-1]
    await people.press(FOCAL, ticket, people.button(ticket, "tk:answer:"))
    [document] = await people.send(FOCAL, "", document=(b"%PDF-1.4", "answer.pdf"))
    assert IN_STEP in (document.text or "")
    [sent] = await people.send(FOCAL, "No, a licence is personal.")
    assert "was sent to the learner" in (sent.text or "")


async def test_a_screenshot_with_a_question_as_its_caption_is_asked(people_bot: PeopleBot) -> None:
    """A photo sent with "What does this error mean?" as its caption was told "Please type your
    question": the question was typed. The caption is asked (before onboarding, kept until the
    notice is accepted, as a typed one is)."""
    people = people_bot
    question = "What does this enrolment error mean?"
    [held] = await people.send(LEARNER, question, photo=b"\xff\xd8 a screenshot")
    assert "I will answer your question right after" in (held.text or "")
    assert await stored_questions(people.services) == []

    await people.onboard(OTHER_LEARNER)
    [answer] = await people.send(OTHER_LEARNER, question, photo=b"\xff\xd8 a screenshot")
    assert "don't know" in (answer.text or "") and people.button(answer, "esc:")
    [file_answer] = await people.send(
        OTHER_LEARNER, "Is this certificate valid?", document=(b"%PDF-1.4", "certificate.pdf")
    )
    assert "don't know" in (file_answer.text or "")
    stored = await stored_questions(people.services)
    assert [(q.user_id, q.question) for q in stored] == [
        (OTHER_LEARNER, question),
        (OTHER_LEARNER, "Is this certificate valid?"),
    ]
