"""Tables of the licences feature: intakes, applications, decisions, Coursera report snapshots,
nudge rules and their random assignments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.types import datetime_column, telegram_id_column, utcnow


class ApplicationStatus(StrEnum):
    DRAFT = "draft"  # started, e-mail not verified or not yet submitted
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    RECLAIMED = "reclaimed"  # approved, then the unused licence was given to the waiting list


class Decision(StrEnum):
    APPROVE = "approve"
    WAITLIST = "waitlist"
    REJECT = "reject"
    RECLAIM = "reclaim"
    PROMOTE = "promote"  # a waitlisted learner moved up when a seat freed


class ReportKind(StrEnum):
    MEMBERSHIP = "membership"
    USAGE = "usage"


class NudgeGroup(StrEnum):
    NUDGE = "nudge"
    HOLDOUT = "holdout"


class Intake(SQLModel, table=True):
    """One application round; its YAML source (questions, domains, seats) is the truth."""

    __tablename__ = "licence_intakes"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=300)
    source: str = Field(sa_column=Column(Text, nullable=False))
    opens_at: datetime = Field(sa_column=datetime_column(nullable=False))
    deadline: datetime = Field(sa_column=datetime_column(nullable=False))
    licence_ends_on: date = Field(sa_column=Column(Date, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=datetime_column())


class LicenceApplication(SQLModel, table=True):
    """One person's application to one intake (a re-application edits the same row)."""

    __tablename__ = "licence_applications"
    __table_args__ = (
        UniqueConstraint("intake_id", "user_id", name="uq_licence_applications_intake_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(
        sa_column=Column(Integer, ForeignKey("licence_intakes.id"), nullable=False, index=True)
    )
    # NULL once the person asked to be forgotten (the row stays as an anonymous count).
    user_id: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    university_id: int | None = Field(default=None, index=True)
    learner_kind: str | None = Field(default=None, max_length=16)
    language: str = Field(default="en", max_length=8)
    email: str | None = Field(default=None, max_length=254, index=True)
    email_verified_at: datetime | None = Field(default=None, sa_column=datetime_column())
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    domains: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tracks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ApplicationStatus.DRAFT.value, max_length=16, index=True)
    score: float = 0.0
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=datetime_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=datetime_column())
    decision_reason: str | None = Field(default=None, max_length=500)
    reclaim_warned_at: datetime | None = Field(default=None, sa_column=datetime_column())


class EmailVerification(SQLModel, table=True):
    """A one-time code mailed to a university address; only its hash is stored."""

    __tablename__ = "licence_email_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    email: str = Field(max_length=254)
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    expires_at: datetime = Field(sa_column=datetime_column(nullable=False))
    attempts: int = 0
    verified_at: datetime | None = Field(default=None, sa_column=datetime_column())


class LicenceDecision(SQLModel, table=True):
    """The audit log of selection: who decided what about which application, and when."""

    __tablename__ = "licence_decisions"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        sa_column=Column(Integer, ForeignKey("licence_applications.id"), nullable=False, index=True)
    )
    decision: str = Field(max_length=16)
    reason: str = Field(default="", max_length=500)
    decided_by: str = Field(max_length=128)
    decided_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    source: str = Field(default="", max_length=300)


class ReportSnapshot(SQLModel, table=True):
    """One imported Coursera report, dated by `as_of`."""

    __tablename__ = "licence_report_snapshots"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    as_of: date = Field(sa_column=Column(Date, nullable=False, index=True))
    file_name: str = Field(default="", max_length=300)
    rows: int = 0
    linked: int = 0
    imported_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))


class MembershipRow(SQLModel, table=True):
    """One member of the programme in a membership snapshot."""

    __tablename__ = "licence_membership_rows"
    __table_args__ = (Index("ix_licence_membership_rows_snapshot_email", "snapshot_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("licence_report_snapshots.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    email: str = Field(max_length=254)
    user_id: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    invited_on: date | None = Field(default=None, sa_column=Column(Date))
    joined_on: date | None = Field(default=None, sa_column=Column(Date))
    member_state: str = Field(default="", max_length=32)


class UsageRow(SQLModel, table=True):
    """One learner and one course in a usage snapshot."""

    __tablename__ = "licence_usage_rows"
    __table_args__ = (Index("ix_licence_usage_rows_snapshot_email", "snapshot_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("licence_report_snapshots.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    email: str = Field(max_length=254)
    user_id: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    course: str = Field(max_length=300)
    enrolled_on: date | None = Field(default=None, sa_column=Column(Date))
    last_activity_on: date | None = Field(default=None, sa_column=Column(Date))
    progress: float = 0.0
    hours: float = 0.0
    completed: bool = False
    completed_on: date | None = Field(default=None, sa_column=Column(Date))


class NudgeRule(SQLModel, table=True):
    """A nudge rule; its YAML source (trigger, texts, holdout share) is the truth."""

    __tablename__ = "licence_nudge_rules"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    trigger: str = Field(max_length=32)
    source: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    stopped_at: datetime | None = Field(default=None, sa_column=datetime_column())


class NudgeAssignment(SQLModel, table=True):
    """A learner found eligible for a rule, assigned at random to the nudge or the holdout."""

    __tablename__ = "licence_nudge_assignments"
    __table_args__ = (
        UniqueConstraint("rule_id", "user_id", name="uq_licence_nudge_assignments_rule_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(
        sa_column=Column(Integer, ForeignKey("licence_nudge_rules.id"), nullable=False, index=True)
    )
    user_id: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    email: str = Field(default="", max_length=254)
    university_id: int | None = Field(default=None)
    group: str = Field(max_length=16)
    assigned_at: datetime = Field(sa_column=datetime_column(nullable=False, index=True))
    baseline_as_of: date | None = Field(default=None, sa_column=Column(Date))
    sent_at: datetime | None = Field(default=None, sa_column=datetime_column())
