"""A learner's 👍/👎 on an answer (QuestionService.record_feedback over question_repository)."""

from __future__ import annotations

import pytest

from bot.errors import NotFoundError
from bot.services.questions import QuestionService
from bot.storage.db import Database
from bot.storage.models import QuestionLog
from tests.production.doubles import EchoAnswerer

ASKER = 5_000_000_501
SOMEONE_ELSE = 5_000_000_502


async def test_only_the_asker_votes_and_a_new_vote_replaces_the_old(database: Database):
    questions = QuestionService(database, EchoAnswerer())
    asked = await questions.ask(ASKER, "Who is eligible for a licence?", channel="telegram")

    with pytest.raises(NotFoundError):
        await questions.record_feedback(question_id=asked.id, user_id=SOMEONE_ELSE, helpful=False)
    with pytest.raises(NotFoundError):
        await questions.record_feedback(question_id=asked.id + 1, user_id=ASKER, helpful=True)
    async with database.session() as session:
        untouched = await session.get(QuestionLog, asked.id)
        assert untouched is not None and untouched.feedback is None

    await questions.record_feedback(question_id=asked.id, user_id=ASKER, helpful=True)
    await questions.record_feedback(question_id=asked.id, user_id=ASKER, helpful=False)
    async with database.session() as session:
        voted = await session.get(QuestionLog, asked.id)
        assert voted is not None
        assert voted.feedback == -1 and voted.feedback_at is not None
