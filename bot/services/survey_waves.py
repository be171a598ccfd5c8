"""Survey waves: who is invited to which survey version, now or after onboarding; and a
learner's choice to receive surveys at all. Invitations go out from survey_scheduling.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import in_pakistan
from bot.logging_setup import logged_user
from bot.services.audience import Audience
from bot.services.survey_definitions import (
    parse_stored_survey,
)
from bot.storage import survey_repository
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.survey_models import (
    SurveyWave,
    WaveTrigger,
)
from bot.storage.survey_repository import row_id

log = logging.getLogger(__name__)

# A wave started "now" for an audience within this long of the same one (same version, same
# audience, not stopped) is that wave again: a command sent twice would otherwise invite every
# learner a second time, a week later, to a survey they had answered. It is the scheduler's
# gap between two invitations: a wave started after it is a deliberate second round.
REPEAT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class WaveSummary:
    id: int
    slug: str
    version: int
    label: str
    trigger: WaveTrigger
    offset_days: int | None
    audience: Audience
    created_at: datetime
    # False: the same wave was already running (a /survey_send sent twice), so none was added.
    new: bool = True


class SurveyWaves:
    """Starting and stopping waves (a part of `SurveyService`)."""

    _database: Database
    _clock: Callable[[], datetime]

    async def start_waves(
        self,
        slug: str,
        *,
        audience: Audience | None = None,
        after_onboarding_days: Sequence[int] = (),
        created_by: int | None = None,
    ) -> list[WaveSummary]:
        """Start the newest version now, or as follow-ups N days after each learner onboards.

        Invitations go out from the scheduler (`SurveyScheduler.run_due`), through the outbox.
        An audience that names no role is learners only: staff are asked only when named.
        """
        if any(days < 0 for days in after_onboarding_days):
            raise InvalidInputError("days after onboarding cannot be negative")
        audience = audience if audience is not None else Audience()
        if not audience.roles:
            audience = replace(audience, roles=frozenset({Role.LEARNER.value}))
        now = self._clock()
        async with self._database.session() as session:
            survey = await survey_repository.get_version(session, slug, None)
            definition = parse_stored_survey(survey.source)
            if definition.closes_at is not None and definition.closes_at <= now:
                raise InvalidInputError(
                    f"survey {slug!r} closed on {in_pakistan(definition.closes_at):%Y-%m-%d}"
                )
            running = await self._running_waves(session, row_id(survey.id), audience, now)
            waves: list[SurveyWave] = []
            if after_onboarding_days:
                for days in sorted(set(after_onboarding_days)):
                    waves.append(
                        SurveyWave(
                            survey_version_id=row_id(survey.id),
                            slug=slug,
                            label=f"day-{days}",
                            trigger=WaveTrigger.AFTER_ONBOARDING.value,
                            offset_days=days,
                            audience=audience.to_json(),
                            created_at=now,
                            created_by=created_by,
                        )
                    )
            else:
                waves.append(
                    SurveyWave(
                        survey_version_id=row_id(survey.id),
                        slug=slug,
                        label=f"{in_pakistan(now):%Y-%m-%d}",  # the date staff call it
                        trigger=WaveTrigger.NOW.value,
                        audience=audience.to_json(),
                        created_at=now,
                        created_by=created_by,
                    )
                )
            session.add_all(w for w in waves if (w.trigger, w.offset_days) not in running)
            await session.flush()  # the new waves' ids, in one round trip
            summaries: list[WaveSummary] = []
            for wave in waves:
                same = running.get((wave.trigger, wave.offset_days))
                if same is None:
                    summaries.append(_wave_summary(wave, survey.version))
                else:
                    summaries.append(replace(_wave_summary(same, survey.version), new=False))
            return summaries

    @staticmethod
    async def _running_waves(
        session: AsyncSession, version_id: int, audience: Audience, now: datetime
    ) -> dict[tuple[str, int | None], SurveyWave]:
        """The version's waves not stopped, for this audience, by (trigger, offset): follow-ups
        whenever started, a wave "now" within `REPEAT_WINDOW`."""
        found: dict[tuple[str, int | None], SurveyWave] = {}
        for wave in await survey_repository.waves_of_version(session, version_id):
            if wave.stopped_at is not None or Audience.from_json(wave.audience) != audience:
                continue
            if wave.trigger == WaveTrigger.NOW.value and wave.created_at <= now - REPEAT_WINDOW:
                continue
            found.setdefault((wave.trigger, wave.offset_days), wave)
        return found

    async def stop_wave(self, wave_id: int) -> None:
        async with self._database.session() as session:
            wave = await session.get(SurveyWave, wave_id)
            if wave is None:
                raise NotFoundError(f"no survey wave {wave_id}")
            wave.stopped_at = self._clock()
            session.add(wave)

    # --- learners' preferences ---------------------------------------------------------

    async def set_surveys_enabled(self, user_id: int, enabled: bool) -> None:
        async with self._database.session() as session:
            user = await session.get(User, user_id)
            if user is None:
                raise NotFoundError(f"no user {logged_user(user_id)}")
            user.surveys_enabled = enabled
            session.add(user)


def _wave_summary(wave: SurveyWave, version: int) -> WaveSummary:
    assert wave.id is not None
    return WaveSummary(
        id=wave.id,
        slug=wave.slug,
        version=version,
        label=wave.label,
        trigger=WaveTrigger(wave.trigger),
        offset_days=wave.offset_days,
        audience=Audience.from_json(wave.audience),
        created_at=wave.created_at,
    )
