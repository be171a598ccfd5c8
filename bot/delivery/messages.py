"""Plain data the outbox takes and returns; nothing here knows Telegram."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one chat. `text` is Telegram HTML (the caption when a file is attached).

    `reply_markup` is an inline keyboard as a plain dict
    (`InlineKeyboardMarkup.model_dump(exclude_none=True)`), so services stay free of aiogram.
    """

    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    document_path: str | None = None
    photo_path: str | None = None
    # An urgent notice sent with allow_paid_broadcast (0.1 Star a message, up to 1,000/s).
    paid: bool = False
    # Shown as a reply to this message of the same chat (sent anyway if it is gone).
    reply_to_message_id: int | None = None

    def payload(self) -> dict[str, Any]:
        """What is stored in a delivery row (everything but the chat)."""
        data = asdict(self)
        del data["chat_id"]
        if not data["paid"]:
            del data["paid"]
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_payload(cls, chat_id: int, payload: dict[str, Any]) -> OutgoingMessage:
        return cls(
            chat_id=chat_id,
            text=str(payload.get("text", "")),
            reply_markup=payload.get("reply_markup"),
            document_path=payload.get("document_path"),
            photo_path=payload.get("photo_path"),
            paid=bool(payload.get("paid", False)),
            reply_to_message_id=payload.get("reply_to_message_id"),
        )


@dataclass(frozen=True)
class JobProgress:
    """Where a job stands. `uncertain` rows were in flight when a worker died (never resent)."""

    job_id: int
    status: str
    total: int
    pending: int
    sending: int
    sent: int
    failed: int
    blocked: int
    cancelled: int
    uncertain: int
    eta_seconds: float | None
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def done(self) -> int:
        """Rows that reached a final state."""
        return self.sent + self.failed + self.blocked + self.cancelled + self.uncertain

    @property
    def is_finished(self) -> bool:
        return self.pending == 0 and self.sending == 0


@dataclass(frozen=True)
class JobSummary:
    id: int
    kind: str
    reference: str | None
    created_by: int | None
    priority: int
    status: str
    created_at: datetime
    not_before: datetime | None
    progress: JobProgress
