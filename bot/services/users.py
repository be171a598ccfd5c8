"""Who the bot is talking to: profiles, language, reachability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import InvalidInputError
from bot.i18n import SUPPORTED_LANGUAGES
from bot.services.permissions import Actor
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.user_repository import StoredProfile, reachable_staff, stored_profile


class UnsupportedLanguageError(InvalidInputError):
    """A language button's code the bot does not speak: an old keyboard, or a forged press
    (it was a ValueError, "something went wrong on our side" and an error in the log)."""

    message_key = "no-longer-available"


@dataclass(frozen=True)
class UserProfile(Actor):
    """What a handler may know about the current user; as an `Actor` it is who acts."""

    id: int
    language: str
    learner_kind: str | None
    onboarded_at: datetime | None
    is_new: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def _profile(user_id: int, stored: StoredProfile, *, is_new: bool = False) -> UserProfile:
    """The profile of `stored`: a `User` row, or the hot path's plain lookup of its columns."""
    return UserProfile(
        id=user_id,
        language=stored.language,
        role=Role(stored.role),
        learner_kind=stored.learner_kind,
        university_id=stored.university_id,
        onboarded_at=stored.onboarded_at,
        is_new=is_new,
    )


def guess_language(language_code: str | None, default: str = "en") -> str:
    """Telegram's client language, when hecbot speaks it."""
    if language_code:
        short = language_code.split("-")[0].lower()
        if short in SUPPORTED_LANGUAGES:
            return short
    return default


class UserService:
    def __init__(self, database: Database, *, admin_ids: frozenset[int] = frozenset()) -> None:
        self._database = database
        self._admin_ids = admin_ids

    async def get_or_create(
        self, user_id: int, *, language_code: str | None = None, default_language: str = "en"
    ) -> UserProfile:
        """Load the user, creating them on first contact; `ADMIN_IDS` become HEC admins."""
        # Every update runs this, and for a known user it changes nothing: one SELECT of the
        # profile's columns on a plain connection (no ORM session, no model instance).
        async with self._database.statements() as connection:
            stored = await stored_profile(connection, user_id=user_id)
        promote = user_id in self._admin_ids and (stored is None or stored.role != Role.ADMIN.value)
        if stored is not None and not stored.is_blocked and not promote:
            return _profile(user_id, stored)
        # First contact, an admin to promote, a learner who unblocked the bot: the row is
        # written. One statement (the lookup, then at most one row), so without a transaction's
        # BEGIN/COMMIT round trips.
        async with self._database.session(single_statement=True) as session:
            user = await session.get(User, user_id)
            created = user is None
            if user is None:
                user = User(id=user_id, language=guess_language(language_code, default_language))
            changed = created
            if user_id in self._admin_ids and user.role != Role.ADMIN.value:
                user.role = Role.ADMIN.value
                changed = True
            if user.is_blocked:
                # They wrote to us, so they have unblocked the bot.
                user.is_blocked = False
                changed = True
            if changed:
                session.add(user)
            return _profile(user_id, user, is_new=created)

    async def get(self, user_id: int) -> UserProfile | None:
        async with self._database.session() as session:
            user = await session.get(User, user_id)
            return _profile(user_id, user) if user else None

    async def set_language(self, user_id: int, language: str) -> UserProfile:
        if language not in SUPPORTED_LANGUAGES:
            raise UnsupportedLanguageError(f"unsupported language {language!r}")
        async with self._database.session() as session:
            user = await session.get(User, user_id)
            if user is None:
                user = User(id=user_id)
            user.language = language
            session.add(user)
            return _profile(user_id, user)

    async def staff(self) -> list[UserProfile]:
        """Focal persons and HEC admins who can still be reached (for their command menu)."""
        async with self._database.session() as session:
            return [_profile(user.id, user) for user in await reachable_staff(session)]

    async def mark_unreachable(self, user_id: int) -> None:
        """The user blocked the bot or deleted their account: stop sending to them."""
        async with self._database.session() as session:
            user = await session.get(User, user_id)
            if user is not None and not user.is_blocked:
                user.is_blocked = True
                session.add(user)
