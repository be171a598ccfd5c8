"""HEC admins upload a survey file in the chat and read results with charts; learners cannot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.services.surveys import SurveyService
from tests.e2e.harness import BotHarness, Learner
from tests.fakebotapi import FakeTelegram
from tests.surveys.factories import add_learners, seed_responses, shipped_survey
from tests.surveys.test_results import impact_answers

ADMIN, FOCAL, LEARNER = 5001, 5002, 5003


@pytest.fixture
async def bot_world(settings: Settings) -> AsyncIterator[tuple[FakeTelegram, BotHarness]]:
    async with FakeTelegram() as fake:
        running = BotHarness(fake, settings)
        services = await running.start()
        past = datetime.now(UTC) - timedelta(days=3)
        await add_learners(services.database, [ADMIN], created_at=past, role="admin")
        await add_learners(
            services.database, [FOCAL], created_at=past, role="focal_person", university_id=2
        )
        await add_learners(services.database, [LEARNER], created_at=past, university_id=2)
        try:
            yield fake, running
        finally:
            await running.stop()


async def upload(fake: FakeTelegram, admin: Learner, source: str) -> None:
    before = len(fake.requests("sendMessage", chat_id=admin.id))
    fake.push_message(admin.id, document=(source.encode("utf-8"), "survey.yaml"))
    await fake.wait_for(
        "sendMessage", lambda r: r.chat_id == admin.id, count=before + 1, timeout=10
    )


async def test_admin_uploads_a_broken_file_then_a_good_one_and_saves_it(
    bot_world: tuple[FakeTelegram, BotHarness],
) -> None:
    fake, running = bot_world
    admin = Learner(fake, ADMIN)
    assert "YAML file" in await admin.say("/survey_upload")

    broken = shipped_survey("answer-pulse").replace("type: yes_no", "type: thumbs")
    await upload(fake, admin, broken)
    assert "1 problem(s)" in admin.last_text
    assert "line 10: unknown question type 'thumbs'" in admin.last_text

    await upload(fake, admin, shipped_survey("answer-pulse").replace("version: 1", "version: 3"))
    await fake.wait_for(
        "sendMessage", lambda r: r.chat_id == ADMIN and "Save" in str(r.params), timeout=10
    )
    assert "Did the bot's last answer help you?" in admin.last_text
    saved = await admin.press("Save")
    assert "Saved survey answer-pulse version 3" in saved
    assert "/survey_send answer-pulse" in saved  # the command here, not only the server's
    assert "started (wave 1)" in await admin.say("/survey_send answer-pulse")
    again = await admin.say("/survey_send answer-pulse")  # sent twice: still one wave
    assert "already being sent: wave 1" in again and "No second wave" in again
    assert running.services is not None
    listed = await SurveyService(running.services.database).list_surveys()
    assert [(s.slug, s.version) for s in listed] == [("answer-pulse", 3)]


async def test_a_survey_file_that_is_not_utf8_is_told_so(
    bot_world: tuple[FakeTelegram, BotHarness],
) -> None:
    """Saved as Notepad's "Unicode" (UTF-16), a .yaml file was told "Please send the survey as
    a .yaml file attachment": it was one. It is told it is not UTF-8; the UTF-8 copy is read."""
    fake, _ = bot_world
    admin = Learner(fake, ADMIN)
    await admin.say("/survey_upload")
    source = shipped_survey("answer-pulse")
    before = len(fake.requests("sendMessage", chat_id=ADMIN))
    fake.push_message(ADMIN, document=(source.encode("utf-16"), "survey.yaml"))
    await fake.wait_for("sendMessage", lambda r: r.chat_id == ADMIN, count=before + 1)
    assert "not UTF-8" in admin.last_text and ".yaml file attachment" not in admin.last_text
    await upload(fake, admin, source)
    await fake.wait_for(
        "sendMessage", lambda r: r.chat_id == ADMIN and "Save" in str(r.params), timeout=10
    )


async def test_learners_cannot_upload_or_read_results(
    bot_world: tuple[FakeTelegram, BotHarness],
) -> None:
    fake, _ = bot_world
    learner = Learner(fake, LEARNER)
    assert "not allowed" in await learner.say("/survey_upload")
    assert "not allowed" in await learner.say("/results impact")
    assert "not allowed" in await learner.say("/survey_send impact")


async def test_results_come_with_one_chart_per_question_and_focal_persons_see_their_own(
    bot_world: tuple[FakeTelegram, BotHarness],
) -> None:
    fake, running = bot_world
    assert running.services is not None
    database = running.services.database
    surveys = SurveyService(database)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact")
    await seed_responses(
        database,
        "impact",
        impact_answers(20, skills=19, outcome=10, freelancers=10, earning_more=5, keep=20),
        university_id=1,
    )
    await seed_responses(
        database,
        "impact",
        impact_answers(4, skills=1, outcome=1, freelancers=2, earning_more=1, keep=4),
        university_id=2,
    )

    admin = Learner(fake, ADMIN)
    fake.push_message(ADMIN, "/results impact")
    photos = await fake.wait_for("sendPhoto", lambda r: r.chat_id == ADMIN, count=6, timeout=30)
    texts = [m.text or "" for m in fake.messages_to(ADMIN)]
    assert any("83% reported skill gains (20/24)" in text for text in texts)
    assert all(upload.data.startswith(b"\x89PNG") for upload in fake.uploaded_files())
    assert len(photos) >= 6
    del admin

    fake.push_message(FOCAL, "/results impact")
    await fake.wait_for("sendPhoto", lambda r: r.chat_id == FOCAL, count=6, timeout=30)
    focal_texts = [m.text or "" for m in fake.messages_to(FOCAL)]
    assert any("Responses: 4 of" in text and "(COMSATS)" in text for text in focal_texts)


async def test_results_without_a_known_id_lists_the_surveys_there_are(
    bot_world: tuple[FakeTelegram, BotHarness],
) -> None:
    """`/results` said "for example /results impact" whatever surveys the bot had, and an id
    that is no survey "could not find that": a focal person had no way to learn the ids. Both
    list the surveys, with the responses of the focal person's own university."""
    fake, running = bot_world
    assert running.services is not None
    database = running.services.database
    focal = Learner(fake, FOCAL)
    assert "No survey has been added yet" in await focal.say("/results")
    surveys = SurveyService(database)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact")
    for university_id, count in ((1, 5), (2, 3)):
        await seed_responses(
            database,
            "impact",
            impact_answers(count, skills=1, outcome=1, freelancers=1, earning_more=1, keep=1),
            university_id=university_id,
        )

    listed = await focal.say("/results")
    assert "Which survey?" in listed and "impact" in listed and "(3 responses)" in listed
    unknown = await focal.say("/results impakt")
    assert "There is no survey impakt" in unknown and "impact" in unknown


BILLION_LAUGHS = """id: lol
version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


async def test_an_alias_bomb_is_refused_with_its_line_and_the_bot_keeps_answering(
    bot_world: tuple[FakeTelegram, BotHarness],
) -> None:
    fake, _ = bot_world
    assert len(BILLION_LAUGHS.encode()) < 400
    admin = Learner(fake, ADMIN)
    assert "YAML file" in await admin.say("/survey_upload")
    await upload(fake, admin, BILLION_LAUGHS)
    assert "anchors and aliases" in admin.last_text
    assert "line 3" in admin.last_text
    assert await admin.say("/help")  # and the bot still answers
