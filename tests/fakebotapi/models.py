"""Plain data the fake server records and exposes to tests."""

from __future__ import annotations

import enum
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any


class ChatStatus(enum.Enum):
    """How a chat answers the bot; set per chat id with `FakeTelegram.set_chat_status`."""

    OK = "ok"
    BLOCKED = "blocked"  # 403 Forbidden: bot was blocked by the user
    DEACTIVATED = "deactivated"  # 403 Forbidden: user is deactivated
    NOT_FOUND = "not_found"  # 400 Bad Request: chat not found


@dataclass(frozen=True)
class RateLimit:
    """Flood limits; the defaults are the Bot FAQ's ~30 messages/s overall, 1/s per chat.

    At most `global_limit` messages in any sliding window of `window_seconds`, and at most
    `per_chat_limit` to one chat. Tests that must not depend on machine speed use a long
    window (e.g. 60 s), so "the second message is refused" holds however slow the run is.
    """

    global_limit: int = 30
    per_chat_limit: int = 1
    window_seconds: float = 1.0


@dataclass(frozen=True)
class UserFile:
    """A file a simulated user sends to the bot (document, photo, voice)."""

    data: bytes
    name: str = "file.bin"
    mime_type: str | None = None


@dataclass(frozen=True)
class UploadedFile:
    """A multipart part the bot uploaded."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class RecordedRequest:
    """One Bot API call as the fake received and answered it."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    time: float
    status: int = 0
    response: dict[str, Any] = field(default_factory=dict)
    via_webhook_reply: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        return value  # type: ignore[no-any-return]

    @property
    def description(self) -> str | None:
        return self.response.get("description")


@dataclass
class ChatMessage:
    """A message as it is visible in a chat, with edits applied."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    raw: dict[str, Any]
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def text(self) -> str | None:
        return self.raw.get("text")

    @property
    def caption(self) -> str | None:
        return self.raw.get("caption")

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.raw.get("reply_markup")

    @property
    def callback_data(self) -> list[str]:
        """All callback_data values of the inline keyboard, row by row."""
        markup = self.reply_markup or {}
        return [
            button["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]


@dataclass
class WebhookDelivery:
    url: str
    update_id: int
    attempt: int
    status: int | None
    error: str | None
    secret_token: str | None
    # From the POST to the bot's answer: how long the update held a webhook connection.
    seconds: float = 0.0


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    name: str | None
    mime_type: str | None


class SlidingWindowLimiter:
    """Counts sends per key over a sliding window; says how long to wait when full."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._global: deque[float] = deque()
        self._per_chat: dict[str, deque[float]] = {}

    def retry_after(self, chat_key: str, now: float | None = None) -> int:
        """0 if a message to `chat_key` may go now (and count it), else seconds to wait."""
        now = time.monotonic() if now is None else now
        window = self.limit.window_seconds
        chat = self._per_chat.setdefault(chat_key, deque())
        for stamps in (self._global, chat):
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
        waits = []
        if len(self._global) >= self.limit.global_limit:
            waits.append(self._global[0] + window - now)
        if len(chat) >= self.limit.per_chat_limit:
            waits.append(chat[0] + window - now)
        if waits:
            # Telegram always answers a whole number of seconds, at least 1.
            return max(1, int(max(waits) + 0.999))
        self._global.append(now)
        chat.append(now)
        return 0
