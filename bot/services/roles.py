"""Focal persons and HEC admins: invites, revocation, reassignment, the operators' admin list."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.errors import HecbotError, NotFoundError
from bot.logging_setup import logged_user
from bot.services.permissions import Actor, Permission, require
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.people_models import FocalInvite, University
from bot.storage.revocation import withdraw_staff_work
from bot.storage.types import utcnow

log = logging.getLogger(__name__)

INVITE_LIFETIME = timedelta(days=7)
# An invite's token is `secrets.token_urlsafe(32)`: 43 characters. A shorter /start payload is
# the tag of a link HEC or a university shares (t.me/<bot>?start=poster_lahore), not an invite.
INVITE_TOKEN_MIN_CHARS = 32


def looks_like_invite(payload: str) -> bool:
    """Whether a /start payload is (or was copied from) a focal-person invite's token."""
    return len(payload.strip()) >= INVITE_TOKEN_MIN_CHARS


class InviteInvalidError(HecbotError):
    """Unknown, already used or expired invite token (deliberately indistinguishable)."""

    message_key = "invite-invalid"


@dataclass(frozen=True)
class CreatedInvite:
    token: str
    university_id: int
    university_name: str
    expires_at: datetime


@dataclass(frozen=True)
class FocalPerson:
    user_id: int
    university_id: int
    university_name: str
    is_blocked: bool


@dataclass(frozen=True)
class RedeemedInvite:
    university_id: int
    university_name: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


class RoleService:
    def __init__(self, database: Database) -> None:
        self._database = database

    # --- focal persons ----------------------------------------------------------------------

    async def create_focal_invite(
        self, actor: Actor, university_id: int, *, now: datetime | None = None
    ) -> CreatedInvite:
        """A single-use token (about 43 URL-safe characters: fits Telegram's 64 for /start)."""
        require(actor, Permission.INVITE_FOCAL)
        now = now or utcnow()
        token = secrets.token_urlsafe(32)
        async with self._database.session() as session:
            university = await session.get(University, university_id)
            if university is None:
                raise NotFoundError(f"university {university_id}")
            invite = FocalInvite(
                token_hash=hash_token(token),
                university_id=university_id,
                created_by=actor.id,
                created_at=now,
                expires_at=now + INVITE_LIFETIME,
            )
            session.add(invite)
            name = university.name
        log.info(
            "user %s invited a focal person for university %s", logged_user(actor.id), university_id
        )
        return CreatedInvite(token, university_id, name, now + INVITE_LIFETIME)

    async def redeem_focal_invite(
        self, user_id: int, token: str, *, now: datetime | None = None
    ) -> RedeemedInvite:
        """Make `user_id` the focal person of the invite's university; the token dies here."""
        now = now or utcnow()
        async with self._database.session() as session:
            invite = (
                await session.exec(
                    select(FocalInvite)
                    .where(FocalInvite.token_hash == hash_token(token))
                    .with_for_update()
                )
            ).first()
            if invite is None or invite.used_at is not None or invite.expires_at <= now:
                log.warning(
                    "user %s presented an unknown, used or expired invite", logged_user(user_id)
                )
                raise InviteInvalidError("invite unknown, used or expired")
            university = await session.get(University, invite.university_id)
            if university is None:
                raise InviteInvalidError("the invite's university is gone")
            user = await session.get(User, user_id) or User(id=user_id)
            invite.used_at = now
            invite.used_by = user_id
            if user.role != Role.ADMIN.value:
                user.role = Role.FOCAL_PERSON.value
            user.university_id = invite.university_id
            session.add(invite)
            session.add(user)
            log.info(
                "user %s is now focal person of university %s", logged_user(user_id), university.id
            )
            return RedeemedInvite(invite.university_id, university.name)

    async def focal_persons(
        self, actor: Actor | None = None, *, university_id: int | None = None
    ) -> list[FocalPerson]:
        """Focal persons (of one university); with `actor`, only when they may manage them."""
        if actor is not None:
            require(actor, Permission.MANAGE_FOCALS)
        async with self._database.session() as session:
            query = (
                select(User, University)
                .join(University, col(University.id) == col(User.university_id))
                .where(User.role == Role.FOCAL_PERSON.value)
                .order_by(col(University.name), col(User.id))
            )
            if university_id is not None:
                query = query.where(User.university_id == university_id)
            rows = (await session.exec(query)).all()
        return [
            FocalPerson(user.id, university.id or 0, university.name, user.is_blocked)
            for user, university in rows
        ]

    async def revoke_focal(self, actor: Actor, user_id: int) -> None:
        require(actor, Permission.MANAGE_FOCALS)
        async with self._database.session() as session:
            user = await session.get(User, user_id)
            if user is None or user.role != Role.FOCAL_PERSON.value:
                raise NotFoundError(f"focal person {logged_user(user_id)}")
            user.role = Role.LEARNER.value
            session.add(user)
            # At once: their unsent broadcasts, reports and queued tickets stop with the role.
            withdrawn = await withdraw_staff_work(session, user_id, utcnow())
        # No Telegram ids in logs: the update's log context carries the actor's salted hash.
        log.info(
            "a focal person was revoked: %s broadcasts cancelled, %s tickets withheld",
            withdrawn.broadcasts_cancelled,
            withdrawn.tickets_withheld,
        )

    async def reassign_focal(self, actor: Actor, user_id: int, university_id: int) -> FocalPerson:
        require(actor, Permission.MANAGE_FOCALS)
        async with self._database.session() as session:
            user = await session.get(User, user_id)
            university = await session.get(University, university_id)
            if user is None or user.role != Role.FOCAL_PERSON.value:
                raise NotFoundError(f"focal person {logged_user(user_id)}")
            if university is None or university.id is None:
                raise NotFoundError(f"university {university_id}")
            user.university_id = university.id
            session.add(user)
            log.info(
                "user %s moved focal person %s to %s",
                logged_user(actor.id),
                logged_user(user_id),
                university_id,
            )
            return FocalPerson(user.id, university.id, university.name, user.is_blocked)

    # --- HEC admins (operators' CLI) -------------------------------------------------------

    async def add_admin(self, user_id: int) -> None:
        async with self._database.session() as session:
            user = await session.get(User, user_id) or User(id=user_id)
            user.role = Role.ADMIN.value
            session.add(user)

    async def remove_admin(self, user_id: int) -> None:
        """Back to learner. `ADMIN_IDS` admins come back at their next message: say so."""
        async with self._database.session() as session:
            user = await session.get(User, user_id)
            if user is None or user.role != Role.ADMIN.value:
                raise NotFoundError(f"user {logged_user(user_id)} is not an HEC admin")
            user.role = Role.LEARNER.value
            session.add(user)

    async def admins(self) -> list[int]:
        async with self._database.session() as session:
            rows = await session.exec(
                select(User.id).where(User.role == Role.ADMIN.value).order_by(col(User.id))
            )
            return list(rows.all())
