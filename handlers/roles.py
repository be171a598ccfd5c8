"""HEC admins' commands for focal persons: /invite_focal and /focals (revoke, reassign)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts
from bot.services.permissions import Permission, require
from bot.services.roles import RoleService, invite_link
from bot.services.universities import UniversityService
from bot.services.users import UserProfile
from handlers.commands import command
from handlers.menus import withdraw_staff_menu
from handlers.people_callbacks import FocalAction, FocalMove, InviteFor
from handlers.rendering import university_keyboard


class FocalReassignment(StatesGroup):
    university = State()


async def on_invite_focal(
    message: Message,
    *,
    command: CommandObject,
    texts: Texts,
    user: UserProfile,
    universities: UniversityService,
) -> None:
    # Checked before anything else: a learner learns nothing, not even "no such university".
    require(user, Permission.INVITE_FOCAL)
    if not command.args:
        await message.answer(texts("invite-usage"))
        return
    matches = await universities.search(command.args)
    if not matches:
        await message.answer(texts("onboarding-university-not-found"))
        return
    keyboard = university_keyboard(
        [match.university for match in matches],
        user.language,
        lambda university_id: InviteFor(university_id=university_id),
    )
    await message.answer(texts("invite-pick-university"), reply_markup=keyboard)


async def on_invite_for(
    query: CallbackQuery,
    *,
    callback_data: InviteFor,
    bot: Bot,
    texts: Texts,
    user: UserProfile,
    roles: RoleService,
) -> None:
    invite = await roles.create_focal_invite(user, callback_data.university_id)
    me = await bot.me()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            texts(
                "invite-created",
                university=invite.university_name,
                link=invite_link(me.username or "", invite.token),
                expires=texts.moment(invite.expires_at),
            )
        )


async def on_focals(
    message: Message, *, texts: Texts, user: UserProfile, roles: RoleService
) -> None:
    people = await roles.focal_persons(user)
    if not people:
        await message.answer(texts("focals-none"))
        return
    await message.answer(texts("focals-header", count=len(people)))
    for person in people:
        builder = InlineKeyboardBuilder()
        builder.button(
            text=texts("focals-button-revoke"),
            callback_data=FocalAction(action="revoke", user_id=person.user_id),
        )
        builder.button(
            text=texts("focals-button-reassign"),
            callback_data=FocalAction(action="reassign", user_id=person.user_id),
        )
        await message.answer(
            texts(
                "focals-line",
                user_id=str(person.user_id),
                university=person.university_name,
                blocked=texts("focals-blocked") if person.is_blocked else "",
            ),
            reply_markup=builder.as_markup(),
        )


async def on_revoke(
    query: CallbackQuery,
    *,
    bot: Bot,
    callback_data: FocalAction,
    texts: Texts,
    user: UserProfile,
    roles: RoleService,
) -> None:
    await roles.revoke_focal(user, callback_data.user_id)
    await withdraw_staff_menu(bot, callback_data.user_id)
    await query.answer(texts("focals-revoked", user_id=str(callback_data.user_id)), show_alert=True)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def on_reassign(
    query: CallbackQuery,
    *,
    callback_data: FocalAction,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
) -> None:
    require(user, Permission.MANAGE_FOCALS)
    await state.set_state(FocalReassignment.university)
    await state.update_data(focal_user_id=callback_data.user_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts("focals-type-university"))


async def on_reassign_university_typed(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    universities: UniversityService,
) -> None:
    require(user, Permission.MANAGE_FOCALS)
    focal_user_id = int((await state.get_data()).get("focal_user_id", 0))
    matches = await universities.search(message.text or "")
    if not matches:
        await message.answer(texts("onboarding-university-not-found"))
        return
    keyboard = university_keyboard(
        [match.university for match in matches],
        user.language,
        lambda university_id: FocalMove(user_id=focal_user_id, university_id=university_id),
    )
    await message.answer(texts("onboarding-university-pick"), reply_markup=keyboard)


async def on_move(
    query: CallbackQuery,
    *,
    callback_data: FocalMove,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    roles: RoleService,
) -> None:
    person = await roles.reassign_focal(user, callback_data.user_id, callback_data.university_id)
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            texts(
                "focals-reassigned", user_id=str(person.user_id), university=person.university_name
            )
        )


def create_router() -> Router:
    router = Router(name="roles")
    router.message.register(on_invite_focal, command("invite_focal"))
    router.message.register(on_focals, command("focals"))
    router.callback_query.register(on_invite_for, InviteFor.filter())
    router.callback_query.register(on_revoke, FocalAction.filter(F.action == "revoke"))
    router.callback_query.register(on_reassign, FocalAction.filter(F.action == "reassign"))
    router.callback_query.register(on_move, FocalMove.filter())
    router.message.register(
        on_reassign_university_typed,
        StateFilter(FocalReassignment.university),
        F.text,
        ~F.text.startswith("/"),
    )
    return router
