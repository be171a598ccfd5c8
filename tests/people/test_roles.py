"""Focal-person invites (single use, 7 days, hashed), revoke/reassign, the admin list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.errors import NotAllowedError, NotFoundError
from bot.services.roles import INVITE_LIFETIME, InviteInvalidError, RoleService, hash_token
from bot.services.users import UserService
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.people_models import FocalInvite
from bot.storage.types import utcnow
from tests.people.conftest import make_user


@pytest.fixture
def roles(database: Database) -> RoleService:
    return RoleService(database)


async def role_of(database: Database, user_id: int) -> tuple[str, int | None]:
    async with database.session() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user.role, user.university_id


async def test_invite_makes_the_redeemer_focal_person_once(
    database: Database, roles: RoleService, comsats_id: int
) -> None:
    admin = await make_user(database, 1, role=Role.ADMIN)
    invite = await roles.create_focal_invite(admin, comsats_id)
    assert len(invite.token) <= 64  # Telegram's limit for /start parameters
    async with database.session() as session:
        stored = (await session.exec(select(FocalInvite))).one()
    assert stored.token_hash == hash_token(invite.token) != invite.token

    redeemed = await roles.redeem_focal_invite(500, invite.token)
    assert redeemed.university_id == comsats_id
    assert await role_of(database, 500) == (Role.FOCAL_PERSON.value, comsats_id)
    with pytest.raises(InviteInvalidError):
        await roles.redeem_focal_invite(501, invite.token)
    with pytest.raises(InviteInvalidError):
        await roles.redeem_focal_invite(501, "made-up-token")


async def test_invite_expires_after_seven_days(
    database: Database, roles: RoleService, comsats_id: int
) -> None:
    admin = await make_user(database, 1, role=Role.ADMIN)
    now = utcnow()
    invite = await roles.create_focal_invite(admin, comsats_id, now=now)
    with pytest.raises(InviteInvalidError):
        await roles.redeem_focal_invite(500, invite.token, now=now + INVITE_LIFETIME)
    await roles.redeem_focal_invite(500, invite.token, now=now + INVITE_LIFETIME - timedelta(1))


async def test_only_admins_invite_list_revoke_and_reassign(
    database: Database, roles: RoleService, comsats_id: int, ucp_id: int
) -> None:
    focal = await make_user(database, 2, role=Role.FOCAL_PERSON, university_id=comsats_id)
    learner = await make_user(database, 3, university_id=comsats_id)
    for actor in (focal, learner):
        with pytest.raises(NotAllowedError):
            await roles.create_focal_invite(actor, comsats_id)
        with pytest.raises(NotAllowedError):
            await roles.focal_persons(actor)
        with pytest.raises(NotAllowedError):
            await roles.revoke_focal(actor, focal.id)
        with pytest.raises(NotAllowedError):
            await roles.reassign_focal(actor, focal.id, ucp_id)
    assert await role_of(database, focal.id) == (Role.FOCAL_PERSON.value, comsats_id)


async def test_admin_lists_reassigns_and_revokes(
    database: Database, roles: RoleService, comsats_id: int, ucp_id: int
) -> None:
    admin = await make_user(database, 1, role=Role.ADMIN)
    await make_user(database, 2, role=Role.FOCAL_PERSON, university_id=comsats_id)
    [listed] = await roles.focal_persons(admin)
    assert (listed.user_id, listed.university_id) == (2, comsats_id)

    moved = await roles.reassign_focal(admin, 2, ucp_id)
    assert moved.university_id == ucp_id
    await roles.revoke_focal(admin, 2)
    assert (await role_of(database, 2))[0] == Role.LEARNER.value
    assert await roles.focal_persons(admin) == []
    with pytest.raises(NotFoundError):
        await roles.revoke_focal(admin, 2)


async def test_cli_admin_list(database: Database, roles: RoleService) -> None:
    await roles.add_admin(42)
    await roles.add_admin(7)
    assert await roles.admins() == [7, 42]
    await roles.remove_admin(42)
    assert await roles.admins() == [7]
    with pytest.raises(NotFoundError):
        await roles.remove_admin(42)
    # ADMIN_IDS still bootstrap an admin at their next message.
    users = UserService(database, admin_ids=frozenset({42}))
    assert (await users.get_or_create(42)).is_admin
