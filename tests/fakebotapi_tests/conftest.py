import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router, html
from aiogram.filters import Command
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from tests.bounded import stop_polling
from tests.fakebotapi import FakeTelegram
from tests.fakebotapi.fixtures import fake_telegram

__all__ = ["fake_telegram"]

WELCOME = "Welcome, <b>learner</b>!"


def echo_router() -> Router:
    """A trivial bot: /start shows a button, text is echoed, the button edits the message."""
    router = Router(name="echo")

    @router.message(Command("start"))
    async def start(message: Message) -> SendMessage:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Licence", callback_data="topic:licence")]]
        )
        # Returned, not awaited: aiogram then answers in the webhook response itself
        # (and by a normal request when polling).
        return message.answer(WELCOME, reply_markup=keyboard)

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(html.quote(message.text or ""))

    @router.callback_query(F.data.startswith("topic:"))
    async def topic(query: CallbackQuery) -> None:
        await query.answer("Noted")
        if isinstance(query.message, Message):
            await query.message.edit_text(f"You chose {html.quote(query.data or '')}")

    return router


@pytest.fixture
async def polling_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """The echo bot running `start_polling` against the fake until the test ends."""
    bot = fake_telegram.make_bot()
    dispatcher = Dispatcher()
    dispatcher.include_router(echo_router())
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=1, handle_signals=False, close_bot_session=False
        )
    )
    await fake_telegram.wait_for_long_poll()
    yield bot
    await stop_polling(dispatcher, polling, seconds=30)
