"""sqlmodel tables of the foundation. Feature tables live in their own modules of this package."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.storage.types import datetime_column, telegram_id_column, utcnow


class Role(StrEnum):
    LEARNER = "learner"
    FOCAL_PERSON = "focal_person"
    ADMIN = "admin"


class LearnerKind(StrEnum):
    STUDENT = "student"
    FACULTY = "faculty"
    ALUMNI = "alumni"


class User(SQLModel, table=True):
    """A person who has talked to the bot. `id` is their Telegram user id."""

    __tablename__ = "users"

    id: int = Field(sa_column=telegram_id_column(primary_key=True))
    language: str = Field(default="en", max_length=8)
    role: str = Field(default=Role.LEARNER.value, max_length=16, index=True)
    learner_kind: str | None = Field(default=None, max_length=16)
    university_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    onboarded_at: datetime | None = Field(default=None, sa_column=datetime_column())
    privacy_accepted_at: datetime | None = Field(default=None, sa_column=datetime_column())
    is_blocked: bool = Field(default=False, index=True)
    surveys_enabled: bool = Field(default=True)


class QuestionLog(SQLModel, table=True):
    """One question a learner asked, with what the bot answered: HEC's view of the gaps."""

    __tablename__ = "questions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    university_id: int | None = Field(default=None, index=True)
    channel: str = Field(default="telegram", max_length=16)
    question: str
    language: str = Field(default="en", max_length=16)
    answer: str
    abstained: bool = Field(default=False, index=True)
    # "👍", "?", "ok": no question to answer; the learner was asked for a full one. Not a gap.
    content_free: bool = Field(default=False)
    citations: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    top_section: str | None = Field(default=None, max_length=300)
    latency_ms: float = 0.0
    feedback: int | None = Field(default=None)
    feedback_at: datetime | None = Field(default=None, sa_column=datetime_column())
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=datetime_column(nullable=False, index=True)
    )


class FsmRecord(SQLModel, table=True):
    """aiogram FSM state and data, so a conversation survives a restart without Redis."""

    __tablename__ = "fsm_records"

    key: str = Field(primary_key=True, max_length=255)
    state: str | None = Field(default=None, max_length=255)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
