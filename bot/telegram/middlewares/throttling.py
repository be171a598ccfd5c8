"""Per-user flood control: a burst is dropped until it calms down, with one notice per flood
(and a toast on each dropped press)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update

from bot.i18n import Catalogue, Texts
from bot.services.users import guess_language


class FloodGate:
    """Token bucket per user: `burst` messages at once, one more every `interval` seconds.

    State is in process memory on purpose: losing it on restart only forgives a flood.
    """

    def __init__(self, interval: float, burst: int = 5, max_users: int = 100_000) -> None:
        self._interval = interval
        self._burst = burst
        self._max_users = max_users
        self._buckets: dict[int, tuple[float, float, bool]] = {}

    def admit(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """Return (admitted, warn): `warn` is true once per flood, on its first refused message."""
        if self._interval <= 0:
            return True, False
        now = time.monotonic() if now is None else now
        tokens, last, warned = self._buckets.get(user_id, (float(self._burst), now, False))
        tokens = min(float(self._burst), tokens + (now - last) / self._interval)
        if tokens >= 1:
            self._remember(user_id, (tokens - 1, now, False))
            return True, False
        self._remember(user_id, (tokens, now, True))
        return False, not warned

    def _remember(self, user_id: int, bucket: tuple[float, float, bool]) -> None:
        if len(self._buckets) >= self._max_users and user_id not in self._buckets:
            self._buckets.clear()
        self._buckets[user_id] = bucket


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, gate: FloodGate, catalogue: Catalogue, default_language: str) -> None:
        self._gate = gate
        self._catalogue = catalogue
        self._default_language = default_language

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None or not isinstance(event, Update):
            return await handler(event, data)
        admitted, warn = self._gate.admit(user.id)
        if admitted:
            return await handler(event, data)
        inner = event.event
        # Each dropped press is answered: unanswered, its button spins on, and the learner
        # cannot tell that a survey answer (say) was not taken. A toast adds no message to the
        # chat; a dropped message gets one notice per flood.
        if isinstance(inner, CallbackQuery):
            await inner.answer(self._texts(user.language_code)("throttled-press"))
        elif warn and isinstance(inner, Message):
            await inner.answer(self._texts(user.language_code)("throttled"))
        return None

    def _texts(self, language_code: str | None) -> Texts:
        return self._catalogue.for_language(guess_language(language_code, self._default_language))
