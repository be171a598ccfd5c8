"""Factories for the licence tests: intakes and applications stored directly, hand counts."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.services.licences_reports import ReportImportService
from bot.storage.db import Database
from bot.storage.licence_models import ApplicationStatus, Intake, LicenceApplication, ReportKind
from bot.storage.types import utcnow
from tests.factories import make_user

# The example nudge rules the docs show; the tests run them as written.
NUDGE_RULES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "nudges"


async def make_intake(
    database: Database,
    *,
    slug: str = "2026-spring",
    licence_ends_on: date = date(2026, 12, 31),
    source: str = "",
) -> int:
    now = utcnow()
    async with database.session() as session:
        intake = Intake(
            slug=slug,
            title=slug,
            source=source,
            opens_at=now - timedelta(days=30),
            deadline=now + timedelta(days=30),
            licence_ends_on=licence_ends_on,
        )
        session.add(intake)
        await session.flush()
        assert intake.id is not None
        return intake.id


async def make_application(
    database: Database,
    *,
    intake_id: int,
    user_id: int,
    email: str,
    university_id: int | None = None,
    status: ApplicationStatus = ApplicationStatus.APPROVED,
    verified: bool = True,
    submitted_at: datetime | None = None,
    decided_at: datetime | None = None,
) -> int:
    """An application, submitted 10 days and decided 5 days before now unless given: a test
    that counts as of a fixed date gives both, or its counts change with the calendar."""
    now = utcnow()
    async with database.session() as session:
        application = LicenceApplication(
            intake_id=intake_id,
            user_id=user_id,
            university_id=university_id,
            email=email.lower(),
            email_verified_at=now if verified else None,
            status=status.value,
            submitted_at=submitted_at or now - timedelta(days=10),
            decided_at=(decided_at or now - timedelta(days=5))
            if status is not ApplicationStatus.SUBMITTED
            else None,
        )
        session.add(application)
        await session.flush()
        assert application.id is not None
        return application.id


async def make_applicants(
    database: Database, count: int, *, first_id: int, email: str, licence_ends_on: date
) -> list[int]:
    """`count` learners (ids from `first_id` on) approved in one intake: at universities 1 and 2
    in turn, one in five speaking Urdu, learner number n writing as `email.format(n)`."""
    intake = await make_intake(database, licence_ends_on=licence_ends_on)
    learners = []
    for number in range(count):
        user_id = first_id + number
        await make_user(
            database,
            user_id,
            university_id=number % 2 + 1,
            language="ur" if number % 5 == 0 else "en",
        )
        await make_application(
            database,
            intake_id=intake,
            user_id=user_id,
            email=email.format(number),
            university_id=number % 2 + 1,
        )
        learners.append(user_id)
    return learners


async def make_nudge_learners(
    database: Database, count: int, *, first_id: int, as_of: date
) -> list[str]:
    """`count` learners a nudge rule considers on `as_of` (`make_applicants`: approved, their
    licences running 200 days more); their e-mail addresses, learner `first_id + n`'s n-th."""
    email = f"learner{first_id}-{{}}@uni.edu.pk"
    await make_applicants(
        database,
        count,
        first_id=first_id,
        email=email,
        licence_ends_on=as_of + timedelta(days=200),
    )
    return [email.format(number) for number in range(count)]


async def import_report(
    database: Database, kind: ReportKind, *, as_of: date, header: str, lines: Iterable[str]
) -> None:
    """A Coursera report of `kind` taken on `as_of`: its `header` line, then `lines`."""
    text = "".join(f"{line}\n" for line in [header, *lines])
    await ReportImportService(database).import_stream(io.StringIO(text), kind=kind, as_of=as_of)


def hand_count(
    membership: Iterable[dict[str, str]],
    usage: Iterable[dict[str, str]],
    as_of: date,
    emails: set[str] | None = None,
) -> dict[str, Any]:
    """The funnel's report figures counted straight from the CSV rows, the obvious way."""

    def keep(row: dict[str, str]) -> bool:
        return emails is None or row["Email"].lower() in emails

    members = [row for row in membership if keep(row)]
    rows = [row for row in usage if keep(row)]
    first_active = as_of - timedelta(days=29)
    active = set()
    for row in rows:
        day = datetime.fromisoformat(row["Last Course Activity Time"]).astimezone(UTC).date()
        if first_active <= day <= as_of:
            active.add(row["Email"].lower())
    return {
        "invited": len({row["Email"].lower() for row in members}),
        "joined": len({row["Email"].lower() for row in members if row["Join Date"]}),
        "active_30d": len(active),
        "completed_any": len({row["Email"].lower() for row in rows if row["Completed"] == "Yes"}),
        "courses_completed": sum(1 for row in rows if row["Completed"] == "Yes"),
        "learning_hours": float(
            sum((Decimal(row["Learning Hours Spent"]) for row in rows), Decimal(0))
        ),
    }
