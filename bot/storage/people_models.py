"""Tables of the people feature: universities, focal-person invites, tickets, FAQ entries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from bot.storage.types import datetime_column, telegram_id_column, utcnow


class University(SQLModel, table=True):
    """An HEC-recognised university; `code` is the stable key the data file and imports use."""

    __tablename__ = "universities"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    name_ur: str = Field(default="", max_length=200)
    short_name: str = Field(default="", max_length=64)
    city: str = Field(default="", max_length=100)
    province: str = Field(default="", max_length=100)
    sector: str = Field(default="", max_length=16)
    # Semicolon-separated other names people type ("CUI;CIIT").
    aliases: str = Field(default="", max_length=1000)
    # An import that replaces the list deactivates missing rows: users still point at them.
    is_active: bool = Field(default=True, index=True)


class FocalInvite(SQLModel, table=True):
    """A one-time deep link making its redeemer the focal person of one university.

    Only a hash of the token is stored: a leaked database does not leak usable invites.
    """

    __tablename__ = "focal_invites"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    university_id: int = Field(index=True)
    created_by: int | None = Field(default=None, sa_column=telegram_id_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    expires_at: datetime = Field(sa_column=datetime_column(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=datetime_column())
    used_by: int | None = Field(default=None, sa_column=telegram_id_column())


class TicketStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class TicketRoute(StrEnum):
    """Who is expected to answer: the university's focal persons or the HEC desk (admins)."""

    FOCAL = "focal"
    DESK = "desk"


class Ticket(SQLModel, table=True):
    """A learner's question the bot could not answer well, passed to a human."""

    __tablename__ = "tickets"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int | None = Field(default=None, index=True, unique=True)
    # NULL once the learner asked to be forgotten; the ticket stays as an anonymous aggregate.
    learner_id: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    learner_kind: str | None = Field(default=None, max_length=16)
    university_id: int | None = Field(default=None, index=True)
    question: str
    bot_answer: str = ""
    status: str = Field(default=TicketStatus.OPEN.value, max_length=16, index=True)
    route: str = Field(default=TicketRoute.FOCAL.value, max_length=16)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=datetime_column(nullable=False, index=True)
    )
    sent_to_desk_at: datetime | None = Field(default=None, sa_column=datetime_column())
    answered_at: datetime | None = Field(default=None, sa_column=datetime_column())
    answered_by: int | None = Field(default=None, sa_column=telegram_id_column())
    answered_by_role: str | None = Field(default=None, max_length=16)
    answer: str | None = None
    rating: int | None = None
    faq_entry_id: int | None = Field(default=None)


class FaqEntry(SQLModel, table=True):
    """A question answered by a person, published into the knowledge base as a Markdown file."""

    __tablename__ = "faq_entries"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, index=True)
    question: str
    answer: str
    author_id: int | None = Field(default=None, sa_column=telegram_id_column())
    author_role: str = Field(default="", max_length=16)
    university_id: int | None = Field(default=None)
    file_name: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    reviewed_by: int | None = Field(default=None, sa_column=telegram_id_column())
    reviewed_at: datetime | None = Field(default=None, sa_column=datetime_column())
