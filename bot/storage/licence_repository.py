"""Data access of the licences feature: the only module of the feature that writes SQL.

Functions take the caller's session (the service owns the transaction) and return table rows or
plain tuples; keyword-only arguments, as in full-stack-fastapi-template's `crud.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage.all_models import table_of
from bot.storage.consent import contactable
from bot.storage.courses_models import CoursePlanEntry
from bot.storage.licence_models import (
    ApplicationStatus,
    EmailVerification,
    Intake,
    LicenceApplication,
    LicenceDecision,
    MembershipRow,
    NudgeAssignment,
    NudgeRule,
    ReportKind,
    ReportSnapshot,
    UsageRow,
)
from bot.storage.models import User
from bot.storage.people_models import University

_Columns = TypeVarTuple("_Columns")


async def _wide(session: AsyncSession, statement: Select[*_Columns]) -> list[tuple[*_Columns]]:
    """Rows of a select of more columns than sqlmodel's `exec` overloads type (four), typed by
    SQLAlchemy's own `select` (which types up to ten). Rows unpack like the tuples they are typed
    as, the same rows `session.exec` returns for the narrower selects here."""
    connection = await session.connection()
    # A comprehension, not list(): to mypy a list of rows is no list of tuples (lists are
    # invariant), while each row is a tuple.
    return [row for row in (await connection.execute(statement)).all()]


# Statuses of an application that was sent to HEC (not a draft, not withdrawn).
SUBMITTED_STATUSES = (
    ApplicationStatus.SUBMITTED.value,
    ApplicationStatus.APPROVED.value,
    ApplicationStatus.WAITLISTED.value,
    ApplicationStatus.REJECTED.value,
    ApplicationStatus.RECLAIMED.value,
)
APPROVED_STATUSES = (ApplicationStatus.APPROVED.value, ApplicationStatus.RECLAIMED.value)


# --- intakes -------------------------------------------------------------------------------


async def get_intake(session: AsyncSession, *, slug: str) -> Intake | None:
    return (await session.exec(select(Intake).where(col(Intake.slug) == slug))).first()


async def get_intake_by_id(session: AsyncSession, *, intake_id: int) -> Intake | None:
    return await session.get(Intake, intake_id)


async def list_intakes(session: AsyncSession) -> list[Intake]:
    return list((await session.exec(select(Intake).order_by(col(Intake.opens_at)))).all())


async def open_intakes(session: AsyncSession, *, now: datetime) -> list[Intake]:
    """Intakes taking applications at `now`, the one closing soonest first."""
    rows = await session.exec(
        select(Intake)
        .where(
            col(Intake.closed_at).is_(None),
            col(Intake.opens_at) <= now,
            col(Intake.deadline) > now,
        )
        .order_by(col(Intake.deadline))
    )
    return list(rows.all())


async def count_applications_by_intake(session: AsyncSession) -> dict[int, int]:
    rows = await session.exec(
        select(col(LicenceApplication.intake_id), func.count())
        .where(col(LicenceApplication.status).in_(SUBMITTED_STATUSES))
        .group_by(col(LicenceApplication.intake_id))
    )
    return {intake_id: count for intake_id, count in rows.all()}


# --- applications --------------------------------------------------------------------------


async def get_application(
    session: AsyncSession, *, intake_id: int, user_id: int
) -> LicenceApplication | None:
    return (
        await session.exec(
            select(LicenceApplication).where(
                col(LicenceApplication.intake_id) == intake_id,
                col(LicenceApplication.user_id) == user_id,
            )
        )
    ).first()


async def address_held_by_another(
    session: AsyncSession, *, intake_id: int, email: str, user_id: int
) -> bool:
    """Whether another account's application to this intake (not withdrawn) has `email`
    verified: one address, one application per intake."""
    held = await session.exec(
        select(LicenceApplication.id).where(
            col(LicenceApplication.intake_id) == intake_id,
            col(LicenceApplication.email) == email,
            col(LicenceApplication.email_verified_at).is_not(None),
            col(LicenceApplication.user_id) != user_id,
            col(LicenceApplication.status) != ApplicationStatus.WITHDRAWN.value,
        )
    )
    return held.first() is not None


async def get_application_by_id(
    session: AsyncSession, *, application_id: int
) -> LicenceApplication | None:
    return await session.get(LicenceApplication, application_id)


async def latest_application(session: AsyncSession, *, user_id: int) -> LicenceApplication | None:
    """The person's application to the newest intake they applied to."""
    return (
        await session.exec(
            select(LicenceApplication)
            .where(col(LicenceApplication.user_id) == user_id)
            .order_by(col(LicenceApplication.created_at).desc(), col(LicenceApplication.id).desc())
        )
    ).first()


async def applications_of_intake(
    session: AsyncSession, *, intake_id: int, statuses: Sequence[str] | None = None
) -> list[LicenceApplication]:
    query = select(LicenceApplication).where(col(LicenceApplication.intake_id) == intake_id)
    if statuses is not None:
        query = query.where(col(LicenceApplication.status).in_(list(statuses)))
    return list((await session.exec(query.order_by(col(LicenceApplication.id)))).all())


async def count_approved(
    session: AsyncSession, *, intake_id: int, university_id: int | None
) -> int:
    result = await session.exec(
        select(func.count()).where(
            col(LicenceApplication.intake_id) == intake_id,
            col(LicenceApplication.university_id) == university_id,
            col(LicenceApplication.status) == ApplicationStatus.APPROVED.value,
        )
    )
    return int(result.one())


async def applications_up_to(
    session: AsyncSession, *, until: datetime
) -> list[tuple[int | None, int | None, int, str, datetime | None]]:
    """(user_id, university_id, intake_id, status, decided_at) of applications submitted by
    `until`."""
    rows = await _wide(
        session,
        sa_select(
            col(LicenceApplication.user_id),
            col(LicenceApplication.university_id),
            col(LicenceApplication.intake_id),
            col(LicenceApplication.status),
            col(LicenceApplication.decided_at),
        ).where(
            col(LicenceApplication.status).in_(SUBMITTED_STATUSES),
            col(LicenceApplication.submitted_at).is_not(None),
            col(LicenceApplication.submitted_at) < until,
        ),
    )
    return rows


async def approved_applications(session: AsyncSession) -> list[LicenceApplication]:
    rows = await session.exec(
        select(LicenceApplication)
        .where(col(LicenceApplication.status) == ApplicationStatus.APPROVED.value)
        .order_by(col(LicenceApplication.id))
    )
    return list(rows.all())


async def verified_emails(session: AsyncSession) -> dict[str, int]:
    """Verified e-mail address (lower case) -> the Telegram user id that verified it."""
    rows = await session.exec(
        select(col(LicenceApplication.email), col(LicenceApplication.user_id))
        .where(
            col(LicenceApplication.email).is_not(None),
            col(LicenceApplication.email_verified_at).is_not(None),
            col(LicenceApplication.user_id).is_not(None),
        )
        .order_by(col(LicenceApplication.updated_at))
    )
    # The where clause already drops NULL users; `is not None` tells the type checker so.
    return {
        str(email).lower(): int(user_id) for email, user_id in rows.all() if user_id is not None
    }


async def learner_places(session: AsyncSession) -> dict[int, tuple[int | None, int]]:
    """user id -> (university id, intake id) from their newest application."""
    rows = await session.exec(
        select(
            col(LicenceApplication.user_id),
            col(LicenceApplication.university_id),
            col(LicenceApplication.intake_id),
        )
        .where(col(LicenceApplication.user_id).is_not(None))
        .order_by(col(LicenceApplication.created_at), col(LicenceApplication.id))
    )
    return {
        int(user): (university, intake)
        for user, university, intake in rows.all()
        if user is not None
    }


async def decisions_of(session: AsyncSession, *, application_id: int) -> list[LicenceDecision]:
    rows = await session.exec(
        select(LicenceDecision)
        .where(col(LicenceDecision.application_id) == application_id)
        .order_by(col(LicenceDecision.id))
    )
    return list(rows.all())


# --- e-mail codes --------------------------------------------------------------------------


async def latest_code(session: AsyncSession, *, user_id: int) -> EmailVerification | None:
    return (
        await session.exec(
            select(EmailVerification)
            .where(col(EmailVerification.user_id) == user_id)
            .order_by(col(EmailVerification.id).desc())
        )
    ).first()


async def codes_since(session: AsyncSession, *, user_id: int, since: datetime) -> int:
    result = await session.exec(
        select(func.count()).where(
            col(EmailVerification.user_id) == user_id, col(EmailVerification.created_at) > since
        )
    )
    return int(result.one())


# --- report snapshots ----------------------------------------------------------------------


async def add_snapshot(session: AsyncSession, *, snapshot: ReportSnapshot) -> int:
    session.add(snapshot)
    await session.flush()
    assert snapshot.id is not None
    return snapshot.id


async def set_snapshot_counts(
    session: AsyncSession, *, snapshot_id: int, rows: int, linked: int
) -> None:
    """Record how many rows the imported snapshot has, and how many are linked to a learner."""
    snapshot = await session.get(ReportSnapshot, snapshot_id)
    assert snapshot is not None, f"snapshot {snapshot_id} was added in this transaction"
    snapshot.rows, snapshot.linked = rows, linked
    session.add(snapshot)


async def insert_report_rows(
    session: AsyncSession, *, kind: ReportKind, rows: list[dict[str, Any]]
) -> None:
    table = table_of(
        "licence_membership_rows" if kind is ReportKind.MEMBERSHIP else "licence_usage_rows"
    )
    if rows:
        # Core executemany on the session's connection: the ORM bulk path costs twice as much
        # per row, and these tables have no ORM events to run.
        connection = await session.connection()
        await connection.execute(insert(table), rows)


async def latest_snapshot(
    session: AsyncSession, *, kind: ReportKind, on_or_before: date
) -> ReportSnapshot | None:
    """The newest snapshot of `kind` dated on or before the day (the last import of a day wins)."""
    return (
        await session.exec(
            select(ReportSnapshot)
            .where(
                col(ReportSnapshot.kind) == kind.value,
                col(ReportSnapshot.as_of) <= on_or_before,
            )
            .order_by(col(ReportSnapshot.as_of).desc(), col(ReportSnapshot.id).desc())
        )
    ).first()


async def snapshots(session: AsyncSession) -> list[ReportSnapshot]:
    return list(
        (
            await session.exec(
                select(ReportSnapshot).order_by(col(ReportSnapshot.as_of), col(ReportSnapshot.id))
            )
        ).all()
    )


async def membership_rows(
    session: AsyncSession, *, snapshot_id: int, linked_only: bool = False
) -> list[tuple[str, int | None, date | None, date | None]]:
    """(email, user_id, invited_on, joined_on) of every member in the snapshot (or only of
    those linked to a learner)."""
    query = select(
        col(MembershipRow.email),
        col(MembershipRow.user_id),
        col(MembershipRow.invited_on),
        col(MembershipRow.joined_on),
    ).where(col(MembershipRow.snapshot_id) == snapshot_id)
    if linked_only:
        query = query.where(col(MembershipRow.user_id).is_not(None))
    rows = await session.exec(query)
    return list(rows.all())


async def usage_rows(
    session: AsyncSession, *, snapshot_id: int, linked_only: bool = False
) -> list[tuple[str, int | None, str, date | None, float, bool]]:
    """(email, user_id, course, last_activity_on, hours, completed) of every usage row (or only
    of the rows linked to a learner)."""
    query = sa_select(
        col(UsageRow.email),
        col(UsageRow.user_id),
        col(UsageRow.course),
        col(UsageRow.last_activity_on),
        col(UsageRow.hours),
        col(UsageRow.completed),
    ).where(col(UsageRow.snapshot_id) == snapshot_id)
    if linked_only:
        query = query.where(col(UsageRow.user_id).is_not(None))
    return await _wide(session, query)


async def usage_rows_of(session: AsyncSession, *, snapshot_id: int, user_id: int) -> list[UsageRow]:
    rows = await session.exec(
        select(UsageRow).where(
            col(UsageRow.snapshot_id) == snapshot_id, col(UsageRow.user_id) == user_id
        )
    )
    return list(rows.all())


async def membership_of(
    session: AsyncSession, *, snapshot_id: int, user_id: int
) -> MembershipRow | None:
    return (
        await session.exec(
            select(MembershipRow).where(
                col(MembershipRow.snapshot_id) == snapshot_id, col(MembershipRow.user_id) == user_id
            )
        )
    ).first()


async def link_rows(session: AsyncSession, *, email: str, user_id: int) -> None:
    """Point every report row of a newly verified address at its learner."""
    for table in (MembershipRow, UsageRow):
        await session.exec(
            update(table)
            .where(col(table.email) == email, col(table.user_id).is_(None))
            .values(user_id=user_id)
        )


async def plan_progress(session: AsyncSession, *, user_id: int) -> tuple[int, int]:
    """(courses marked done, courses saved) in the learner's /myplan."""
    total = (
        await session.exec(select(func.count()).where(col(CoursePlanEntry.user_id) == user_id))
    ).one()
    done = (
        await session.exec(
            select(func.count()).where(
                col(CoursePlanEntry.user_id) == user_id,
                col(CoursePlanEntry.completed_at).is_not(None),
            )
        )
    ).one()
    return int(done), int(total)


# --- people --------------------------------------------------------------------------------


async def university_cities(session: AsyncSession) -> dict[int, tuple[str, str]]:
    """university id -> (short name or name, city)."""
    rows = await session.exec(
        select(
            col(University.id),
            col(University.short_name),
            col(University.name),
            col(University.city),
        )
    )
    return {
        int(uid): (short or name, city) for uid, short, name, city in rows.all() if uid is not None
    }


async def university_codes(session: AsyncSession) -> dict[int, str]:
    rows = await session.exec(select(col(University.id), col(University.code)))
    return {int(uid): code for uid, code in rows.all() if uid is not None}


async def university_by_code(session: AsyncSession, *, code: str) -> University | None:
    return (await session.exec(select(University).where(col(University.code) == code))).first()


# --- nudges --------------------------------------------------------------------------------


async def get_rule(session: AsyncSession, *, slug: str) -> NudgeRule | None:
    return (await session.exec(select(NudgeRule).where(col(NudgeRule.slug) == slug))).first()


async def list_rules(session: AsyncSession) -> list[NudgeRule]:
    return list((await session.exec(select(NudgeRule).order_by(col(NudgeRule.slug)))).all())


async def assignments_of(session: AsyncSession, *, rule_id: int) -> list[NudgeAssignment]:
    rows = await session.exec(
        select(NudgeAssignment)
        .where(col(NudgeAssignment.rule_id) == rule_id)
        .order_by(col(NudgeAssignment.id))
    )
    return list(rows.all())


async def insert_assignments(session: AsyncSession, *, rows: list[dict[str, Any]]) -> None:
    """Record a wave's assignments in one executemany (no ORM objects: a wave can be large)."""
    assignments = table_of("licence_nudge_assignments")
    connection = await session.connection()
    for start in range(0, len(rows), 5000):
        await connection.execute(insert(assignments), rows[start : start + 5000])


async def assigned_users(session: AsyncSession, *, rule_id: int) -> set[int]:
    rows = await session.exec(
        select(col(NudgeAssignment.user_id)).where(col(NudgeAssignment.rule_id) == rule_id)
    )
    return {int(user) for user in rows.all() if user is not None}


async def nudged_since(session: AsyncSession, *, since: datetime) -> set[int]:
    """Learners who were sent any nudge after `since` (the one-a-week rule)."""
    rows = await session.exec(
        select(col(NudgeAssignment.user_id)).where(
            col(NudgeAssignment.sent_at).is_not(None), col(NudgeAssignment.sent_at) > since
        )
    )
    return {int(user) for user in rows.all() if user is not None}


async def consenting_users(session: AsyncSession, *, user_ids: Sequence[int]) -> dict[int, str]:
    """Of these learners, the ones who may be sent nudges (contactable, as every unasked message
    requires: privacy notice accepted, onboarded, bot not blocked; and programme messages not
    turned off with /surveys off), with their language."""
    found: dict[int, str] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), 1000):
        rows = await session.exec(
            select(col(User.id), col(User.language)).where(
                col(User.id).in_(ids[start : start + 1000]),
                *contactable(),
                col(User.surveys_enabled).is_(True),
            )
        )
        found.update({int(uid): language for uid, language in rows.all()})
    return found


async def promoted_since(
    session: AsyncSession, *, since: datetime
) -> list[tuple[int, str | None, int | None]]:
    """(user id, e-mail, university id) of waitlisted learners given a freed seat since."""
    rows = await session.exec(
        select(
            col(LicenceApplication.user_id),
            col(LicenceApplication.email),
            col(LicenceApplication.university_id),
        )
        .join(LicenceDecision, col(LicenceDecision.application_id) == col(LicenceApplication.id))
        .where(
            col(LicenceDecision.decision) == "promote",
            col(LicenceDecision.decided_at) >= since,
            col(LicenceApplication.user_id).is_not(None),
            col(LicenceApplication.status) == ApplicationStatus.APPROVED.value,
        )
    )
    return [(int(user), email, uni) for user, email, uni in rows.all() if user is not None]


async def approved_users(session: AsyncSession) -> set[int]:
    rows = await session.exec(
        select(col(LicenceApplication.user_id)).where(
            col(LicenceApplication.status) == ApplicationStatus.APPROVED.value,
            col(LicenceApplication.user_id).is_not(None),
        )
    )
    return {int(user) for user in rows.all() if user is not None}


async def licence_ends(session: AsyncSession) -> dict[int, date]:
    """user id -> the day their approved licence ends."""
    rows = await session.exec(
        select(col(LicenceApplication.user_id), col(Intake.licence_ends_on))
        .join(Intake, col(Intake.id) == col(LicenceApplication.intake_id))
        .where(
            col(LicenceApplication.status) == ApplicationStatus.APPROVED.value,
            col(LicenceApplication.user_id).is_not(None),
        )
    )
    return {int(user): ends for user, ends in rows.all() if user is not None}


async def usage_rows_full(
    session: AsyncSession, *, snapshot_id: int
) -> list[tuple[int | None, date | None, bool, date | None]]:
    """(user_id, last_activity_on, completed, completed_on) of the snapshot's linked rows."""
    rows = await session.exec(
        select(
            col(UsageRow.user_id),
            col(UsageRow.last_activity_on),
            col(UsageRow.completed),
            col(UsageRow.completed_on),
        ).where(col(UsageRow.snapshot_id) == snapshot_id, col(UsageRow.user_id).is_not(None))
    )
    return list(rows.all())
