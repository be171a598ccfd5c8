"""Data access of the people the bot talks to: the statements the hot path runs without the ORM.

Functions take the caller's connection (`Database.statements()`: the service opens it) and are
keyword-only, as in `licence_repository`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.all_models import table_of


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
