"""Column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite drops the offset on the way back; without this, comparing a loaded value with
    `datetime.now(UTC)` raises.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def utcnow() -> datetime:
    return datetime.now(UTC)


def datetime_column(*, nullable: bool = True, index: bool = False) -> Any:
    """A UTC datetime column for `sqlmodel.Field(sa_column=...)`."""
    return Column(UTCDateTime(), nullable=nullable, index=index)


def telegram_id_column(
    *, primary_key: bool = False, nullable: bool = True, index: bool = False
) -> Any:
    """Telegram ids exceed 32 bits: always a BigInteger."""
    return Column(
        BigInteger,
        primary_key=primary_key,
        autoincrement=False,
        nullable=False if primary_key else nullable,
        index=index,
    )
