"""Survey definitions as stored: add a version, list them, read one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.errors import InvalidInputError
from bot.services.survey_definitions import (
    SurveyDefinition,
    parse_stored_survey,
    parse_survey,
    parse_survey_off_loop,
)
from bot.storage import survey_repository
from bot.storage.db import Database
from bot.storage.survey_models import SurveyVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SurveySummary:
    slug: str
    version: int
    title: str
    questions: int
    anonymous: bool
    closes_at: datetime | None
    waves: int = 0
    responses: int = 0


class SurveyLibrary:
    """Adding and reading survey definitions (a part of `SurveyService`)."""

    _database: Database
    _clock: Callable[[], datetime]

    @staticmethod
    def check(source: str) -> SurveyDefinition:
        """Validate a survey file without saving it (raises `SurveyDefinitionError`)."""
        return parse_survey(source)

    @staticmethod
    async def check_off_loop(source: str) -> SurveyDefinition:
        """`check` in a worker thread with a time limit, for code on the event loop."""
        return await parse_survey_off_loop(source)

    async def add_survey(self, source: str, *, created_by: int | None = None) -> SurveySummary:
        """Save a new survey or a newer version of one; older versions stop taking answers."""
        definition = await parse_survey_off_loop(source)
        now = self._clock()
        async with self._database.session() as session:
            latest = await survey_repository.latest_version(session, definition.slug)
            if latest is not None and definition.version <= latest.version:
                raise InvalidInputError(
                    f"survey {definition.slug!r} already has version {latest.version}; "
                    f"raise 'version' to {latest.version + 1} to save a change"
                )
            if latest is not None:
                latest.superseded_at = now
                session.add(latest)
            session.add(
                SurveyVersion(
                    slug=definition.slug,
                    version=definition.version,
                    title=definition.title.en,
                    source=source,
                    anonymous=definition.anonymous,
                    closes_at=definition.closes_at,
                    created_at=now,
                    created_by=created_by,
                )
            )
        return _summary(definition)

    async def list_surveys(self, university_id: int | None = None) -> list[SurveySummary]:
        """The newest version of every survey, with its waves and completed responses (of one
        university's learners when `university_id` is given)."""
        async with self._database.session() as session:
            latest: dict[str, SurveyVersion] = {}
            for row in await survey_repository.all_versions(session):
                if row.slug not in latest or row.version > latest[row.slug].version:
                    latest[row.slug] = row
            waves = await survey_repository.waves_per_survey(session)
            responses = await survey_repository.completed_responses_per_survey(
                session, university_id
            )
        summaries = []
        for slug, row in latest.items():
            base = _summary(parse_stored_survey(row.source))
            summaries.append(
                SurveySummary(
                    **{
                        **base.__dict__,
                        "waves": int(waves.get(slug, 0)),
                        "responses": int(responses.get(slug, 0)),
                    }
                )
            )
        return summaries

    async def definition(self, slug: str, version: int | None = None) -> SurveyDefinition:
        async with self._database.session() as session:
            row = await survey_repository.get_version(session, slug, version)
            return parse_stored_survey(row.source)


def _summary(definition: SurveyDefinition) -> SurveySummary:
    return SurveySummary(
        slug=definition.slug,
        version=definition.version,
        title=definition.title.en,
        questions=len(definition.questions),
        anonymous=definition.anonymous,
        closes_at=definition.closes_at,
    )
