"""hecbot works in private chats only: updates from groups, supergroups and channels stop here.

Nothing a handler could send (an answer, a /mydata file, a focal person's chart) may reach a
group, so the rule is kept once, before any handler and before the user is loaded (a person who
only writes in a group is not stored). When someone addresses the bot in a group (a command for
it, an @mention, a reply to it), it answers once, briefly, that it works in private; a button
pressed there gets the same words as a notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update
from aiogram.types import User as TelegramUser

from bot.i18n import Catalogue
from bot.services.users import guess_language


def _addressed(message: Message, bot_id: int, username: str | None) -> bool:
    """A command for this bot, an @mention of it, or a reply to one of its messages."""
    text = (message.text or message.caption or "").strip()
    handle = f"@{username.lower()}" if username else None
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0].lower()
        target = command.partition("@")[2]
        return not target or (handle is not None and f"@{target}" == handle)
    if handle is not None and handle in text.lower():
        return True
    reply = message.reply_to_message
    return reply is not None and reply.from_user is not None and reply.from_user.id == bot_id


class PrivateChatsOnlyMiddleware(BaseMiddleware):
    """An outer update middleware: only updates from private chats (or without a chat) go on."""

    def __init__(self, catalogue: Catalogue, default_language: str) -> None:
        self._catalogue = catalogue
        self._default_language = default_language

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None or chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        bot: Bot | None = data.get("bot")
        if not isinstance(event, Update) or bot is None:
            return None
        person: TelegramUser | None = data.get("event_from_user")
        texts = self._catalogue.for_language(
            guess_language(person.language_code if person else None, self._default_language)
        )
        me = await bot.me()
        if event.message is not None and _addressed(event.message, me.id, me.username):
            await event.message.answer(
                texts("private-chat-only", bot=f"@{me.username}" if me.username else "")
            )
        elif isinstance(event.callback_query, CallbackQuery):
            await event.callback_query.answer(
                texts("private-chat-only", bot=f"@{me.username}" if me.username else ""),
                show_alert=True,
            )
        return None
