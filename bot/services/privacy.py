"""Learners' rights: see what is stored about them, and have it forgotten."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from bot.storage.db import Database
from bot.storage.models import QuestionLog, User
from bot.storage.people_models import FaqEntry, FocalInvite, Ticket, University
from bot.storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForgetReport:
    questions_anonymised: int
    tickets_anonymised: int
    user_deleted: bool


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class PrivacyService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user that can be tied to them, as JSON-ready data."""
        async with self._database.session() as session:
            user = await session.get(User, user_id)
            university = (
                await session.get(University, user.university_id)
                if user and user.university_id
                else None
            )
            questions = (
                await session.exec(
                    select(QuestionLog)
                    .where(QuestionLog.user_id == user_id)
                    .order_by(col(QuestionLog.created_at))
                )
            ).all()
            tickets = (
                await session.exec(
                    select(Ticket).where(Ticket.learner_id == user_id).order_by(col(Ticket.id))
                )
            ).all()
        profile: dict[str, Any] | None = None
        if user is not None:
            profile = {
                "telegram_id": user.id,
                "language": user.language,
                "role": user.role,
                "learner_kind": user.learner_kind,
                "university": university.name if university else None,
                "created_at": _iso(user.created_at),
                "privacy_accepted_at": _iso(user.privacy_accepted_at),
                "onboarded_at": _iso(user.onboarded_at),
                "surveys_enabled": user.surveys_enabled,
            }
        return {
            "exported_at": utcnow().isoformat(),
            "profile": profile,
            "questions": [
                {
                    "asked_at": _iso(q.created_at),
                    "question": q.question,
                    "answer": q.answer,
                    "answered": not q.abstained,
                    "feedback": q.feedback,
                }
                for q in questions
            ],
            "tickets": [
                {
                    "id": t.id,
                    "question": t.question,
                    "status": t.status,
                    "answer": t.answer,
                    "answered_at": _iso(t.answered_at),
                    "rating": t.rating,
                }
                for t in tickets
            ],
        }

    async def forget(self, user_id: int) -> ForgetReport:
        """Delete the user row and unlink everything else from them.

        Questions and tickets stay as anonymous counts for HEC's reports: their link to the user
        is cleared. Tickets also lose the learner's kind. FSM state is cleared by the caller
        (it lives in the dispatcher's storage, which may be Redis).
        """
        async with self._database.session() as session:
            questions = await session.exec(
                update(QuestionLog).where(col(QuestionLog.user_id) == user_id).values(user_id=None)
            )
            tickets = await session.exec(
                update(Ticket)
                .where(col(Ticket.learner_id) == user_id)
                .values(learner_id=None, learner_kind=None)
            )
            # Invites and FAQ entries keep who acted only as an id: drop the id, keep the fact.
            await session.exec(
                update(FocalInvite).where(col(FocalInvite.used_by) == user_id).values(used_by=None)
            )
            await session.exec(
                update(FocalInvite)
                .where(col(FocalInvite.created_by) == user_id)
                .values(created_by=None)
            )
            await session.exec(
                update(FaqEntry).where(col(FaqEntry.author_id) == user_id).values(author_id=None)
            )
            await session.exec(
                update(Ticket).where(col(Ticket.answered_by) == user_id).values(answered_by=None)
            )
            user = await session.get(User, user_id)
            if user is not None:
                await session.delete(user)
        report = ForgetReport(
            questions_anonymised=questions.rowcount,  # type: ignore[attr-defined]
            tickets_anonymised=tickets.rowcount,  # type: ignore[attr-defined]
            user_deleted=user is not None,
        )
        log.info(
            "forgot a user: %s questions and %s tickets anonymised",
            report.questions_anonymised,
            report.tickets_anonymised,
        )
        return report
