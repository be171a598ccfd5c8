"""The two statements every question runs, a known learner's lookup and the question's row, go
through a plain connection instead of an ORM session (bot CPU per question): the rows and the
profiles are the ones the ORM gave, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.services.questions import QuestionService
from bot.services.users import UserService
from bot.storage.db import Database
from bot.storage.models import QuestionLog, Role, User
from bot.storage.types import utcnow
from tests.production.doubles import EchoAnswerer


async def _stored(database: Database) -> list[QuestionLog]:
    async with database.session() as session:
        return list((await session.exec(select(QuestionLog).order_by(col(QuestionLog.id)))).all())


async def _user(database: Database, user_id: int) -> User:
    async with database.session() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


async def test_a_questions_row_has_every_column_the_orm_gave_it(database: Database) -> None:
    questions = QuestionService(database, EchoAnswerer())
    before = utcnow()
    first = await questions.ask(
        7, "Who is eligible for a licence?", channel="telegram", university_id=3
    )
    second = await questions.ask(8, "ok", channel="terminal")  # content-free: recorded too

    answered, content_free = await _stored(database)
    assert (answered.id, content_free.id) == (first.id, second.id)
    assert first.id != second.id
    assert (answered.user_id, answered.university_id, answered.channel) == (7, 3, "telegram")
    assert answered.question == "Who is eligible for a licence?"
    assert answered.answer == "Answer to: Who is eligible for a licence?"
    assert answered.language == "en" and not answered.abstained and not answered.content_free
    assert answered.top_section == "Licences › Who is eligible"
    assert answered.citations == [
        {
            "title": "Licences",
            "section": "Who is eligible",
            "source": "licences.md",
            "score": 0.9,
            "translation_title": "",
            "translation_section": "",
        }
    ]
    assert answered.latency_ms == 1.0
    assert answered.feedback is None and answered.feedback_at is None
    assert before - timedelta(seconds=1) <= answered.created_at <= utcnow()
    assert answered.created_at.tzinfo is not None  # the UTC type's, as the ORM stored it
    assert content_free.content_free and content_free.answer == ""
    assert content_free.citations == [] and content_free.top_section is None
    assert (content_free.user_id, content_free.channel) == (8, "terminal")


async def test_a_known_learners_profile_comes_from_one_lookup(database: Database) -> None:
    users = UserService(database)
    created = await users.get_or_create(7, language_code="ur")
    assert created.is_new
    async with database.session() as session:
        user = await session.get(User, 7)
        assert user is not None
        user.university_id, user.learner_kind = 4, "student"
        user.onboarded_at = utcnow()
        session.add(user)

    known = await users.get_or_create(7, language_code="en")

    assert not known.is_new
    assert (known.id, known.language, known.role) == (7, "ur", Role.LEARNER)
    assert (known.university_id, known.learner_kind) == (4, "student")
    assert known.onboarded_at == (await _user(database, 7)).onboarded_at


async def test_a_blocked_learner_who_writes_is_unblocked(database: Database) -> None:
    users = UserService(database)
    await users.get_or_create(7)
    await users.mark_unreachable(7)
    assert (await _user(database, 7)).is_blocked

    await users.get_or_create(7)

    assert not (await _user(database, 7)).is_blocked


async def test_a_known_user_listed_as_admin_is_promoted(database: Database) -> None:
    await UserService(database).get_or_create(7)

    profile = await UserService(database, admin_ids=frozenset({7})).get_or_create(7)

    assert profile.role is Role.ADMIN and not profile.is_new
    assert (await _user(database, 7)).role == Role.ADMIN.value
