"""The permission matrix: admins everywhere, focal persons for their university, learners never."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from bot.errors import NotAllowedError
from bot.logging_setup import logged_user
from bot.services.permissions import (
    Permission,
    is_allowed,
    require,
    scope_for,
)
from bot.storage.models import Role

OWN, OTHER = 7, 8
FOCAL_SCOPED = {
    Permission.BROADCAST_OWN_UNIVERSITY,
    Permission.VIEW_RESULTS_OWN_UNIVERSITY,
    Permission.ANSWER_TICKETS,
    Permission.VIEW_INSIGHTS,
}


@dataclass(frozen=True)
class Someone:
    id: int
    role: Role
    university_id: int | None


ADMIN = Someone(1, Role.ADMIN, None)
FOCAL = Someone(2, Role.FOCAL_PERSON, OWN)
LEARNER = Someone(3, Role.LEARNER, OWN)
FOCAL_WITHOUT_UNIVERSITY = Someone(4, Role.FOCAL_PERSON, None)


@pytest.mark.parametrize("permission", list(Permission))
def test_admins_hold_every_permission_for_every_university(permission: Permission) -> None:
    for university in (None, OWN, OTHER):
        assert is_allowed(ADMIN, permission, university_id=university)


@pytest.mark.parametrize("permission", list(Permission))
def test_learners_and_nobody_hold_none(permission: Permission) -> None:
    for university in (None, OWN, OTHER):
        assert not is_allowed(LEARNER, permission, university_id=university)
        assert not is_allowed(None, permission, university_id=university)


@pytest.mark.parametrize("permission", list(Permission))
def test_focal_persons_only_for_their_own_university(permission: Permission) -> None:
    assert is_allowed(FOCAL, permission, university_id=OWN) is (permission in FOCAL_SCOPED)
    assert not is_allowed(FOCAL, permission, university_id=OTHER)
    assert not is_allowed(FOCAL, permission, university_id=None)  # "all universities"
    assert not is_allowed(FOCAL_WITHOUT_UNIVERSITY, permission, university_id=None)


def test_refusal_raises_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "hecbot.permissions"), pytest.raises(NotAllowedError):
        require(LEARNER, Permission.BROADCAST_ANY)
    # Who was refused is the salted hash, never the raw Telegram id.
    assert f"refused broadcast_any to user {logged_user(LEARNER.id)}" in caplog.text
    assert "user 3 " not in caplog.text
    require(FOCAL, Permission.ANSWER_TICKETS, university_id=OWN)  # no exception


def test_scope_for_views() -> None:
    assert scope_for(ADMIN, Permission.VIEW_RESULTS_ANY) is None
    assert scope_for(ADMIN, Permission.VIEW_RESULTS_ANY, OTHER) == OTHER
    assert scope_for(FOCAL, Permission.VIEW_RESULTS_OWN_UNIVERSITY) == OWN
    assert scope_for(FOCAL, Permission.VIEW_RESULTS_OWN_UNIVERSITY, OWN) == OWN
    with pytest.raises(NotAllowedError):
        scope_for(FOCAL, Permission.VIEW_RESULTS_OWN_UNIVERSITY, OTHER)
    with pytest.raises(NotAllowedError):
        scope_for(LEARNER, Permission.VIEW_RESULTS_OWN_UNIVERSITY)
    with pytest.raises(NotAllowedError):
        scope_for(FOCAL_WITHOUT_UNIVERSITY, Permission.VIEW_INSIGHTS)
