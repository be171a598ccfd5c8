"""Factories for test data: people as they are after onboarding, stored directly."""

from __future__ import annotations

from bot.services.users import UserProfile
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.types import utcnow


async def make_user(
    database: Database,
    user_id: int,
    *,
    role: Role = Role.LEARNER,
    university_id: int | None = None,
    language: str = "en",
    learner_kind: str | None = "student",
    blocked: bool = False,
) -> UserProfile:
    now = utcnow()
    async with database.session() as session:
        session.add(
            User(
                id=user_id,
                role=role.value,
                university_id=university_id,
                language=language,
                learner_kind=learner_kind if role is Role.LEARNER else None,
                privacy_accepted_at=now,
                onboarded_at=now,
                is_blocked=blocked,
            )
        )
    return UserProfile(
        id=user_id,
        language=language,
        role=role,
        learner_kind=learner_kind,
        university_id=university_id,
        onboarded_at=now,
    )
