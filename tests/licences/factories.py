"""Factories for the licence tests: intakes and applications stored directly, hand counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.storage.db import Database
from bot.storage.licence_models import ApplicationStatus, Intake, LicenceApplication
from bot.storage.models import Role, User
from bot.storage.types import utcnow


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
) -> int:
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
            decided_at=now - timedelta(days=5)
            if status is not ApplicationStatus.SUBMITTED
            else None,
        )
        session.add(application)
        await session.flush()
        assert application.id is not None
        return application.id


async def make_approved_learners(
    database: Database, *, intake_id: int, first_user_id: int, count: int, email_prefix: str
) -> None:
    """`count` onboarded learners (as `make_user` stores them; every fifth reads Urdu, the
    universities alternate 1, 2) each with an approved application with the e-mail
    `<prefix><n>@uni.edu.pk` (as `make_application` stores it): in one transaction, where
    one each took 240 for the nudge tests' 120 learners."""
    now = utcnow()
    async with database.session() as session:
        for number in range(count):
            session.add(
                User(
                    id=first_user_id + number,
                    role=Role.LEARNER.value,
                    university_id=number % 2 + 1,
                    language="ur" if number % 5 == 0 else "en",
                    learner_kind="student",
                    privacy_accepted_at=now,
                    onboarded_at=now,
                )
            )
        await session.flush()  # the applications refer to the users
        for number in range(count):
            session.add(
                LicenceApplication(
                    intake_id=intake_id,
                    user_id=first_user_id + number,
                    university_id=number % 2 + 1,
                    email=f"{email_prefix}{number}@uni.edu.pk",
                    email_verified_at=now,
                    status=ApplicationStatus.APPROVED.value,
                    submitted_at=now - timedelta(days=10),
                    decided_at=now - timedelta(days=5),
                )
            )


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
