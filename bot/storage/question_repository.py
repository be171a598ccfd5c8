"""Data access of learners' questions: the statements the hot path runs without the ORM.

Functions take the caller's connection (`Database.statements()`: the service opens it) and are
keyword-only, as in `licence_repository`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.all_models import table_of
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
