"""Data access for surveys: the stored versions of a definition."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFoundError
from bot.storage.survey_models import SurveyVersion


async def latest_version(session: AsyncSession, slug: str) -> SurveyVersion | None:
    return (
        await session.exec(
            select(SurveyVersion)
            .where(SurveyVersion.slug == slug)
            .order_by(col(SurveyVersion.version).desc())
        )
    ).first()


async def get_version(session: AsyncSession, slug: str, version: int | None) -> SurveyVersion:
    """The given version of a survey, or its newest when `version` is None."""
    if version is None:
        row = await latest_version(session, slug)
    else:
        row = (
            await session.exec(
                select(SurveyVersion).where(
                    SurveyVersion.slug == slug, SurveyVersion.version == version
                )
            )
        ).first()
    if row is None:
        raise NotFoundError(f"no survey {slug!r}" + (f" version {version}" if version else ""))
    return row


def row_id(value: int | None) -> int:
    """A saved row's primary key (flushed rows always have one)."""
    if value is None:
        raise RuntimeError("row has no id yet: flush before using it")
    return value
