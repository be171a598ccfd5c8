"""Tables of the outbox: one job per broadcast/reminder batch, one row per recipient."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from bot.storage.types import datetime_column, telegram_id_column, utcnow


class JobStatus(StrEnum):
    ACTIVE = "active"  # sending, or waiting for `not_before`
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # committed just before the API call
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"
    # Was `sending` when its worker died: it may or may not have reached the chat. Never resent.
    UNCERTAIN = "uncertain"


class DeliveryJob(SQLModel, table=True):
    """A batch of messages that belong together (one broadcast, one reminder wave, ...)."""

    __tablename__ = "delivery_jobs"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    reference: str | None = Field(default=None, max_length=128, index=True)
    created_by: int | None = Field(default=None, sa_column=telegram_id_column())
    priority: int = Field(default=0)
    status: str = Field(default=JobStatus.ACTIVE.value, max_length=16, index=True)
    total: int = 0
    not_before: datetime | None = Field(default=None, sa_column=datetime_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=datetime_column())
    finished_at: datetime | None = Field(default=None, sa_column=datetime_column())
    # Where the sender watches progress: the worker edits this message while the job runs.
    status_chat_id: int | None = Field(default=None, sa_column=telegram_id_column())
    status_message_id: int | None = Field(default=None)
    status_language: str = Field(default="en", max_length=8)


class Delivery(SQLModel, table=True):
    """One message to one chat, written before any sending starts."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_job_status", "job_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("delivery_jobs.id", ondelete="CASCADE"), nullable=False
        )
    )
    chat_id: int = Field(sa_column=telegram_id_column(nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=DeliveryStatus.PENDING.value, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=datetime_column(nullable=False)
    )
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=datetime_column())
    finished_at: datetime | None = Field(default=None, sa_column=datetime_column())
    telegram_message_id: int | None = Field(default=None, sa_column=telegram_id_column())
    error: str | None = Field(default=None, max_length=300)
