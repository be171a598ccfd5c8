"""Every Bot API call of a process passes here: replies take the shared send budget, and a 429
(`TelegramRetryAfter`) pauses every sender, is counted once, and is waited out and retried.

Installed on the Bot's session (`install_send_budget(bot, budget, metrics)`), so handlers keep
calling `message.answer(...)` as usual. Calls made by the delivery worker run with
`SEND_KIND` set to the outbox: the worker takes the budget itself (before it claims a row) and
handles a 429 by rescheduling the row, so here those calls are only counted.

A reply still refused after `max_retries` waits, or told to wait longer than `max_wait_seconds`,
raises `TelegramRetryAfter`: a transient error, so the webhook answers 503 and Telegram delivers
the update again (the update-id guard keeps a handled one from being answered twice).
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from typing import Any, Protocol

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.delivery.budget import SendBudget, SendKind

log = logging.getLogger(__name__)

# Which budget the calls of the current task draw from; the delivery worker sets OUTBOX.
SEND_KIND: ContextVar[SendKind] = ContextVar("hecbot_send_kind", default=SendKind.REPLY)

# Methods that put a message in a chat: what Telegram's ~30 a second counts.
COUNTED_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendMediaGroup",
        "sendLocation",
        "sendPoll",
        "sendSticker",
        "copyMessage",
        "forwardMessage",
    }
)


class RateLimitMetrics(Protocol):
    def rate_limited(self) -> None: ...

    def send_retried(self, kind: str) -> None: ...

    def telegram_sent(self, kind: str) -> None: ...


class BudgetedRequests(BaseRequestMiddleware):
    def __init__(
        self,
        budget: SendBudget,
        metrics: RateLimitMetrics | None = None,
        *,
        max_retries: int = 3,
        max_wait_seconds: float = 20.0,
    ) -> None:
        self._budget = budget
        self._metrics = metrics
        self._max_retries = max_retries
        self._max_wait = max_wait_seconds

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = SEND_KIND.get()
        counted = method.__api_method__ in COUNTED_METHODS
        if kind is SendKind.REPLY and counted and getattr(method, "allow_paid_broadcast", None):
            kind = SendKind.PAID
        attempt = 0
        while True:
            if kind is not SendKind.OUTBOX and counted:
                await self._budget.acquire(kind)
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as error:
                if self._metrics is not None:
                    self._metrics.rate_limited()
                await self._budget.pause(float(error.retry_after))
                if (
                    kind is SendKind.OUTBOX
                    or attempt >= self._max_retries
                    or error.retry_after > self._max_wait
                ):
                    raise
                attempt += 1
                if self._metrics is not None:
                    self._metrics.send_retried(kind.value)
                log.warning(
                    "%s: Telegram asked to wait %s s; retrying (%d of %d)",
                    method.__api_method__,
                    error.retry_after,
                    attempt,
                    self._max_retries,
                )
                if not counted:  # counted calls wait out the pause in `acquire`
                    await asyncio.sleep(float(error.retry_after))
                continue
            if counted and self._metrics is not None:
                self._metrics.telegram_sent(kind.value)
            return response


def install_send_budget(bot: Bot, budget: SendBudget, metrics: Any = None) -> None:
    """Put the budget and the 429 handling on every call `bot` makes."""
    bot.session.middleware(BudgetedRequests(budget, metrics))
