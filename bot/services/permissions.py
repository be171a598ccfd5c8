"""Who may do what: the one place every privileged command and button asks, every time.

Handlers and services call `require(actor, Permission.X, university_id=...)` before acting; it
raises `NotAllowedError` (shown to the user as a polite refusal) and logs the refused attempt.
Permissions ending in `_OWN_UNIVERSITY` (and the scoped ones listed in `_SCOPED`) are granted to a
focal person only for the university they serve; HEC admins hold every permission everywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import NotAllowedError
from bot.logging_setup import logged_user
from bot.storage.models import Role

log = logging.getLogger("hecbot.permissions")


class Permission(StrEnum):
    BROADCAST_OWN_UNIVERSITY = "broadcast_own_university"
    BROADCAST_ANY = "broadcast_any"
    MANAGE_SURVEYS = "manage_surveys"
    VIEW_RESULTS_OWN_UNIVERSITY = "view_results_own_university"
    VIEW_RESULTS_ANY = "view_results_any"
    MANAGE_KB = "manage_kb"
    INVITE_FOCAL = "invite_focal"
    MANAGE_FOCALS = "manage_focals"
    MANAGE_ADMINS = "manage_admins"
    ANSWER_TICKETS = "answer_tickets"
    VIEW_INSIGHTS = "view_insights"
    MANAGE_COURSES = "manage_courses"


# A focal person holds these for their own university only.
_FOCAL_PERMISSIONS = frozenset(
    {
        Permission.BROADCAST_OWN_UNIVERSITY,
        Permission.VIEW_RESULTS_OWN_UNIVERSITY,
        Permission.ANSWER_TICKETS,
        Permission.VIEW_INSIGHTS,
    }
)


@dataclass(frozen=True)
class Actor:
    """Whoever acts: a person (every `UserProfile` is an `Actor`) or HEC's operator at the
    command line (`Actor.operator()`)."""

    id: int | None  # None: an operator at the command line
    role: Role
    university_id: int | None

    @classmethod
    def operator(cls) -> Actor:
        """HEC's operator at the command line: an admin without a Telegram account."""
        return cls(id=None, role=Role.ADMIN, university_id=None)


def is_allowed(
    actor: Actor | None, permission: Permission, *, university_id: int | None = None
) -> bool:
    """Whether `actor` may use `permission` (for `university_id`, when the action has one).

    For a focal person a scoped permission needs `university_id` equal to their own; passing
    `None` means "every university", which only admins may do.
    """
    if actor is None:
        return False
    role = Role(actor.role)
    if role is Role.ADMIN:
        return True
    if role is Role.FOCAL_PERSON and permission in _FOCAL_PERMISSIONS:
        return actor.university_id is not None and university_id == actor.university_id
    return False


def require(
    actor: Actor | None, permission: Permission, *, university_id: int | None = None
) -> None:
    """Raise `NotAllowedError` unless `actor` may use `permission`; refusals are logged."""
    if is_allowed(actor, permission, university_id=university_id):
        return
    log.warning(
        "refused %s to user %s (role %s, university %s) for university %s",
        permission.value,
        logged_user(actor.id if actor else None),
        actor.role if actor else None,
        actor.university_id if actor else None,
        university_id,
    )
    raise NotAllowedError(f"{permission.value} refused")


def scope_for(
    actor: Actor | None, permission: Permission, requested_university_id: int | None = None
) -> int | None:
    """The university a view under `permission` is limited to, checked.

    Admins get what they asked for (`None`: every university). A focal person asking for no
    university in particular gets their own; asking for another university is refused, as is
    anyone without the permission. Typical use: results and insights screens.
    """
    is_focal = actor is not None and Role(actor.role) is Role.FOCAL_PERSON
    if is_focal and requested_university_id is None:
        assert actor is not None
        requested_university_id = actor.university_id
    require(actor, permission, university_id=requested_university_id)
    return requested_university_id
