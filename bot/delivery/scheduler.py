"""Periodic jobs run by the delivery worker (reminders due, survey invitations, ...)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger(__name__)

RunDue = Callable[[datetime], Awaitable[int]]


@dataclass
class _Entry:
    name: str
    run_due: RunDue
    every_seconds: float
    last_run: datetime | None = None


class Scheduler:
    """Features register `async def run_due(now) -> int` (how many things it did).

    With several workers on PostgreSQL every worker runs every callable, so a callable must
    claim its work with a conditional update (as the webinar reminders do), never assume it is
    alone.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def register(self, name: str, run_due: RunDue, every_seconds: float) -> None:
        if every_seconds <= 0:
            raise ValueError("every_seconds must be positive")
        if name in self._entries:
            raise ValueError(f"{name!r} is already registered")
        self._entries[name] = _Entry(name, run_due, every_seconds)

    @property
    def names(self) -> list[str]:
        return list(self._entries)

    async def run_pending(self, now: datetime) -> dict[str, int]:
        """Run every callable whose interval has passed; one failing does not stop the rest."""
        done: dict[str, int] = {}
        for entry in self._entries.values():
            if (
                entry.last_run is not None
                and (now - entry.last_run).total_seconds() < entry.every_seconds
            ):
                continue
            entry.last_run = now
            try:
                done[entry.name] = await entry.run_due(now)
            except Exception:
                log.exception("scheduled job %s failed", entry.name)
        return done
