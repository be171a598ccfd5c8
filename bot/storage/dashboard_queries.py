"""Data access for the dashboard: the counts its pages show, filtered the same way everywhere.

Every function takes the set of university ids a view is limited to (`None`: every university)
and a time window in UTC; the service decides both from the caller's role and the filters.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage.dashboard_models import DashboardSignIn
from bot.storage.models import QuestionLog, Role, User
from bot.storage.people_models import Ticket, TicketStatus, University
from bot.storage.survey_models import SurveyInvitation, SurveyResponse, SurveyWave


@dataclass(frozen=True)
class Window:
    """A half-open UTC interval; either end may be open."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class QuestionRow:
    created_at: datetime
    abstained: bool
    feedback: int | None
    content_free: bool = False  # "👍", "ok": no question, never answered (not an answer)


@dataclass(frozen=True)
class DeclinedRow:
    question: str
    created_at: datetime
    university_id: int | None


@dataclass(frozen=True)
class WaveRates:
    wave_id: int
    label: str
    invited: int
    completed: int


async def universities(session: AsyncSession) -> Sequence[University]:
    query = select(University).where(col(University.is_active)).order_by(col(University.name))
    return (await session.exec(query)).all()


async def university_ids_in_city(session: AsyncSession, city: str) -> list[int]:
    query = select(University.id).where(func.lower(University.city) == city.strip().lower())
    return [int(found) for found in (await session.exec(query)).all() if found is not None]


async def learners_onboarded(
    session: AsyncSession, university_ids: Collection[int] | None, window: Window
) -> int:
    query = (
        select(func.count())
        .select_from(User)
        .where(User.role == Role.LEARNER.value, col(User.onboarded_at).is_not(None))
    )
    if university_ids is not None:
        query = query.where(col(User.university_id).in_(university_ids))
    if window.start is not None:
        query = query.where(col(User.onboarded_at) >= window.start)
    if window.end is not None:
        query = query.where(col(User.onboarded_at) < window.end)
    return int((await session.exec(query)).one())


async def question_rows(
    session: AsyncSession, university_ids: Collection[int] | None, window: Window
) -> list[QuestionRow]:
    query = (
        select(
            QuestionLog.created_at,
            QuestionLog.abstained,
            QuestionLog.feedback,
            QuestionLog.content_free,
        )
        .join(User, col(User.id) == col(QuestionLog.user_id), isouter=True)
        .where(*_learner_questions(university_ids, window))
    )
    return [QuestionRow(*row) for row in (await session.exec(query)).all()]


async def declined_questions(
    session: AsyncSession, university_ids: Collection[int] | None, window: Window
) -> list[DeclinedRow]:
    query = (
        select(QuestionLog.question, QuestionLog.created_at, QuestionLog.university_id)
        .join(User, col(User.id) == col(QuestionLog.user_id), isouter=True)
        .where(col(QuestionLog.abstained), *_learner_questions(university_ids, window))
    )
    return [DeclinedRow(*row) for row in (await session.exec(query)).all()]


def _learner_questions(university_ids: Collection[int] | None, window: Window) -> list[Any]:
    """Conditions on `QuestionLog` joined (outer) to `User`: learners' questions in scope."""
    # Only learners' questions: staff trying the bot out are not demand.
    conditions: list[Any] = [(col(User.role) == Role.LEARNER.value) | col(User.role).is_(None)]
    if university_ids is not None:
        conditions.append(col(QuestionLog.university_id).in_(university_ids))
    if window.start is not None:
        conditions.append(col(QuestionLog.created_at) >= window.start)
    if window.end is not None:
        conditions.append(col(QuestionLog.created_at) < window.end)
    return conditions


async def open_tickets(session: AsyncSession, university_ids: Collection[int] | None) -> int:
    query = select(func.count()).select_from(Ticket).where(Ticket.status == TicketStatus.OPEN.value)
    if university_ids is not None:
        query = query.where(col(Ticket.university_id).in_(university_ids))
    return int((await session.exec(query)).one())


async def wave_response_rates(
    session: AsyncSession, slug: str, university_ids: Collection[int] | None
) -> list[WaveRates]:
    """Per wave of one survey: learners invited (by their university) and responses completed."""
    waves = (
        await session.exec(
            select(SurveyWave.id, SurveyWave.label)
            .where(SurveyWave.slug == slug)
            .order_by(col(SurveyWave.id))
        )
    ).all()
    invited_query = select(SurveyInvitation.wave_id, func.count()).group_by(
        col(SurveyInvitation.wave_id)
    )
    completed_query = (
        select(SurveyResponse.wave_id, func.count())
        .where(SurveyResponse.slug == slug, col(SurveyResponse.completed_at).is_not(None))
        .group_by(col(SurveyResponse.wave_id))
    )
    if university_ids is not None:
        invited_query = invited_query.join(
            User, col(User.id) == col(SurveyInvitation.user_id)
        ).where(col(User.university_id).in_(university_ids))
        completed_query = completed_query.where(
            col(SurveyResponse.university_id).in_(university_ids)
        )
    invited = dict((await session.exec(invited_query)).all())
    completed = dict((await session.exec(completed_query)).all())
    return [
        WaveRates(wave_id, str(label), int(invited.get(wave_id, 0)), int(completed.get(wave_id, 0)))
        for wave_id, label in ((int(found or 0), label) for found, label in waves)
    ]


async def add_sign_in(
    session: AsyncSession, *, token_hash: str, user_id: int, expires_at: datetime
) -> None:
    session.add(DashboardSignIn(token_hash=token_hash, user_id=user_id, expires_at=expires_at))


async def use_sign_in(session: AsyncSession, *, token_hash: str, now: datetime) -> int | None:
    """The user a still-valid, unused link belongs to, marking it used; None otherwise."""
    query = (
        select(DashboardSignIn).where(DashboardSignIn.token_hash == token_hash).with_for_update()
    )
    link = (await session.exec(query)).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    link.used_at = now
    session.add(link)
    return link.user_id
