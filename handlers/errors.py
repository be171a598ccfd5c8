"""One place where errors become messages: domain errors explained, the rest logged."""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import CallbackQuery, ErrorEvent

from bot.errors import HecbotError
from bot.i18n import Texts
from bot.services.users import UserService
from bot.transient import REDELIVER_ON_OUTAGE, dependency_of, is_transient

log = logging.getLogger(__name__)


async def _reply(event: ErrorEvent, text: str) -> None:
    update = event.update
    try:
        if update.message is not None:
            await update.message.answer(text)
        elif update.callback_query is not None:
            await _reply_to_press(update.callback_query, text)
    except Exception:  # the reply itself failed: there is nobody left to tell
        log.warning("could not deliver an error reply for update %s", update.update_id)


async def _reply_to_press(query: CallbackQuery, text: str) -> None:
    """An alert on the press; if the handler had already answered it, a message in the chat."""
    try:
        await query.answer(text[:200], show_alert=True)
    except TelegramBadRequest:  # "query is too old or query ID is invalid": answered already
        if query.message is None:
            raise
        await query.bot.send_message(query.message.chat.id, text)  # type: ignore[union-attr]


async def on_not_modified(event: ErrorEvent, **_: Any) -> None:
    """An edit that changes nothing (a double press) is not an error: finish the press quietly."""
    log.debug("update %s: message not modified", event.update.update_id)
    query = event.update.callback_query
    if query is not None:
        with suppress(TelegramBadRequest):
            await query.answer()


async def on_outage(event: ErrorEvent, texts: Texts | None = None, **data: Any) -> None:
    """A backing service is down: let the webhook caller redeliver, or ask to try again."""
    if data.get(REDELIVER_ON_OUTAGE) and getattr(event.exception, "redeliver", True):
        raise event.exception
    # A PostgreSQL or Redis outage is logged once by the process's watch (bot.outages), which
    # the observability middleware told already; a line per update would bury the log.
    level = logging.DEBUG if dependency_of(event.exception) else logging.WARNING
    log.log(level, "update %s: service unavailable: %s", event.update.update_id, event.exception)
    if texts is not None:
        key = getattr(event.exception, "message_key", "error-unavailable")
        await _reply(event, texts(key if isinstance(key, str) else "error-unavailable"))


async def on_domain_error(event: ErrorEvent, texts: Texts | None = None, **_: Any) -> None:
    error = event.exception
    assert isinstance(error, HecbotError)
    log.info("update %s: %s: %s", event.update.update_id, type(error).__name__, error)
    if texts is not None:
        await _reply(event, texts(error.message_key, **error.message_args))


async def on_blocked(event: ErrorEvent, users: UserService, **data: Any) -> None:
    user = data.get("event_from_user")
    if user is not None:
        await users.mark_unreachable(user.id)
    log.info("update %s: the user blocked the bot", event.update.update_id)


async def on_unexpected(event: ErrorEvent, texts: Texts | None = None, **_: Any) -> None:
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    if texts is not None:
        await _reply(event, texts("error-generic"))


def outage_error(event: ErrorEvent) -> bool:
    """A backing service (or Telegram's flood control) is failing for now."""
    return is_transient(event.exception)


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(
        on_not_modified,
        ExceptionTypeFilter(TelegramBadRequest),
        F.exception.message.contains("message is not modified"),
    )
    router.errors.register(on_outage, outage_error)
    router.errors.register(on_domain_error, ExceptionTypeFilter(HecbotError))
    router.errors.register(on_blocked, ExceptionTypeFilter(TelegramForbiddenError))
    router.errors.register(on_unexpected)
    return router
