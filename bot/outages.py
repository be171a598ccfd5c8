"""Outages of a backing service (PostgreSQL, Redis) as one process sees them.

During an outage every update, lock, FSM read and send-budget call fails the same way; a line
for each would bury the log (hundreds a minute under load) and say nothing new. An `OutageWatch`
turns them into two lines: one when the outage starts, naming the error's kind, one when the
service answers again, with how long it was away. Meanwhile `outage` says so for `/readyz`.

Every place that talks to the service reports to the process's one watch for it: `failed` on an
outage error, `succeeded` when a call got through. Imports nothing of hecbot's layers, so
storage, delivery and the Telegram runtime all report to the same watches.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


def error_kind(error: BaseException) -> str:
    """The class name of the error that says what happened, under hecbot's and SQLAlchemy's
    wrappers (`ServiceUnavailableError` from `DBAPIError` from asyncpg's own)."""
    seen = 0
    while seen < 5:
        seen += 1
        inner = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
        if isinstance(inner, BaseException):
            error = inner
            continue
        if error.__cause__ is not None and type(error).__module__.startswith(
            ("bot.", "sqlalchemy")
        ):
            error = error.__cause__
            continue
        break
    return type(error).__name__


class OutageWatch:
    """One dependency's state in this process: up, or down since a moment, for a reason."""

    def __init__(self, dependency: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.dependency = dependency
        self._clock = clock
        self._down_since: float | None = None
        self._kind = ""
        self._detail = ""

    @property
    def outage(self) -> str | None:
        """For health checks: how long and why, or None while the dependency answers."""
        if self._down_since is None:
            return None
        seconds = self._clock() - self._down_since
        return f"down for {seconds:.0f} s ({self._kind}: {self._detail})"

    def failed(self, error: BaseException) -> None:
        """A call failed because the dependency is unreachable: logged if it starts an outage."""
        self._detail = str(error)[:200]
        if self._down_since is not None:
            return
        self._down_since = self._clock()
        self._kind = error_kind(error)
        log.warning(
            "%s unreachable (%s: %s); waiting for it to come back",
            self.dependency,
            self._kind,
            self._detail,
            extra={"dependency": self.dependency, "outage": "down", "error_kind": self._kind},
        )

    def succeeded(self) -> None:
        """A call got through: ends the outage, if there was one, with its duration."""
        if self._down_since is None:
            return
        seconds = self._clock() - self._down_since
        self._down_since = None
        log.warning(
            "%s is back after %.1f s (%s)",
            self.dependency,
            seconds,
            self._kind,
            extra={"dependency": self.dependency, "outage": "up", "outage_seconds": seconds},
        )


@dataclass
class Outages:
    """The watches of one process: its database and its Redis (state, locks, send budget)."""

    database: OutageWatch = field(default_factory=lambda: OutageWatch("database"))
    redis: OutageWatch = field(default_factory=lambda: OutageWatch("Redis"))
