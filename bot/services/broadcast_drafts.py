"""Broadcast drafts and their validation: what a notice (and its webinar) may be before it is sent.

Plain data and checks, no database: the conversation (handlers/broadcast.py), the CLI and
`BroadcastService` share them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from bot.errors import InvalidInputError, NotAllowedError
from bot.i18n import PAKISTAN_TIME
from bot.services import permissions
from bot.services.audience import Audience
from bot.services.digits import ascii_digits
from bot.services.permissions import Actor, Permission

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TITLE_LIMIT = 200
MAX_DURATION_MINUTES = 12 * 60
START_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M")


class BroadcastInputError(InvalidInputError):
    """A notice cannot be sent as composed; `message_key` says why, in the sender's language."""

    def __init__(self, message_key: str, detail: str = "") -> None:
        reason = message_key.removeprefix("broadcast-error-").replace("-", " ")
        # The operator-facing text (CLI, logs); Telegram users get the catalogue's message.
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.message_key = message_key


class NoticeTooLongError(BroadcastInputError):
    """The notice in one language, with what is added to it (the webinar's details), is over
    what one message (or a caption) holds: `language` says which version to shorten."""

    def __init__(self, message_key: str, *, language: str, length: int, limit: int) -> None:
        super().__init__(message_key, f"{language}: {length} > {limit}")
        self.language = language
        self.length = length
        self.limit = limit

    @property
    def message_args(self) -> dict[str, str | int]:
        return {"length": self.length, "limit": self.limit}


@dataclass(frozen=True)
class WebinarDraft:
    title: str
    starts_at: datetime  # UTC
    duration_minutes: int
    join_link: str


@dataclass(frozen=True)
class BroadcastDraft:
    audience: Audience
    text_en: str  # Telegram HTML, as the sender formatted it
    text_ur: str | None = None
    attachment_path: str | None = None
    attachment_kind: str | None = None  # "photo" | "document"
    webinar: WebinarDraft | None = None
    # An urgent notice an HEC admin sends as a paid broadcast (allow_paid_broadcast, 0.1 Star
    # a message, up to 1,000 a second instead of what the ~30/s budget leaves).
    paid: bool = False

    def to_dict(self) -> dict[str, Any]:
        webinar = self.webinar
        return {
            "audience": self.audience.to_json(),
            "text_en": self.text_en,
            "text_ur": self.text_ur,
            "attachment_path": self.attachment_path,
            "attachment_kind": self.attachment_kind,
            "paid": self.paid,
            "webinar": None
            if webinar is None
            else {
                "title": webinar.title,
                "starts_at": webinar.starts_at.isoformat(),
                "duration_minutes": webinar.duration_minutes,
                "join_link": webinar.join_link,
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BroadcastDraft:
        raw = data.get("webinar")
        webinar = None
        if raw:
            webinar = WebinarDraft(
                title=str(raw["title"]),
                starts_at=datetime.fromisoformat(raw["starts_at"]),
                duration_minutes=int(raw["duration_minutes"]),
                join_link=str(raw["join_link"]),
            )
        return cls(
            audience=Audience.from_json(data.get("audience") or {}),
            text_en=str(data.get("text_en") or ""),
            text_ur=data.get("text_ur") or None,
            attachment_path=data.get("attachment_path") or None,
            attachment_kind=data.get("attachment_kind") or None,
            webinar=webinar,
            paid=bool(data.get("paid", False)),
        )


def require_can_broadcast(actor: Actor) -> None:
    """Focal persons (for their own university) and HEC admins may broadcast."""
    if permissions.is_allowed(actor, Permission.BROADCAST_ANY):
        return
    permissions.require(
        actor, Permission.BROADCAST_OWN_UNIVERSITY, university_id=actor.university_id
    )
    if actor.university_id is None:
        raise NotAllowedError("a focal person without a university cannot broadcast")


def plain_text(html_text: str) -> str:
    """What remains of Telegram HTML once parsed: the text a learner reads."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def plain_length(html_text: str) -> int:
    """Characters Telegram counts after parsing the HTML (UTF-16 units, as it does)."""
    return len(plain_text(html_text).encode("utf-16-le")) // 2


def parse_start_time(value: str, now: datetime) -> datetime:
    """A start time typed in Pakistan time ("2026-12-05 15:00"), as UTC; must be in the future."""
    # An Urdu keyboard types the digits as ۲۰۲۶-۱۲-۰۵ ۱۵:۰۰, which strptime cannot read.
    cleaned = " ".join(ascii_digits(value).strip().split())
    for pattern in START_FORMATS:
        try:
            local = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        moment = local.replace(tzinfo=PAKISTAN_TIME).astimezone(UTC)
        if moment <= now:
            raise BroadcastInputError("broadcast-error-start-past", cleaned)
        return moment
    raise BroadcastInputError("broadcast-error-start-format", cleaned)


def validate_join_link(value: str) -> str:
    link = value.strip()
    parsed = urlparse(link)
    host = parsed.hostname or ""
    if (
        parsed.scheme != "https"
        or "." not in host
        or " " in link
        or len(link) > 500
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise BroadcastInputError("broadcast-error-link", link[:100])
    return link


def validate_duration(value: str) -> int:
    cleaned = (
        ascii_digits(value).strip().lower().removesuffix("min").removesuffix("minutes").strip()
    )
    if not cleaned.isdigit() or not 5 <= int(cleaned) <= MAX_DURATION_MINUTES:
        raise BroadcastInputError("broadcast-error-duration", value[:50])
    return int(cleaned)


def validate_title(value: str) -> str:
    title = " ".join(value.split())
    if not title or len(title) > TITLE_LIMIT:
        raise BroadcastInputError("broadcast-error-title", title[:50])
    return title


def validate_notice_text(value: str | None) -> str:
    text_value = (value or "").strip()
    if not plain_text(text_value).strip():
        raise BroadcastInputError("broadcast-error-empty")
    return text_value
