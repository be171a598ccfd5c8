"""Intakes: HEC's application rounds, one YAML file each (format: docs/licences.md).

An intake names its dates, the eligibility questions, the priority domains and their weights,
the learning tracks one may choose, the published ranking criteria and the seats per university.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Any

from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import PAKISTAN_TIME
from bot.services.licences_yaml import LicenceFileError, YamlPath, YamlReader
from bot.storage import licence_repository as repo
from bot.storage.db import Database
from bot.storage.licence_models import Intake
from bot.storage.types import utcnow

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,23}$")
DOMAIN_NAME = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
KNOWN_KEYS = {
    "id",
    "title",
    "opens",
    "deadline",
    "licence_ends",
    "max_tracks",
    "email_domains",
    "eligibility",
    "domains",
    "tracks",
    "criteria",
    "seats",
}


@dataclass(frozen=True)
class Choice:
    id: str
    name: dict[str, str]
    weight: int = 0

    def label(self, language: str) -> str:
        return self.name.get(language) or self.name.get("en", self.id)


@dataclass(frozen=True)
class EligibilityQuestion:
    id: str
    text: dict[str, str]
    eligible_answer: bool

    def label(self, language: str) -> str:
        return self.text.get(language) or self.text["en"]


@dataclass(frozen=True)
class IntakeDefinition:
    slug: str
    title: dict[str, str]
    opens_at: datetime
    deadline: datetime
    licence_ends_on: date
    max_tracks: int
    email_domains: tuple[str, ...]
    eligibility: tuple[EligibilityQuestion, ...]
    domains: tuple[Choice, ...]
    tracks: tuple[Choice, ...]
    kind_points: dict[str, int]
    max_domains: int
    seats_default: int
    seats: dict[str, int] = field(default_factory=dict)

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]

    def seats_for(self, university_code: str | None) -> int:
        if university_code is None:
            return self.seats_default
        return self.seats.get(university_code, self.seats_default)

    def email_allowed(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1]
        return not self.email_domains or any(
            domain == allowed or domain.endswith("." + allowed) for allowed in self.email_domains
        )

    def score(self, learner_kind: str | None, domains: list[str]) -> float:
        """The published ranking: points for being faculty/student plus the chosen domains'."""
        weights = {choice.id: choice.weight for choice in self.domains}
        chosen = sorted((weights.get(domain, 0) for domain in domains), reverse=True)
        return float(self.kind_points.get(learner_kind or "", 0) + sum(chosen[: self.max_domains]))


def _start_of_day(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=PAKISTAN_TIME)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=PAKISTAN_TIME)
    raise ValueError(value)


def _end_of_day(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=PAKISTAN_TIME)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), tzinfo=PAKISTAN_TIME)
    raise ValueError(value)


def parse_intake(source: str) -> IntakeDefinition:
    """Validate an intake file; `LicenceFileError` lists every problem with its line."""
    reader = YamlReader(source)
    data = reader.data
    if not isinstance(data, dict):
        reader.fail((), "an intake file is a mapping with id, title, opens, deadline, ...")
        reader.check()
    reader.unknown_keys(data, KNOWN_KEYS, ())
    slug = data.get("id")
    if not isinstance(slug, str) or not SLUG.match(slug):
        reader.fail(("id",), "id must be lower-case letters, digits, '-' or '_' (e.g. 2027-spring)")
        slug = "?"
    title = reader.local_text(data.get("title"), ("title",), "title")
    dates: dict[str, datetime] = {}
    for key, convert in (("opens", _start_of_day), ("deadline", _end_of_day)):
        try:
            dates[key] = convert(data.get(key))
        except ValueError:
            reader.fail((key,), f"{key} must be a date (YYYY-MM-DD)")
    ends = data.get("licence_ends")
    if not isinstance(ends, date) or isinstance(ends, datetime):
        reader.fail(("licence_ends",), "licence_ends must be a date (YYYY-MM-DD)")
        ends = date.min
    if len(dates) == 2 and dates["deadline"] <= dates["opens"]:
        reader.fail(("deadline",), "the deadline must come after the opening day")
    max_tracks = reader.integer(data, "max_tracks", (), default=1, low=1, high=10)
    email_domains = _email_domains(reader, data.get("email_domains", []))
    eligibility = _eligibility(reader, data.get("eligibility", []))
    domains = _choices(reader, data.get("domains"), ("domains",), "domain", weighted=True)
    tracks = _choices(reader, data.get("tracks"), ("tracks",), "track", weighted=False)
    if len(tracks) < 1:
        reader.fail(("tracks",), "name at least one learning track")
    criteria = data.get("criteria", {}) or {}
    kind_points: dict[str, int] = {}
    max_domains = 3
    if not isinstance(criteria, dict):
        reader.fail(("criteria",), "criteria is a mapping (faculty, student, alumni, max_domains)")
    else:
        reader.unknown_keys(
            criteria, {"faculty", "student", "alumni", "max_domains"}, ("criteria",)
        )
        for kind in ("faculty", "student", "alumni"):
            kind_points[kind] = reader.integer(
                criteria, kind, ("criteria",), default=0, low=0, high=100
            )
        max_domains = reader.integer(
            criteria, "max_domains", ("criteria",), default=3, low=1, high=20
        )
    seats_default, seats = _seats(reader, data.get("seats"))
    reader.check()
    return IntakeDefinition(
        slug=str(slug),
        title=title,
        opens_at=dates["opens"].astimezone(UTC),
        deadline=dates["deadline"].astimezone(UTC),
        licence_ends_on=ends,
        max_tracks=max_tracks,
        email_domains=email_domains,
        eligibility=eligibility,
        domains=domains,
        tracks=tracks,
        kind_points=kind_points,
        max_domains=max_domains,
        seats_default=seats_default,
        seats=seats,
    )


def _email_domains(reader: YamlReader, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        reader.fail(("email_domains",), "email_domains is a list (e.g. [edu.pk])")
        return ()
    found = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not DOMAIN_NAME.match(item.lower().lstrip("@")):
            reader.fail(("email_domains", index), f"not a mail domain: {item!r}")
        else:
            found.append(item.lower().lstrip("@"))
    return tuple(found)


def _eligibility(reader: YamlReader, value: Any) -> tuple[EligibilityQuestion, ...]:
    if not isinstance(value, list):
        reader.fail(("eligibility",), "eligibility is a list of yes/no questions")
        return ()
    found: list[EligibilityQuestion] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        path: YamlPath = ("eligibility", index)
        if not isinstance(item, dict):
            reader.fail(path, "each question has id, text and eligible_answer")
            continue
        reader.unknown_keys(item, {"id", "text", "eligible_answer"}, path)
        question_id = item.get("id")
        if not isinstance(question_id, str) or not ITEM_ID.match(question_id):
            reader.fail((*path, "id"), "question id: lower-case letters, digits, '-' or '_'")
            continue
        if question_id in seen:
            reader.fail((*path, "id"), f"question id {question_id!r} is used twice")
        seen.add(question_id)
        text = reader.local_text(item.get("text"), (*path, "text"), f"question {question_id}")
        answer = item.get("eligible_answer", True)
        if not isinstance(answer, bool):
            reader.fail((*path, "eligible_answer"), "eligible_answer is yes or no")
            answer = True
        found.append(EligibilityQuestion(question_id, text, answer))
    return tuple(found)


def _choices(
    reader: YamlReader, value: Any, path: YamlPath, what: str, *, weighted: bool
) -> tuple[Choice, ...]:
    if not isinstance(value, list) or not value:
        reader.fail(path, f"{path[0]} is a list of {what}s with id and name")
        return ()
    found: list[Choice] = []
    seen: set[str] = set()
    known = {"id", "name", "weight"} if weighted else {"id", "name"}
    for index, item in enumerate(value):
        item_path: YamlPath = (*path, index)
        if not isinstance(item, dict):
            reader.fail(item_path, f"each {what} has id and name")
            continue
        reader.unknown_keys(item, known, item_path)
        item_id = item.get("id")
        if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
            reader.fail((*item_path, "id"), f"{what} id: lower-case letters, digits, '-' or '_'")
            continue
        if item_id in seen:
            reader.fail((*item_path, "id"), f"{what} id {item_id!r} is used twice")
        seen.add(item_id)
        name = reader.local_text(item.get("name"), (*item_path, "name"), f"{what} {item_id}")
        weight = (
            reader.integer(item, "weight", item_path, default=1, low=0, high=100) if weighted else 0
        )
        found.append(Choice(item_id, name, weight))
    return tuple(found)


def _seats(reader: YamlReader, value: Any) -> tuple[int, dict[str, int]]:
    if not isinstance(value, dict) or "default" not in value:
        reader.fail(("seats",), "seats maps university codes to seats, with a 'default'")
        return 0, {}
    seats: dict[str, int] = {}
    default = 0
    for key, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            reader.fail(("seats", str(key)), f"seats for {key}: a whole number, 0 or more")
            continue
        if key == "default":
            default = count
        else:
            seats[str(key)] = count
    return default, seats


@lru_cache(maxsize=32)
def parse_stored_intake(source: str) -> IntakeDefinition:
    """An intake from the database (validated when saved), parsed once per process."""
    return parse_intake(source)


@dataclass(frozen=True)
class IntakeSummary:
    id: int
    slug: str
    title: str
    opens_at: datetime
    deadline: datetime
    licence_ends_on: date
    closed: bool
    applications: int

    def state(self, now: datetime | None = None) -> IntakeState:
        """Where the round stands at `now`: as `repo.open_intakes` selects the open ones."""
        now = now or utcnow()
        if self.closed:
            return IntakeState.CLOSED
        if now < _aware(self.opens_at):
            return IntakeState.NOT_OPEN_YET
        if now < _aware(self.deadline):
            return IntakeState.OPEN
        return IntakeState.DEADLINE_PASSED


class IntakeState(StrEnum):
    """An intake's state as staff read it (`hecbot intake list`); only OPEN takes applications."""

    NOT_OPEN_YET = "not open yet"
    OPEN = "open"
    DEADLINE_PASSED = "deadline passed"
    CLOSED = "closed"


def _aware(moment: datetime) -> datetime:
    """A stored time (UTC; SQLite returns it without its zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class IntakeService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(self, source: str) -> IntakeSummary:
        """Save a new intake, or replace the file of one not yet closed (same id)."""
        definition = parse_intake(source)
        async with self._database.session() as session:
            intake = await repo.get_intake(session, slug=definition.slug)
            if intake is not None and intake.closed_at is not None:
                raise InvalidInputError(f"intake {definition.slug} is closed")
            if intake is None:
                intake = Intake(
                    slug=definition.slug,
                    title=definition.title["en"][:300],
                    source=source,
                    opens_at=definition.opens_at,
                    deadline=definition.deadline,
                    licence_ends_on=definition.licence_ends_on,
                )
            else:
                intake.title = definition.title["en"][:300]
                intake.source = source
                intake.opens_at = definition.opens_at
                intake.deadline = definition.deadline
                intake.licence_ends_on = definition.licence_ends_on
            session.add(intake)
            await session.flush()
        return (await self._summaries(definition.slug))[0]

    async def list_all(self) -> list[IntakeSummary]:
        return await self._summaries(None)

    async def close(self, slug: str) -> IntakeSummary:
        async with self._database.session() as session:
            intake = await repo.get_intake(session, slug=slug)
            if intake is None:
                raise NotFoundError(f"no intake {slug}")
            intake.closed_at = intake.closed_at or utcnow()
            session.add(intake)
        return (await self._summaries(slug))[0]

    async def current(self, now: datetime | None = None) -> tuple[int, IntakeDefinition] | None:
        """The intake taking applications now (the one closing soonest), with its definition."""
        async with self._database.session() as session:
            intakes = await repo.open_intakes(session, now=now or utcnow())
        if not intakes or intakes[0].id is None:
            return None
        return intakes[0].id, parse_stored_intake(intakes[0].source)

    async def taking(
        self, intake_id: int, now: datetime | None = None
    ) -> tuple[IntakeDefinition, bool]:
        """An intake's definition, and whether it takes applications at `now` (not closed, its
        deadline not passed): a form keeps the intake it started in."""
        async with self._database.session() as session:
            intake = await repo.get_intake_by_id(session, intake_id=intake_id)
        if intake is None:
            raise NotFoundError(f"no intake {intake_id}")
        definition = parse_stored_intake(intake.source)
        # As `repo.open_intakes` selects, less its opening: a form was started once it opened.
        return definition, intake.closed_at is None and (now or utcnow()) < definition.deadline

    async def _summaries(self, slug: str | None) -> list[IntakeSummary]:
        async with self._database.session() as session:
            intakes = await repo.list_intakes(session)
            counts = await repo.count_applications_by_intake(session)
        return [
            IntakeSummary(
                id=intake.id or 0,
                slug=intake.slug,
                title=intake.title,
                opens_at=intake.opens_at,
                deadline=intake.deadline,
                licence_ends_on=intake.licence_ends_on,
                closed=intake.closed_at is not None,
                applications=counts.get(intake.id or 0, 0),
            )
            for intake in intakes
            if slug is None or intake.slug == slug
        ]


__all__ = ["IntakeDefinition", "IntakeService", "LicenceFileError", "parse_intake"]
