"""First contact is short, and /help shows each person the commands of their role."""

from __future__ import annotations

from bot.storage.models import Role
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.factories import make_user

NEWCOMER = 5_000_004_001
LEARNER = 5_000_004_002
FOCAL = 5_000_004_003
QUESTION = "Can I pause my licence during my exams?"


async def test_a_question_before_accepting_gets_one_line_and_is_answered_after_accepting(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    faq_dir = people.services.settings.data_dir / "faq"
    faq_dir.mkdir(parents=True)
    (faq_dir / "manual.md").write_text(f"# FAQ\n\n## {QUESTION}\n\nYes, for one month.\n\n")
    people.answerer.index_paths([faq_dir])

    [reminder] = await people.send(NEWCOMER, QUESTION)
    text = reminder.text or ""
    assert "\n" not in text and len(text) < 200, text  # one line, not the notice again
    assert "privacy" in text.lower()
    accept = people.button(reminder, "ob:privacy:yes")
    # Another message before accepting: still one line, still nothing answered.
    [again] = await people.send(NEWCOMER, "hello?")
    assert "\n" not in (again.text or "")

    answer, language_step = await people.press(NEWCOMER, reminder, accept, expect=2)
    assert "for one month" in (answer.text or "")
    assert "language" in (language_step.text or "").lower()


async def test_help_lists_the_commands_of_each_role(people_bot: PeopleBot) -> None:
    people = people_bot
    await people.onboard(LEARNER)
    await make_user(people.services.database, FOCAL, role=Role.FOCAL_PERSON, university_id=1)
    await make_user(people.services.database, ADMIN, role=Role.ADMIN)

    [learner_help] = await people.send(LEARNER, "/help")
    [focal_help] = await people.send(FOCAL, "/help")
    [admin_help] = await people.send(ADMIN, "/help")

    for text in (learner_help.text, focal_help.text, admin_help.text):
        assert text is not None
        assert all(f"/{c}" in text for c in ("courses", "myplan", "surveys", "mydata", "forget"))
    assert "/broadcast" not in (learner_help.text or "")
    assert "/tickets" not in (learner_help.text or "")
    assert "/broadcast" in (focal_help.text or "") and "/tickets" in (focal_help.text or "")
    assert "/focals" not in (focal_help.text or "")
    assert "/focals" in (admin_help.text or "") and "/faq" in (admin_help.text or "")
