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
import secrets
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

current_update_id: ContextVar[int | None] = ContextVar("current_update_id", default=None)
current_user_hash: ContextVar[str | None] = ContextVar("current_user_hash", default=None)

USER_HASH_CHARS = 12

# The salt `logged_user` hashes with: the deployment's (`configure_logging(salt=...)`), else one
# drawn per process, so a line written before logging is configured (a test, a library call)
# still never carries a raw id. Logging is process-wide by nature; so is its salt.
_log_salt: list[str] = [secrets.token_hex(16)]


def hash_user_id(user_id: int, salt: str) -> str:
    """A short salted sha256 of a Telegram user id: correlates lines without naming the person."""
    digest = hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()
    return digest[:USER_HASH_CHARS]


class LoggedUser:
    """A Telegram id as a log argument: formats as its salted hash, never as the number."""

    __slots__ = ("_user_id",)

    def __init__(self, user_id: int | None) -> None:
        self._user_id = user_id

    def __str__(self) -> str:
        if self._user_id is None:
            return "-"
        return hash_user_id(self._user_id, _log_salt[0])

    __repr__ = __str__


def logged_user(user_id: int | None) -> LoggedUser:
    """Pass Telegram ids to log calls through this: `log.info("by %s", logged_user(actor.id))`."""
    return LoggedUser(user_id)


def set_log_salt(salt: str) -> None:
    """The deployment's salt (`Settings.user_hash_salt`), the one the update context uses too."""
    _log_salt[0] = salt


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


def configure_logging(
    level: str = "INFO",
    fmt: str = "text",
    stream: TextIO | None = None,
    *,
    salt: str | None = None,
) -> None:
    if salt:
        set_log_salt(salt)
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
    tune_library_loggers(root.level)


def tune_library_loggers(root_level: int) -> None:
    """Libraries log at WARNING and above whatever hecbot's own level is."""
    for noisy in ("chromadb", "httpx", "aiogram.event", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root_level))
    # These write SQL parameters (a learner's question among them) or raw chat ids below
    # WARNING; hecbot's own lines carry the salted user hash instead.
    for leaky in ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "aiogram.utils"):
        logging.getLogger(leaky).setLevel(max(logging.WARNING, root_level))
