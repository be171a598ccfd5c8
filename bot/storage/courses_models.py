"""Tables of the course catalogue and of learners' saved learning plans."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.types import datetime_column, telegram_id_column, utcnow


class CourseKind(StrEnum):
    COURSE = "course"
    SPECIALIZATION = "specialization"
    PROFESSIONAL_CERTIFICATE = "professional_certificate"
    GUIDED_PROJECT = "guided_project"


class CourseLevel(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    MIXED = "mixed"


class Course(SQLModel, table=True):
    """One catalogue entry. `url` identifies it across imports (re-importing updates in place)."""

    __tablename__ = "courses"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500, unique=True, index=True)
    title: str = Field(max_length=300)
    partner: str = Field(default="", max_length=200)
    kind: str = Field(default=CourseKind.COURSE.value, max_length=32, index=True)
    level: str = Field(default=CourseLevel.MIXED.value, max_length=16, index=True)
    duration: str = Field(default="", max_length=64)
    rating: float | None = Field(default=None)
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str = Field(default="")
    language: str = Field(default="en", max_length=8, index=True)
    imported_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))


class CoursePlanEntry(SQLModel, table=True):
    """A course a learner saved to their plan; `completed_at` is set when they mark it done."""

    __tablename__ = "course_plan"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_course_plan_user_course"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=telegram_id_column(nullable=False, index=True))
    course_id: int = Field(
        sa_column=Column(Integer, ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    )
    saved_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=datetime_column())


class CourseVector(SQLModel, table=True):
    """A course's embedding, keyed by the hash of the embedder's name and the course's passage
    text: computed once at import, shared by every instance, and a re-import embeds only the
    courses whose text changed."""

    __tablename__ = "course_vectors"

    content_hash: str = Field(primary_key=True, max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))


class CourseSetting(SQLModel, table=True):
    """Catalogue-wide documents HEC manages at run time (`tracks`: the tracks YAML) and version
    counters (`catalogue`): running instances compare `version` per request and reload.
    `updated_by` is the channel (cli, telegram), not a person."""

    __tablename__ = "course_settings"

    key: str = Field(primary_key=True, max_length=32)
    content: str = Field(default="", sa_column=Column(Text, nullable=False))
    version: int = 0
    updated_by: str = Field(default="", max_length=128)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=datetime_column(nullable=False))
