"""Data access of learners' questions.

A new question's row is written on the hot path without the ORM: `insert_question` takes the
caller's connection (`Database.statements()`: the service opens it). The rest (a learner's
choice of rule, a vote) take the caller's session, the service owning the transaction. All are
keyword-only, as in `licence_repository`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage.all_models import table_of
from bot.storage.models import QuestionLog
from bot.storage.types import utcnow

_QUESTIONS = table_of("questions")
_INSERT_QUESTION = insert(_QUESTIONS).returning(_QUESTIONS.c.id)


async def insert_question(
    connection: AsyncConnection,
    *,
    user_id: int | None,
    university_id: int | None,
    channel: str,
    question: str,
    language: str,
    answer: str,
    abstained: bool,
    citations: list[dict[str, Any]],
    top_section: str | None,
    latency_ms: float,
    content_free: bool = False,
) -> int:
    """A new question's row, its id returned: one INSERT ... RETURNING id, with no ORM session
    or model instance around it (the hot path: every question). Every column is given, the
    defaults included, as the ORM's INSERT gave them."""
    row = {
        "user_id": user_id,
        "university_id": university_id,
        "channel": channel,
        "question": question,
        "language": language,
        "answer": answer,
        "abstained": abstained,
        "content_free": content_free,
        "citations": citations,
        "top_section": top_section,
        "latency_ms": latency_ms,
        "feedback": None,
        "feedback_at": None,
        "created_at": utcnow(),
    }
    return int((await connection.execute(_INSERT_QUESTION, row)).scalar_one())


async def own_question(
    session: AsyncSession, *, question_id: int, user_id: int
) -> QuestionLog | None:
    """The question `question_id` if `user_id` asked it; None if there is none or another
    person asked it (a learner acts only on their own questions)."""
    record = await session.get(QuestionLog, question_id)
    if record is None or record.user_id != user_id:
        return None
    return record


async def replace_answer(
    session: AsyncSession,
    *,
    question_id: int,
    answer: str,
    abstained: bool,
    citations: list[dict[str, Any]],
    top_section: str | None,
) -> bool:
    """Store a new answer to a stored question (the learner chose a rule); False when the
    question's row is gone."""
    record = await session.get(QuestionLog, question_id)
    if record is None:
        return False
    record.answer = answer
    record.abstained = abstained
    record.citations = citations
    record.top_section = top_section
    session.add(record)
    return True


async def record_vote(session: AsyncSession, *, question: QuestionLog, helpful: bool) -> None:
    """A 👍 (1) or 👎 (-1) on the question, replacing any earlier vote."""
    question.feedback = 1 if helpful else -1
    question.feedback_at = utcnow()
    session.add(question)
