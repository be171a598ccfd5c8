"""Data access for surveys: the stored versions of a definition, and what the results read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFoundError
from bot.storage.models import User
from bot.storage.people_models import University
from bot.storage.survey_models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    SurveyWave,
    WaveTrigger,
)

# Response ids per statement when loading their answers (well under any driver's limit on
# bound parameters).
_ANSWERS_CHUNK = 500


async def latest_version(session: AsyncSession, slug: str) -> SurveyVersion | None:
    return (
        await session.exec(
            select(SurveyVersion)
            .where(SurveyVersion.slug == slug)
            .order_by(col(SurveyVersion.version).desc())
        )
    ).first()


async def current_version(session: AsyncSession, slug: str) -> SurveyVersion | None:
    """The survey's current (newest, not superseded) version, or None if there is no such survey."""
    return (
        await session.exec(
            select(SurveyVersion)
            .where(col(SurveyVersion.slug) == slug, col(SurveyVersion.superseded_at).is_(None))
            .order_by(col(SurveyVersion.version).desc())
        )
    ).first()


async def open_waves(
    session: AsyncSession, now: datetime
) -> list[tuple[SurveyWave, SurveyVersion]]:
    """Waves taking answers at `now` (not stopped, of a current survey version not closed),
    with their version, oldest first."""
    rows = (
        await session.exec(
            select(SurveyWave, SurveyVersion)
            .join(SurveyVersion, col(SurveyVersion.id) == col(SurveyWave.survey_version_id))
            .where(
                col(SurveyWave.stopped_at).is_(None),
                col(SurveyVersion.superseded_at).is_(None),
                or_(col(SurveyVersion.closes_at).is_(None), col(SurveyVersion.closes_at) > now),
                col(SurveyWave.created_at) <= now,
            )
            .order_by(col(SurveyWave.created_at), col(SurveyWave.id))
        )
    ).all()
    return [(wave, survey) for wave, survey in rows]


async def on_request_wave(
    session: AsyncSession, *, survey_id: int, label: str
) -> SurveyWave | None:
    """The survey version's on-request wave called `label`, if it was created already."""
    return (
        await session.exec(
            select(SurveyWave).where(
                col(SurveyWave.survey_version_id) == survey_id,
                col(SurveyWave.label) == label,
                col(SurveyWave.trigger) == WaveTrigger.ON_REQUEST.value,
            )
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


async def all_versions(session: AsyncSession) -> list[SurveyVersion]:
    """Every stored version of every survey, by slug."""
    return list((await session.exec(select(SurveyVersion).order_by(SurveyVersion.slug))).all())


async def waves_per_survey(session: AsyncSession) -> dict[str, int]:
    """slug -> how many waves the survey was sent in."""
    rows = await session.exec(select(SurveyWave.slug, func.count()).group_by(SurveyWave.slug))
    return {slug: int(count) for slug, count in rows.all()}


async def university_names(session: AsyncSession) -> dict[int, str]:
    """university id -> its short name, or its name: how results name a university."""
    rows = await session.exec(
        select(col(University.id), col(University.short_name), col(University.name))
    )
    return {int(uid): short or name for uid, short, name in rows.all() if uid is not None}


async def completed_responses_per_survey(
    session: AsyncSession, university_id: int | None = None
) -> dict[str, int]:
    """slug -> how many responses to the survey were completed (by one university's learners
    when `university_id` is given)."""
    query = select(SurveyResponse.slug, func.count()).where(
        col(SurveyResponse.completed_at).is_not(None)
    )
    if university_id is not None:
        query = query.where(col(SurveyResponse.university_id) == university_id)
    rows = await session.exec(query.group_by(SurveyResponse.slug))
    return {slug: int(count) for slug, count in rows.all()}


async def responses_of(
    session: AsyncSession, slug: str, university_id: int | None
) -> list[tuple[SurveyResponse, str, int]]:
    """(response, its wave's label, its survey version) of every response to the survey (of
    one university's learners when `university_id` is given), oldest first."""
    query = (
        select(SurveyResponse, SurveyWave.label, SurveyVersion.version)
        .join(SurveyWave, col(SurveyWave.id) == col(SurveyResponse.wave_id))
        .join(SurveyVersion, col(SurveyVersion.id) == col(SurveyResponse.survey_version_id))
        .where(SurveyResponse.slug == slug)
        .order_by(col(SurveyResponse.id))
    )
    if university_id is not None:
        query = query.where(SurveyResponse.university_id == university_id)
    return list((await session.exec(query)).all())


async def invited_count(session: AsyncSession, slug: str, university_id: int | None) -> int:
    """How many invitations to the survey were made (to one university's learners when
    `university_id` is given)."""
    query = (
        select(func.count())
        .select_from(SurveyInvitation)
        .join(SurveyWave, col(SurveyWave.id) == col(SurveyInvitation.wave_id))
        .where(SurveyWave.slug == slug)
    )
    if university_id is not None:
        query = query.join(User, col(User.id) == col(SurveyInvitation.user_id)).where(
            User.university_id == university_id
        )
    return int((await session.exec(query)).one())


async def answers_of(session: AsyncSession, response_ids: Sequence[int]) -> list[SurveyAnswer]:
    """The stored answers of these responses."""
    found: list[SurveyAnswer] = []
    for start in range(0, len(response_ids), _ANSWERS_CHUNK):
        chunk = list(response_ids[start : start + _ANSWERS_CHUNK])
        found.extend(
            (
                await session.exec(
                    select(SurveyAnswer).where(col(SurveyAnswer.response_id).in_(chunk))
                )
            ).all()
        )
    return found


async def invitation_of(
    session: AsyncSession, *, wave_id: int, user_id: int
) -> SurveyInvitation | None:
    """The learner's invitation in the wave, if they were invited to it."""
    return (
        await session.exec(
            select(SurveyInvitation).where(
                SurveyInvitation.wave_id == wave_id, SurveyInvitation.user_id == user_id
            )
        )
    ).first()


async def invitations_to(
    session: AsyncSession, *, user_id: int, slug: str, wave_id: int | None = None
) -> list[tuple[SurveyInvitation, SurveyWave]]:
    """The learner's invitations to the survey (in one wave when `wave_id` is given), with
    their waves, the newest first."""
    query = (
        select(SurveyInvitation, SurveyWave)
        .join(SurveyWave, col(SurveyWave.id) == col(SurveyInvitation.wave_id))
        .where(SurveyInvitation.user_id == user_id, SurveyWave.slug == slug)
        .order_by(col(SurveyInvitation.invited_at).desc())
    )
    if wave_id is not None:
        query = query.where(SurveyInvitation.wave_id == wave_id)
    return list((await session.exec(query)).all())


def row_id(value: int | None) -> int:
    """A saved row's primary key (flushed rows always have one)."""
    if value is None:
        raise RuntimeError("row has no id yet: flush before using it")
    return value


async def waves_of_version(session: AsyncSession, version_id: int) -> list[SurveyWave]:
    """Every wave of one survey version, oldest first."""
    rows = await session.exec(
        select(SurveyWave)
        .where(col(SurveyWave.survey_version_id) == version_id)
        .order_by(col(SurveyWave.id))
    )
    return list(rows.all())
