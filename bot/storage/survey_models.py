"""Tables of the surveys feature: definitions by version, waves, invitations, responses, answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.types import datetime_column, telegram_id_column, utcnow


class SurveyVersion(SQLModel, table=True):
    """One version of a survey definition; the YAML source is the truth, parsed when used."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("slug", "version", name="uq_survey_versions_slug_version"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=32, index=True)
    version: int
    title: str = Field(max_length=300)
    source: str = Field(sa_column=Column(Text, nullable=False))
    anonymous: bool = False
    closes_at: datetime | None = Field(default=None, sa_column=datetime_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    created_by: int | None = Field(default=None, sa_column=telegram_id_column())
    # Set when a newer version is saved: its waves stop taking answers.
    superseded_at: datetime | None = Field(default=None, sa_column=datetime_column())


class WaveTrigger(StrEnum):
    NOW = "now"  # everyone in the audience at the time the wave starts
    AFTER_ONBOARDING = "after_onboarding"  # each learner `offset_days` after they onboard
    # Never targets an audience: another feature adds learners one by one (a nudge rule's
    # survey, e.g. the impact survey after a completed course).
    ON_REQUEST = "on_request"


class SurveyWave(SQLModel, table=True):
    """One sending of a survey version to an audience; a learner answers each wave once."""

    __tablename__ = "survey_waves"

    id: int | None = Field(default=None, primary_key=True)
    survey_version_id: int = Field(
        sa_column=Column(Integer, ForeignKey("survey_versions.id"), nullable=False, index=True)
    )
    slug: str = Field(max_length=32, index=True)
    label: str = Field(max_length=64)
    trigger: str = Field(default=WaveTrigger.NOW.value, max_length=32)
    offset_days: int | None = None
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    created_by: int | None = Field(default=None, sa_column=telegram_id_column())
    stopped_at: datetime | None = Field(default=None, sa_column=datetime_column())


class SurveyInvitation(SQLModel, table=True):
    """That a learner was invited to a wave, and how far they got (never what they answered)."""

    __tablename__ = "survey_invitations"
    __table_args__ = (
        UniqueConstraint("wave_id", "user_id", name="uq_survey_invitations_wave_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(
        sa_column=Column(Integer, ForeignKey("survey_waves.id"), nullable=False, index=True)
    )
    user_id: int = Field(sa_column=telegram_id_column(nullable=False, index=True))
    invited_at: datetime = Field(
        default_factory=utcnow, sa_column=datetime_column(nullable=False, index=True)
    )
    opened_at: datetime | None = Field(default=None, sa_column=datetime_column())
    reminded_at: datetime | None = Field(default=None, sa_column=datetime_column())
    completed_at: datetime | None = Field(default=None, sa_column=datetime_column())
    # Links the learner to their response only while it is in progress: cleared on completion
    # of an anonymous survey, so a finished anonymous response cannot be traced back.
    response_id: int | None = Field(default=None)


class SurveyResponse(SQLModel, table=True):
    """One learner's answers to one wave. `user_id` stays empty for anonymous surveys."""

    __tablename__ = "survey_responses"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(
        sa_column=Column(Integer, ForeignKey("survey_waves.id"), nullable=False, index=True)
    )
    survey_version_id: int = Field(
        sa_column=Column(Integer, ForeignKey("survey_versions.id"), nullable=False, index=True)
    )
    slug: str = Field(max_length=32, index=True)
    user_id: int | None = Field(default=None, sa_column=telegram_id_column(index=True))
    university_id: int | None = Field(default=None, index=True)
    role: str | None = Field(default=None, max_length=16)
    learner_kind: str | None = Field(default=None, max_length=16)
    language: str = Field(default="en", max_length=8)
    started_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=datetime_column(index=True))


class SurveyAnswer(SQLModel, table=True):
    """One answer, saved the moment it is given so a restart loses nothing."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", name="uq_survey_answers_response_question"),
    )

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("survey_responses.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    question_id: str = Field(max_length=32)
    # str (choice id, yes/no, text), int (rating, NPS), number, list[str] (multiple choice);
    # None when the learner skipped an optional question.
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    skipped: bool = False
    answered_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
