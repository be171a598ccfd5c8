"""Logging: readable text in development, one JSON object a line in production.

Secrets never reach a log line: the bot token is masked wherever it appears (aiogram puts it in
request URLs). Every line written while an update is handled carries its update id and a salted
hash of the user id (set by `bot.telegram.middlewares.log_context`), never the user's text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

current_update_id: ContextVar[int | None] = ContextVar("current_update_id", default=None)
current_user_hash: ContextVar[str | None] = ContextVar("current_user_hash", default=None)

USER_HASH_CHARS = 12


def hash_user_id(user_id: int, salt: str) -> str:
    """A short salted sha256 of a Telegram user id: correlates lines without naming the person."""
    digest = hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()
    return digest[:USER_HASH_CHARS]


_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    return _TOKEN.sub("<token>", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class ContextFilter(logging.Filter):
    """Stamps each record with the update id and user hash of the update being handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "update_id", None) is None:
            record.update_id = current_update_id.get()
        if getattr(record, "user_hash", None) is None:
            record.user_hash = current_user_hash.get()
        return True


class TextFormatter(logging.Formatter):
    """Readable lines for development, with the update context when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        update_id = getattr(record, "update_id", None)
        user_hash = getattr(record, "user_hash", None)
        if update_id is None and user_hash is None:
            return line
        return f"{line} [update={update_id} user={user_hash}]"

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return redact(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("update_id", "user_hash", "dependency", "outage"):
            value = getattr(record, key, None)
            if value is not None:
                payload[key] = value
        if record.exc_info:
            payload["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.addFilter(ContextFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("chromadb", "httpx", "aiogram.event", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # These write SQL parameters (a learner's question among them) or raw chat ids below
    # WARNING; hecbot's own lines carry the salted user hash instead.
    for leaky in ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "aiogram.utils"):
        logging.getLogger(leaky).setLevel(max(logging.WARNING, root.level))
