"""Log context (update id, user hash) and metrics for every update, set outside everything else."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.dispatcher.middlewares.error import ErrorsMiddleware
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.types import TelegramObject, Update

from bot.logging_setup import current_update_id, current_user_hash, hash_user_id
from bot.metrics import BotMetrics
from bot.outages import Outages
from bot.transient import dependency_of, report_outage

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

    def __init__(self, metrics: BotMetrics, outages: Outages | None = None) -> None:
        self._metrics = metrics
        self._outages = outages

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except Exception as error:
            self._metrics.error_seen(error)
            # Inside aiogram's error middleware and outside the per-user lock and FSM storage:
            # a Redis or database outage met anywhere in the update is seen here, once per
            # outage in the log (bot.outages).
            report_outage(error, self._outages)
            raise


class OutageTracebackFilter(logging.Filter):
    """Drops aiogram's traceback for an update that failed because PostgreSQL or Redis is down.

    aiogram logs every exception of a webhook update at ERROR before re-raising it; during an
    outage that is a traceback per update. The outage is logged once by its watch instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return error is None or dependency_of(error) is None


def install_observability(
    dispatcher: Dispatcher, metrics: BotMetrics, salt: str, outages: Outages | None = None
) -> None:
    """Wrap the Dispatcher's own outer middlewares: context outermost, metrics inside errors."""
    aiogram_events = logging.getLogger("aiogram.event")
    if not any(isinstance(f, OutageTracebackFilter) for f in aiogram_events.filters):
        aiogram_events.addFilter(OutageTracebackFilter())
    manager = dispatcher.update.outer_middleware
    existing = list(manager)
    for middleware in existing:
        manager.unregister(middleware)
    manager.register(LogContextMiddleware(salt))
    for middleware in existing:
        manager.register(middleware)
        if isinstance(middleware, ErrorsMiddleware):
            manager.register(MetricsMiddleware(metrics, outages))
    if not any(isinstance(middleware, ErrorsMiddleware) for middleware in existing):
        manager.register(MetricsMiddleware(metrics, outages))
