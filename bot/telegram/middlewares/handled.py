"""Knowing that an update was handled, for the webhook's answer to Telegram.

aiogram releases the per-user lock (in Redis, with several instances) after the handlers have
run. If Redis goes away in that moment, the error reaches the webhook although the learner has
their reply; a 503 would make Telegram deliver the update again and the learner would get the
reply twice. The webhook passes a `HandledMarker`; this middleware, inside the lock, marks it
once the handlers have returned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from bot.metrics import BotMetrics
from bot.storage.seen_updates import SeenUpdates
from bot.transient import dependency_of, is_transient

log = logging.getLogger(__name__)

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


class UpdateOnceMiddleware(BaseMiddleware):
    """Skips an update id already handled; counts each update once, when it is done.

    Registered inside aiogram's per-user lock, so a redelivered copy arriving while the first is
    being handled waits for it and then finds its id. An update that failed for a transient
    reason (Telegram delivers it again) is neither remembered nor counted.
    """

    def __init__(self, seen: SeenUpdates, metrics: BotMetrics) -> None:
        self._seen = seen
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        bot = data.get("bot")
        bot_id = bot.id if bot is not None else 0
        if await self._seen.seen(bot_id, event.update_id):
            log.info("update %s was handled already: not again", event.update_id)
            self._metrics.duplicate_update()
            return UNHANDLED
        try:
            result = await handler(event, data)
        except Exception as error:
            if not is_transient(error):
                await self._done(bot_id, event)  # the error router answers it: not redelivered
            raise
        await self._done(bot_id, event)
        return result

    async def _done(self, bot_id: int, event: Update) -> None:
        self._metrics.update_handled(event.event_type)
        try:
            await self._seen.remember(bot_id, event.update_id)
        except Exception as error:  # answered already: a lost id only risks a rare duplicate
            # During a Redis outage the process's watch logs it once (bot.outages).
            level = logging.DEBUG if dependency_of(error) else logging.WARNING
            log.log(
                level, "update %s: could not remember it as handled: %s", event.update_id, error
            )
