"""Who a broadcast, a survey wave or a nudge goes to: one `Audience` and its SQL conditions.

Filters are on the person (role, kind of learner, when they finished onboarding) and on their
university (which ones, in which cities, read from the `University` table); they combine with
AND. An audience without filters, or `everyone=True`, is everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select

from bot.errors import InvalidInputError
from bot.storage.models import Role, User
from bot.storage.people_models import University

LEARNER_KINDS = frozenset({"student", "faculty", "alumni"})


class AudienceError(InvalidInputError):
    """An audience written as text (`university:3,role:learner`) cannot be read."""

    message_key = "broadcast-error-audience"


@dataclass(frozen=True)
class Audience:
    """Filters combine with AND; `everyone` ignores the rest."""

    everyone: bool = False
    universities: frozenset[int] = frozenset()
    cities: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    learner_kinds: frozenset[str] = frozenset()
    onboarded_after: datetime | None = None
    onboarded_before: datetime | None = None

    @property
    def is_everyone(self) -> bool:
        return self.everyone or not (
            self.universities
            or self.cities
            or self.roles
            or self.learner_kinds
            or self.onboarded_after
            or self.onboarded_before
        )

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL conditions on `User` (empty: everyone); cities through the `University` table."""
        if self.everyone:
            return []
        conditions: list[ColumnElement[bool]] = []
        if self.universities:
            conditions.append(col(User.university_id).in_(sorted(self.universities)))
        if self.cities:
            cities = sorted({city.strip().lower() for city in self.cities})
            in_cities = select(col(University.id)).where(
                func.lower(col(University.city)).in_(cities)
            )
            conditions.append(col(User.university_id).in_(in_cities))
        if self.roles:
            conditions.append(col(User.role).in_(sorted(self.roles)))
        if self.learner_kinds:
            conditions.append(col(User.learner_kind).in_(sorted(self.learner_kinds)))
        if self.onboarded_after:
            conditions.append(col(User.onboarded_at) >= self.onboarded_after)
        if self.onboarded_before:
            conditions.append(col(User.onboarded_at) < self.onboarded_before)
        return conditions

    # --- stored as JSON (broadcasts, survey waves, conversation state) ----------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "everyone": self.everyone,
            "universities": sorted(self.universities),
            "cities": sorted(self.cities),
            "roles": sorted(self.roles),
            "learner_kinds": sorted(self.learner_kinds),
            "onboarded_after": self.onboarded_after.isoformat() if self.onboarded_after else None,
            "onboarded_before": (
                self.onboarded_before.isoformat() if self.onboarded_before else None
            ),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        """Reads what `to_json` writes, and the two shapes stored before there was one
        `Audience` (broadcasts: `university_ids`, `city`; survey waves: no `everyone`)."""

        def moment(value: Any) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        universities = [*(data.get("universities") or ()), *(data.get("university_ids") or ())]
        cities = [*(data.get("cities") or ()), *([data["city"]] if data.get("city") else [])]
        return cls(
            everyone=bool(data.get("everyone")),
            universities=frozenset(int(item) for item in universities),
            cities=frozenset(str(city) for city in cities),
            roles=frozenset(str(role) for role in data.get("roles") or ()),
            learner_kinds=frozenset(str(kind) for kind in data.get("learner_kinds") or ()),
            onboarded_after=moment(data.get("onboarded_after")),
            onboarded_before=moment(data.get("onboarded_before")),
        )

    # --- written as text (the CLI, the broadcast conversation) ------------------------------

    @classmethod
    def parse(cls, spec: str) -> Audience:
        """`all`, or filters joined by commas: `university:3,role:learner`, `city:Lahore`."""
        spec = spec.strip()
        if spec.lower() in {"all", "everyone"}:
            return cls(everyone=True)
        universities: set[int] = set()
        roles: set[str] = set()
        kinds: set[str] = set()
        cities: set[str] = set()
        for part in (piece.strip() for piece in spec.split(",") if piece.strip()):
            name, _, value = part.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "university" and value.isdigit():
                universities.add(int(value))
            elif name == "city" and value:
                cities.add(value)
            elif name == "role" and value in {role.value for role in Role}:
                roles.add(value)
            elif name == "kind" and value in LEARNER_KINDS:
                kinds.add(value)
            else:
                raise AudienceError(f"audience: bad audience part {part!r}")
        if not (universities or roles or kinds or cities):
            raise AudienceError("audience: empty audience")
        return cls(
            universities=frozenset(universities),
            cities=frozenset(cities),
            roles=frozenset(roles),
            learner_kinds=frozenset(kinds),
        )

    def describe(self) -> str:
        """The audience as `parse` reads it (`university:3,role:learner`), or `everyone`."""
        if self.everyone:
            return "everyone"
        parts = [f"university:{u}" for u in sorted(self.universities)]
        parts += [f"city:{city}" for city in sorted(self.cities)]
        parts += [f"role:{r}" for r in sorted(self.roles)]
        parts += [f"kind:{k}" for k in sorted(self.learner_kinds)]
        return ",".join(parts)

    def summary(self) -> str:
        """In words, for listings: `universities 1,2; roles learner; onboarded from 2026-01-01`."""
        parts = []
        if self.universities:
            parts.append("universities " + ",".join(str(u) for u in sorted(self.universities)))
        if self.roles:
            parts.append("roles " + ",".join(sorted(self.roles)))
        if self.cities:
            parts.append("cities " + ",".join(sorted(self.cities)))
        if self.learner_kinds:
            parts.append("kinds " + ",".join(sorted(self.learner_kinds)))
        if self.onboarded_after:
            parts.append(f"onboarded from {self.onboarded_after:%Y-%m-%d}")
        if self.onboarded_before:
            parts.append(f"onboarded before {self.onboarded_before:%Y-%m-%d}")
        return "; ".join(parts) or "everyone"
