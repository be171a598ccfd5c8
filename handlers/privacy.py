"""Learners' rights: /mydata sends what is stored, /forget deletes it after confirmation."""

from __future__ import annotations

import json

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts
from bot.services.privacy import PrivacyService
from bot.services.users import UserProfile
from handlers.commands import command
from handlers.people_callbacks import ForgetConfirm


async def on_mydata(
    message: Message, *, texts: Texts, user: UserProfile, privacy: PrivacyService
) -> None:
    data = await privacy.export(user.id)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(payload, filename="hecbot-my-data.json"), caption=texts("mydata-caption")
    )


class ForgetFlow(StatesGroup):
    confirming = State()


async def on_forget(message: Message, *, texts: Texts, state: FSMContext) -> None:
    await state.set_state(ForgetFlow.confirming)
    builder = InlineKeyboardBuilder()
    builder.button(text=texts("forget-button-yes"), callback_data=ForgetConfirm(confirmed=True))
    builder.button(text=texts("forget-button-no"), callback_data=ForgetConfirm(confirmed=False))
    await message.answer(texts("forget-confirm"), reply_markup=builder.as_markup())


async def on_forget_answer(
    query: CallbackQuery,
    *,
    callback_data: ForgetConfirm,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    privacy: PrivacyService,
) -> None:
    if await state.get_state() != ForgetFlow.confirming.state:
        # A second press, an old message or a forged button: /forget was not just asked.
        await query.answer(texts("no-longer-available"))
        return
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    if not callback_data.confirmed:
        if isinstance(query.message, Message):
            await query.message.answer(texts("forget-kept"))
        return
    await privacy.forget(user.id)
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.answer(texts("forget-done"))


def create_router() -> Router:
    router = Router(name="privacy")
    router.message.register(on_mydata, command("mydata"))
    router.message.register(on_forget, command("forget"))
    router.callback_query.register(on_forget_answer, ForgetConfirm.filter())
    return router
