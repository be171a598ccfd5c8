"""Tables of the dashboard: one-time sign-in links for use outside Telegram."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.storage.types import datetime_column, telegram_id_column, utcnow


class DashboardSignIn(SQLModel, table=True):
    """A one-time sign-in link from `/dashboard`; only the token's hash is stored."""

    __tablename__ = "dashboard_sign_ins"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(sa_column=telegram_id_column(nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    expires_at: datetime = Field(sa_column=datetime_column(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=datetime_column())
