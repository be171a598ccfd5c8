"""How long a learner's own licence has left, for the course recommender: from the licences
feature's record where one exists (`LicenceStatusService`), else None (a whole licence, as the
programme rules state it, see `course_recommender.licence_months`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Protocol

DAYS_PER_MONTH = 30.44


class _LicenceView(Protocol):
    @property
    def days_left(self) -> int | None: ...


class LicenceStatusSource(Protocol):
    def status(self, user_id: int, today: date | None = None) -> Awaitable[_LicenceView | None]: ...


def licence_months_lookup(source: LicenceStatusSource) -> Callable[[int], Awaitable[float | None]]:
    """A `CourseService.set_licence_lookup` function over the licences feature's status."""

    async def months_left(user_id: int) -> float | None:
        view = await source.status(user_id)
        if view is None or view.days_left is None:
            return None
        return view.days_left / DAYS_PER_MONTH

    return months_left
