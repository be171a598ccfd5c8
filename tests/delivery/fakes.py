"""Test doubles for the delivery worker: a clock that jumps instead of sleeping, a sender."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.delivery.messages import OutgoingMessage
from bot.delivery.telegram import OutcomeKind, SendOutcome


class FakeClock:
    """Sleeping moves time forward at once; `sleeps` records how long each wait was."""

    def __init__(self, start: datetime | None = None) -> None:
        self.start = start or datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += max(0.0, seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds


@dataclass
class ScriptedSender:
    """Answers per chat from `script` (a list of outcomes consumed in order), else SENT."""

    script: dict[int, list[SendOutcome]] = field(default_factory=dict)
    sent: Counter[int] = field(default_factory=Counter)
    attempts: Counter[int] = field(default_factory=Counter)
    texts: dict[int, list[str]] = field(default_factory=dict)
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    on_send: Callable[[OutgoingMessage], None] | None = None
    next_message_id: int = 1

    async def send(self, message: OutgoingMessage) -> SendOutcome:
        self.attempts[message.chat_id] += 1
        if self.on_send is not None:
            self.on_send(message)
        planned = self.script.get(message.chat_id)
        if planned:
            outcome = planned.pop(0)
            if outcome.kind is not OutcomeKind.SENT:
                return outcome
        self.sent[message.chat_id] += 1
        self.texts.setdefault(message.chat_id, []).append(message.text)
        self.next_message_id += 1
        return SendOutcome(OutcomeKind.SENT, telegram_message_id=self.next_message_id)

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        self.edits.append((chat_id, message_id, text))
