"""/forget through the real bot leaves no id and no words of the person in any column of any table.

Also /mydata exports what the registry declares (surveys, plan, RSVPs), and a focal person's
/results stops quoting the forgotten learner.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel
from sqlmodel import select as sqlmodel_select

from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import SurveyService
from bot.services.universities import UniversityService
from bot.storage import all_models  # noqa: F401
from bot.storage.broadcast_models import Webinar, WebinarRsvp
from bot.storage.courses_models import Course, CoursePlanEntry
from bot.storage.models import Role
from bot.storage.survey_models import SurveyAnswer, SurveyResponse, SurveyWave
from bot.storage.types import utcnow
from tests.e2e.people.conftest import PeopleBot
from tests.factories import make_user
from tests.surveys.factories import shipped_survey

LEARNER = 5_000_000_777
FOCAL = 5_000_000_888
EMAIL = "ali.khan.private@example.com"
WORD = "zebracorn"  # in nothing but this person's words
COMMENT = f"Please write to me at {EMAIL} about the {WORD} licence"
QUESTION = f"Can I get a {WORD} laptop? my address is {EMAIL}"


async def every_value(people: PeopleBot) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every cell of every table."""
    found: list[tuple[str, str, Any]] = []
    async with people.services.database.session() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            for row in await connection.execute(select(table)):
                for column, value in row._mapping.items():
                    found.append((table.name, column, value))
    return found


async def results_text(people: PeopleBot) -> str:
    """The focal person's /results figures, as text."""
    before = len(people.messages(FOCAL))
    people.tg.push_message(FOCAL, "/results impact")

    def figures() -> list[str]:
        return [
            m.text or "" for m in people.messages(FOCAL)[before:] if "Responses:" in (m.text or "")
        ]

    await people.until(lambda: bool(figures()), "the focal person's /results")
    return "\n".join(figures())


async def my_data(people: PeopleBot) -> dict[str, Any]:
    """The learner's /mydata file, parsed."""

    def files() -> list[bytes]:
        return [f.data for f in people.tg.uploaded_files() if f.filename == "hecbot-my-data.json"]

    before = len(files())
    people.tg.push_message(LEARNER, "/mydata")
    await people.until(lambda: len(files()) > before, "the learner's /mydata file")
    exported: dict[str, Any] = json.loads(files()[-1])
    return exported


async def seed_survey_answer(people: PeopleBot, university_id: int) -> None:
    """The learner is invited (through the outbox) and has answered with a written comment."""
    database = people.services.database
    surveys = SurveyService(database)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact")
    scheduler = SurveyScheduler(database, people.services.outbox, people.services.catalogue)
    assert await scheduler.run_due(utcnow() + timedelta(seconds=1)) >= 1
    async with database.session() as session:
        wave = (await session.exec(sqlmodel_select(SurveyWave))).one()
        assert wave.id is not None
        response = SurveyResponse(
            wave_id=wave.id,
            survey_version_id=wave.survey_version_id,
            slug="impact",
            user_id=LEARNER,
            university_id=university_id,
            role="learner",
            completed_at=utcnow(),
        )
        session.add(response)
        await session.flush()
        session.add(SurveyAnswer(response_id=response.id, question_id="skills", value="a_lot"))
        session.add(SurveyAnswer(response_id=response.id, question_id="comment", value=COMMENT))


async def seed_plan_and_rsvp(people: PeopleBot, university_id: int) -> None:
    async with people.services.database.session() as session:
        course = Course(url="https://www.coursera.org/learn/python", title="Python")
        webinar = Webinar(
            title="Licences Q&A",
            starts_at=utcnow() + timedelta(days=2),
            duration_minutes=60,
            join_link="https://meet.example.org/x",
            university_id=university_id,
            created_by=FOCAL,
        )
        session.add(course)
        session.add(webinar)
        await session.flush()
        assert course.id is not None and webinar.id is not None
        session.add(CoursePlanEntry(user_id=LEARNER, course_id=course.id))
        session.add(
            WebinarRsvp(webinar_id=webinar.id, user_id=LEARNER, university_id=university_id)
        )


async def test_forget_leaves_no_id_and_no_words_in_any_table(people_bot: PeopleBot) -> None:
    people = people_bot
    universities = UniversityService(people.services.database)
    await universities.ensure_loaded()
    comsats = (await universities.search("comsats"))[0].university.id
    await make_user(people.services.database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats)

    await people.onboard(LEARNER)
    await people.send(LEARNER, QUESTION)
    await seed_plan_and_rsvp(people, comsats)
    await seed_survey_answer(people, comsats)
    await people.until(
        lambda: any("survey" in (m.text or "").lower() for m in people.messages(LEARNER)),
        "the survey invitation reaches the learner",
    )

    # Before: the focal person's /results quotes the comment; /mydata holds everything.
    assert EMAIL in await results_text(people)
    exported = await my_data(people)
    assert exported["profile"]["telegram_id"] == LEARNER
    assert [q["question"] for q in exported["questions"]] == [QUESTION]
    assert exported["survey_responses"][0]["answers"]["comment"] == COMMENT
    assert len(exported["survey_invitations"]) == 1
    assert len(exported["course_plan"]) == 1 and len(exported["webinar_rsvps"]) == 1

    [confirm] = await people.send(LEARNER, "/forget")
    [done] = await people.press(LEARNER, confirm, people.button(confirm, "forget"))
    assert "deleted" in (done.text or "").lower()

    leaks = [
        (table, column, value)
        for table, column, value in await every_value(people)
        if any(secret in str(value) for secret in (str(LEARNER), EMAIL, WORD))
    ]
    assert leaks == []

    # The survey is still counted (the rating answer stays), without the person or the comment.
    text = await results_text(people)
    assert EMAIL not in text and "Responses: 1" in text

    # /mydata now has nothing about them but the fresh profile of this very request.
    exported = await my_data(people)
    assert exported["questions"] == [] and exported["survey_responses"] == []
    assert exported["course_plan"] == [] and exported["webinar_rsvps"] == []


async def test_a_forgotten_focal_person_leaves_no_id_on_what_they_made(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    universities = UniversityService(people.services.database)
    await universities.ensure_loaded()
    comsats = (await universities.search("comsats"))[0].university.id
    await make_user(people.services.database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats)
    await people.onboard(LEARNER)
    await seed_plan_and_rsvp(people, comsats)
    # A job made by the focal person, with its status message in their chat.
    await people.services.outbox.enqueue_job(
        kind="broadcast", reference="broadcast:1", messages=[], created_by=FOCAL
    )

    [confirm] = await people.send(FOCAL, "/forget")
    await people.press(FOCAL, confirm, people.button(confirm, "forget"))

    leaks = [cell for cell in await every_value(people) if str(FOCAL) in str(cell[2])]
    assert leaks == []
