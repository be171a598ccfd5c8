"""How the people feature hands messages to the delivery Outbox without knowing Telegram.

`OutgoingNotice` has the fields of `bot.delivery.OutgoingMessage`, and `EnqueueJob` is the shape
of `Outbox.enqueue_job`: once the Outbox is wired, `outbox.enqueue_job` is passed as `enqueue`
(with a renderer that builds `OutgoingMessage`), and nothing here changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class OutgoingNotice:
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    document_path: str | None = None
    photo_path: str | None = None


class EnqueueJob(Protocol):
    """`Outbox.enqueue_job`: writes every message before any is sent; returns the job id."""

    async def __call__(
        self,
        *,
        kind: str,
        reference: str | None,
        messages: Iterable[Any],
        created_by: int | None = None,
        priority: int = 0,
        not_before: datetime | None = None,
    ) -> int: ...


@dataclass(frozen=True)
class Recipient:
    user_id: int
    language: str
