"""Knowing that an update was handled, for the webhook's answer to Telegram.

aiogram releases the per-user lock (in Redis, with several instances) after the handlers have
run. If Redis goes away in that moment, the error reaches the webhook although the learner has
their reply; a 503 would make Telegram deliver the update again and the learner would get the
reply twice. The webhook passes a `HandledMarker`; this middleware, inside the lock, marks it
once the handlers have returned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

UPDATE_HANDLED = "update_handled"


class HandledMarker:
    def __init__(self) -> None:
        self.handled = False


class MarkHandledMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        result = await handler(event, data)
        marker = data.get(UPDATE_HANDLED)
        if isinstance(marker, HandledMarker):
            marker.handled = True
        return result
