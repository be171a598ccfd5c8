"""Log context (update id, user hash) and metrics for every update, set outside everything else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.dispatcher.middlewares.error import ErrorsMiddleware
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.types import TelegramObject, Update

from bot.logging_setup import current_update_id, current_user_hash, hash_user_id
from bot.metrics import BotMetrics

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class LogContextMiddleware(BaseMiddleware):
    """Puts the update id and the salted user hash in the logging context for the whole update.

    It must run outside aiogram's `ErrorsMiddleware` so the error router's log lines carry the
    context too; the user therefore comes from the update itself, not `event_from_user`.
    """

    def __init__(self, user_hash_salt: str) -> None:
        self._salt = user_hash_salt

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        user = UserContextMiddleware.resolve_event_context(event).user
        update_token = current_update_id.set(event.update_id)
        user_token = current_user_hash.set(
            hash_user_id(user.id, self._salt) if user is not None else None
        )
        try:
            return await handler(event, data)
        finally:
            current_user_hash.reset(user_token)
            current_update_id.reset(update_token)


class MetricsMiddleware(BaseMiddleware):
    """Counts errors before the error router turns them into replies.

    Updates are counted once each, when done (`UpdateOnceMiddleware`); 429s where every Bot API
    call passes (`bot.delivery.session`).
    """

    def __init__(self, metrics: BotMetrics) -> None:
        self._metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except Exception as error:
            self._metrics.error_seen(error)
            raise


def install_observability(dispatcher: Dispatcher, metrics: BotMetrics, salt: str) -> None:
    """Wrap the Dispatcher's own outer middlewares: context outermost, metrics inside errors."""
    manager = dispatcher.update.outer_middleware
    existing = list(manager)
    for middleware in existing:
        manager.unregister(middleware)
    manager.register(LogContextMiddleware(salt))
    for middleware in existing:
        manager.register(middleware)
        if isinstance(middleware, ErrorsMiddleware):
            manager.register(MetricsMiddleware(metrics))
    if not any(isinstance(middleware, ErrorsMiddleware) for middleware in existing):
        manager.register(MetricsMiddleware(metrics))
