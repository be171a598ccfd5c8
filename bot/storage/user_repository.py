"""Data access of the people the bot talks to.

A known learner's lookup runs on the hot path without the ORM: `stored_profile` takes the
caller's connection (`Database.statements()`: the service opens it). The rest take the caller's
session, the service owning the transaction. All are keyword-only, as in `licence_repository`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel import select as orm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage.all_models import table_of
from bot.storage.models import Role, User


class StoredProfile(Protocol):
    """A user's columns a profile is built from: a `User` row, or `stored_profile`'s plain row."""

    @property
    def language(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def learner_kind(self) -> str | None: ...
    @property
    def university_id(self) -> int | None: ...
    @property
    def onboarded_at(self) -> datetime | None: ...
    @property
    def is_blocked(self) -> bool: ...


_USERS = table_of("users")
_PROFILE_QUERY = select(
    _USERS.c.language,
    _USERS.c.role,
    _USERS.c.learner_kind,
    _USERS.c.university_id,
    _USERS.c.onboarded_at,
    _USERS.c.is_blocked,
).where(_USERS.c.id == bindparam("user_id"))


async def stored_profile(connection: AsyncConnection, *, user_id: int) -> StoredProfile | None:
    """The user's profile columns, None for someone never seen: one SELECT of those columns,
    with no ORM session or model instance (every update looks its sender up)."""
    return (await connection.execute(_PROFILE_QUERY, {"user_id": user_id})).first()


async def reachable_staff(session: AsyncSession) -> list[User]:
    """Focal persons and HEC admins who have not blocked the bot, by id."""
    rows = await session.exec(
        orm_select(User)
        .where(
            col(User.role).in_([Role.ADMIN.value, Role.FOCAL_PERSON.value]),
            col(User.is_blocked).is_(False),
        )
        .order_by(col(User.id))
    )
    return list(rows.all())
