"""Tables of broadcasts and webinars. The messages themselves live in the outbox tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.types import datetime_column, telegram_id_column, utcnow


class Webinar(SQLModel, table=True):
    """A webinar announced by a broadcast; `university_id` None means a national one."""

    __tablename__ = "webinars"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    starts_at: datetime = Field(sa_column=datetime_column(nullable=False, index=True))
    duration_minutes: int
    join_link: str = Field(max_length=500)
    university_id: int | None = Field(default=None, index=True)
    created_by: int | None = Field(default=None, sa_column=telegram_id_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    cancelled_at: datetime | None = Field(default=None, sa_column=datetime_column())
    # Set in the same transaction that enqueues the reminder wave, so it is queued once.
    reminder_24h_job_id: int | None = Field(default=None)
    reminder_1h_job_id: int | None = Field(default=None)


class Broadcast(SQLModel, table=True):
    """A notice composed by a focal person or HEC; `job_id` is its outbox job."""

    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    created_by: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    text_en: str
    text_ur: str | None = None
    attachment_path: str | None = Field(default=None, max_length=500)
    attachment_kind: str | None = Field(default=None, max_length=16)
    webinar_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("webinars.id", ondelete="SET NULL"), nullable=True),
    )
    job_id: int | None = Field(default=None, index=True)
    recipients: int = 0
    scheduled_for: datetime | None = Field(default=None, sa_column=datetime_column())
    cancelled_at: datetime | None = Field(default=None, sa_column=datetime_column())


class WebinarRsvp(SQLModel, table=True):
    """A learner pressed "I'll attend"."""

    __tablename__ = "webinar_rsvps"
    __table_args__ = (UniqueConstraint("webinar_id", "user_id", name="uq_webinar_rsvps_user"),)

    id: int | None = Field(default=None, primary_key=True)
    webinar_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("webinars.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    user_id: int = Field(sa_column=telegram_id_column(nullable=False))
    university_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
