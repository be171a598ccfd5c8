"""What nobody else handled: unknown commands, stickers, photos, voice notes, stale buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.i18n import Texts


async def on_unknown_command(message: Message, texts: Texts) -> None:
    await message.answer(texts("unknown-command"))


async def on_unsupported(message: Message, texts: Texts, raw_state: str | None = None) -> None:
    # Mid-conversation (an answer, an e-mail address, a university's name awaited) the photo
    # or sticker is not a question: say what the step still waits for, and how to leave it.
    key = "unsupported-content" if raw_state is None else "unsupported-content-in-step"
    await message.answer(texts(key))


async def on_stale_button(query: CallbackQuery, texts: Texts) -> None:
    await query.answer(texts("button-expired"), show_alert=True)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(on_unknown_command, F.text.startswith("/"))
    router.message.register(on_unsupported)
    router.callback_query.register(on_stale_button)
    return router
