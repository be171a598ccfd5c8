"""A new user's first steps: privacy consent, who they are, their university."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InvalidInputError, NotFoundError
from bot.logging_setup import logged_user
from bot.storage.db import Database
from bot.storage.models import LearnerKind, Role, User
from bot.storage.people_models import University
from bot.storage.types import utcnow


@dataclass(frozen=True)
class OnboardingStatus:
    privacy_accepted: bool
    onboarded: bool
    role: Role
    learner_kind: str | None
    university_id: int | None

    @property
    def needs_learner_details(self) -> bool:
        """Focal persons and admins are not asked whether they are students."""
        return self.role is Role.LEARNER


class OnboardingService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def status(self, user_id: int) -> OnboardingStatus:
        async with self._database.session() as session:
            user = await session.get(User, user_id)
        if user is None:
            return OnboardingStatus(False, False, Role.LEARNER, None, None)
        return OnboardingStatus(
            privacy_accepted=user.privacy_accepted_at is not None,
            onboarded=user.onboarded_at is not None,
            role=Role(user.role),
            learner_kind=user.learner_kind,
            university_id=user.university_id,
        )

    async def accept_privacy(self, user_id: int, *, now: datetime | None = None) -> None:
        async with self._database.session() as session:
            user = await session.get(User, user_id) or User(id=user_id)
            if user.privacy_accepted_at is None:
                user.privacy_accepted_at = now or utcnow()
                session.add(user)

    async def set_learner_kind(self, user_id: int, kind: str) -> None:
        try:
            value = LearnerKind(kind).value
        except ValueError:
            raise InvalidInputError(f"unknown learner kind {kind!r}") from None
        async with self._database.session() as session:
            user = await self._consenting_user(session, user_id)
            user.learner_kind = value
            session.add(user)

    async def set_university(self, user_id: int, university_id: int) -> None:
        """A learner's university. A focal person's comes from their invite, not from here."""
        async with self._database.session() as session:
            user = await self._consenting_user(session, user_id)
            university = await session.get(University, university_id)
            if university is None or not university.is_active:
                raise NotFoundError(f"university {university_id}")
            if user.role == Role.LEARNER.value:
                user.university_id = university_id
                session.add(user)

    async def complete(self, user_id: int, *, now: datetime | None = None) -> None:
        async with self._database.session() as session:
            user = await self._consenting_user(session, user_id)
            if user.onboarded_at is None:
                user.onboarded_at = now or utcnow()
                session.add(user)

    @staticmethod
    async def _consenting_user(session: AsyncSession, user_id: int) -> User:
        user = await session.get(User, user_id)
        # Nothing beyond the Telegram id is stored before the privacy notice is accepted.
        if user is None or user.privacy_accepted_at is None:
            raise InvalidInputError(
                f"user {logged_user(user_id)} has not accepted the privacy notice"
            )
        return user
