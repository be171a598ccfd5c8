"""Loads the current user once per update and binds the catalogue to their language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser

from bot.i18n import Catalogue
from bot.services.users import UserService, guess_language


class UserMiddleware(BaseMiddleware):
    """Puts `user` (a `UserProfile`) and `texts` (the catalogue in their language) in the data."""

    def __init__(self, users: UserService, catalogue: Catalogue, default_language: str) -> None:
        self._users = users
        self._catalogue = catalogue
        self._default_language = default_language

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        telegram_user: TelegramUser | None = data.get("event_from_user")
        if telegram_user is None or telegram_user.is_bot:
            data["texts"] = self._catalogue.for_language(self._default_language)
            return await handler(event, data)
        # The error handler needs the language even when the database is unreachable.
        data["texts"] = self._catalogue.for_language(
            guess_language(telegram_user.language_code, self._default_language)
        )
        profile = await self._users.get_or_create(
            telegram_user.id,
            language_code=telegram_user.language_code,
            default_language=self._default_language,
        )
        data["user"] = profile
        data["texts"] = self._catalogue.for_language(profile.language)
        return await handler(event, data)
