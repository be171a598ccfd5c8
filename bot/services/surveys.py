"""Surveys: saving definitions, starting waves, and taking a learner through a survey.

Every answer is written to the database the moment it is given; where a learner stands is
always derived from what is stored (the first shown question without an answer), so leaving,
a restart, or a second bot instance all resume at the same place.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InvalidInputError, NotFoundError
from bot.services.survey_definitions import (
    Question,
    QuestionType,
    SurveyDefinition,
    parse_stored_survey,
    parse_survey,
    parse_survey_off_loop,
)
from bot.storage.db import Database
from bot.storage.models import Role, User
from bot.storage.survey_models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    SurveyWave,
    WaveTrigger,
)
from bot.storage.types import utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
START_CALLBACK_PREFIX = "svst"


def start_callback_data(wave_id: int) -> str:
    """The invitation's Start button data; `handlers.surveys.SurveyStart(wave=...)` packs the same.

    Kept here (not in the handlers) because invitations are built by the scheduler, in `bot/`.
    """
    return f"{START_CALLBACK_PREFIX}:{wave_id}"


EASTERN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@dataclass(frozen=True)
class Audience:
    """Who a wave is for; empty filters mean everyone. Filters combine with AND."""

    universities: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()
    cities: frozenset[str] = frozenset()
    onboarded_after: datetime | None = None
    onboarded_before: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "universities": sorted(self.universities),
            "roles": sorted(self.roles),
            "cities": sorted(self.cities),
            "onboarded_after": self.onboarded_after.isoformat() if self.onboarded_after else None,
            "onboarded_before": (
                self.onboarded_before.isoformat() if self.onboarded_before else None
            ),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        def moment(value: Any) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            universities=frozenset(int(item) for item in data.get("universities", [])),
            roles=frozenset(data.get("roles", [])),
            cities=frozenset(data.get("cities", [])),
            onboarded_after=moment(data.get("onboarded_after")),
            onboarded_before=moment(data.get("onboarded_before")),
        )

    def describe(self) -> str:
        parts = []
        if self.universities:
            parts.append("universities " + ",".join(str(u) for u in sorted(self.universities)))
        if self.roles:
            parts.append("roles " + ",".join(sorted(self.roles)))
        if self.cities:
            parts.append("cities " + ",".join(sorted(self.cities)))
        if self.onboarded_after:
            parts.append(f"onboarded from {self.onboarded_after:%Y-%m-%d}")
        if self.onboarded_before:
            parts.append(f"onboarded before {self.onboarded_before:%Y-%m-%d}")
        return "; ".join(parts) or "everyone"


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


@dataclass(frozen=True)
class WaveSummary:
    id: int
    slug: str
    version: int
    label: str
    trigger: WaveTrigger
    offset_days: int | None
    audience: Audience


@dataclass(frozen=True)
class ChoiceView:
    index: int
    text: str
    selected: bool = False


@dataclass(frozen=True)
class QuestionView:
    """One question as the learner should see it now."""

    slug: str
    version: int
    index: int  # position in the definition: goes into button data
    position: int  # "3 of 5"
    total: int
    question: Question
    text: str
    choices: tuple[ChoiceView, ...]
    can_skip: bool
    can_go_back: bool
    selection_mask: int = 0  # multiple choice: options ticked so far

    @property
    def is_typed(self) -> bool:
        return self.question.type.is_typed

    @property
    def is_multiple(self) -> bool:
        return self.question.type is QuestionType.MULTIPLE_CHOICE


@dataclass(frozen=True)
class QuestionRef:
    """Which question a button belongs to, as carried in its callback data."""

    slug: str
    version: int
    index: int


class StepKind(StrEnum):
    QUESTION = "question"  # show `question`
    RETRY = "retry"  # the answer was not accepted; say `reason` and show `question` again
    COMPLETED = "completed"
    REFUSED = "refused"  # the survey cannot be answered (now); say `reason`


@dataclass(frozen=True)
class SurveyStep:
    kind: StepKind
    question: QuestionView | None = None
    reason: str | None = None  # a catalogue key
    details: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    intro: str | None = None


def refused(reason: str, **details: Any) -> SurveyStep:
    return SurveyStep(StepKind.REFUSED, reason=reason, details=details)


@dataclass
class _Progress:
    """A response being answered, with its definition and the answers so far."""

    response: SurveyResponse
    invitation: SurveyInvitation
    wave: SurveyWave
    survey: SurveyVersion
    definition: SurveyDefinition
    answers: dict[str, SurveyAnswer]

    def values(self) -> dict[str, Any]:
        return {key: answer.value for key, answer in self.answers.items() if not answer.skipped}

    def shown(self) -> list[int]:
        """Indexes of the questions shown so far plus the current one."""
        values = self.values()
        indexes: list[int] = []
        for index, question in enumerate(self.definition.questions):
            if not self.definition.is_shown(question, values):
                continue
            indexes.append(index)
            if question.id not in self.answers:
                break
        return indexes

    def current_index(self) -> int | None:
        shown = self.shown()
        if not shown:
            return None
        last = shown[-1]
        return None if self.definition.questions[last].id in self.answers else last


def parse_number(text: str) -> float | None:
    """A typed number: '25,000', '25000 PKR', Urdu digits '۲۵۰۰۰'."""
    cleaned = text.translate(EASTERN_DIGITS).replace(",", "").replace("٬", "").strip()
    cleaned = cleaned.split()[0] if cleaned.split() else ""
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class SurveyService:
    """Plain-Python surveys; the Telegram handlers and the CLI are two faces over it."""

    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._database = database
        self._clock = clock

    # --- definitions -----------------------------------------------------------------

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
            latest = await self._latest_version(session, definition.slug)
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

    async def list_surveys(self) -> list[SurveySummary]:
        """The newest version of every survey, with its waves and completed responses."""
        async with self._database.session() as session:
            rows = (await session.exec(select(SurveyVersion).order_by(SurveyVersion.slug))).all()
            latest: dict[str, SurveyVersion] = {}
            for row in rows:
                if row.slug not in latest or row.version > latest[row.slug].version:
                    latest[row.slug] = row
            waves = dict(
                (
                    await session.exec(
                        select(SurveyWave.slug, func.count()).group_by(SurveyWave.slug)
                    )
                ).all()
            )
            responses = dict(
                (
                    await session.exec(
                        select(SurveyResponse.slug, func.count())
                        .where(col(SurveyResponse.completed_at).is_not(None))
                        .group_by(SurveyResponse.slug)
                    )
                ).all()
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
            row = await self._version(session, slug, version)
            return parse_stored_survey(row.source)

    # --- waves -----------------------------------------------------------------------

    async def start_waves(
        self,
        slug: str,
        *,
        audience: Audience = Audience(),
        after_onboarding_days: Sequence[int] = (),
        created_by: int | None = None,
    ) -> list[WaveSummary]:
        """Start the newest version now, or as follow-ups N days after each learner onboards.

        Invitations go out from the scheduler (`SurveyScheduler.run_due`), through the outbox.
        An audience that names no role is learners only: staff are asked only when named.
        """
        if not audience.roles:
            audience = replace(audience, roles=frozenset({Role.LEARNER.value}))
        if any(days < 0 for days in after_onboarding_days):
            raise InvalidInputError("days after onboarding cannot be negative")
        now = self._clock()
        async with self._database.session() as session:
            survey = await self._version(session, slug, None)
            definition = parse_stored_survey(survey.source)
            if definition.closes_at is not None and definition.closes_at <= now:
                raise InvalidInputError(
                    f"survey {slug!r} closed on {definition.closes_at:%Y-%m-%d}"
                )
            waves: list[SurveyWave] = []
            if after_onboarding_days:
                for days in sorted(set(after_onboarding_days)):
                    waves.append(
                        SurveyWave(
                            survey_version_id=_id(survey.id),
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
                        survey_version_id=_id(survey.id),
                        slug=slug,
                        label=f"{now:%Y-%m-%d}",
                        trigger=WaveTrigger.NOW.value,
                        audience=audience.to_json(),
                        created_at=now,
                        created_by=created_by,
                    )
                )
            session.add_all(waves)
            await session.flush()
            return [_wave_summary(wave, survey.version) for wave in waves]

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
                raise NotFoundError(f"no user {user_id}")
            user.surveys_enabled = enabled
            session.add(user)

    # --- answering -------------------------------------------------------------------

    async def open_invitation(self, user_id: int, wave_id: int) -> SurveyStep:
        """The learner pressed "Start" on an invitation: begin, or resume where they stopped."""
        now = self._clock()
        async with self._database.session() as session:
            wave = await session.get(SurveyWave, wave_id)
            if wave is None:
                return refused("survey-not-found")
            invitation = (
                await session.exec(
                    select(SurveyInvitation).where(
                        SurveyInvitation.wave_id == wave_id, SurveyInvitation.user_id == user_id
                    )
                )
            ).first()
            if invitation is None:
                return refused("survey-not-invited")
            if invitation.completed_at is not None:
                return refused("survey-already-answered")
            survey = await session.get(SurveyVersion, wave.survey_version_id)
            assert survey is not None
            definition = parse_stored_survey(survey.source)
            closed = self._closed_reason(survey, wave, definition, now)
            if closed:
                return refused(closed)
            if invitation.opened_at is None:
                invitation.opened_at = now
            response = None
            if invitation.response_id is not None:
                response = await session.get(SurveyResponse, invitation.response_id)
            if response is None:
                user = await session.get(User, user_id)
                response = SurveyResponse(
                    wave_id=wave_id,
                    survey_version_id=_id(survey.id),
                    slug=survey.slug,
                    user_id=None if definition.anonymous else user_id,
                    university_id=user.university_id if user else None,
                    role=user.role if user else None,
                    learner_kind=user.learner_kind if user else None,
                    language=user.language if user else "en",
                    started_at=now,
                )
                session.add(response)
                await session.flush()
                invitation.response_id = response.id
            session.add(invitation)
            progress = _Progress(
                response,
                invitation,
                wave,
                survey,
                definition,
                await self._answers(session, response),
            )
            language = response.language
            step = self._step(progress, language)
            return SurveyStep(
                step.kind,
                question=step.question,
                title=definition.title.get(language),
                intro=definition.intro.get(language) if definition.intro else None,
            )

    async def current(self, user_id: int, slug: str, language: str) -> SurveyStep:
        """Where the learner stands in `slug` (after a restart, or to show the question again)."""
        async with self._database.session() as session:
            progress = await self._progress(session, user_id, slug)
            if isinstance(progress, SurveyStep):
                return progress
            return self._step(progress, language)

    async def choose(
        self, user_id: int, ref: QuestionRef, option_index: int, language: str
    ) -> SurveyStep:
        """A button answer (single choice, yes/no, rating, NPS)."""

        def value_of(question: Question) -> Any:
            if question.type is QuestionType.MULTIPLE_CHOICE:
                return None
            if not 0 <= option_index < len(question.choices()):
                return None
            return question.choice_value(option_index)

        return await self._answer(user_id, ref, language, value_of)

    async def toggle(self, user_id: int, ref: QuestionRef, mask: int, language: str) -> SurveyStep:
        """Multiple choice: show the question with the options in `mask` ticked (not saved yet)."""
        async with self._database.session() as session:
            progress = await self._progress(session, user_id, ref.slug)
            if isinstance(progress, SurveyStep):
                return progress
            stale = self._stale(progress, ref)
            if stale is not None:
                return stale
            step = self._step(progress, language, mask=mask)
            return step

    async def confirm_choices(
        self, user_id: int, ref: QuestionRef, mask: int, language: str
    ) -> SurveyStep:
        """Multiple choice: save the ticked options."""

        def value_of(question: Question) -> Any:
            if question.type is not QuestionType.MULTIPLE_CHOICE:
                return None
            chosen = [o.id for i, o in enumerate(question.options) if mask & (1 << i)]
            if not chosen:
                return _Retry("survey-choose-at-least-one")
            return chosen

        return await self._answer(user_id, ref, language, value_of)

    async def type_answer(self, user_id: int, slug: str, text: str, language: str) -> SurveyStep:
        """A typed message: a number or a free-text answer, checked against the question."""
        async with self._database.session() as session:
            progress = await self._progress(session, user_id, slug)
            if isinstance(progress, SurveyStep):
                return progress
            index = progress.current_index()
            if index is None:
                return refused("survey-already-answered")
            version = progress.survey.version

        def value_of(question: Question) -> Any:
            if not question.type.is_typed:
                return _Retry("survey-use-buttons")
            cleaned = text.strip()
            if question.type is QuestionType.TEXT:
                if not cleaned:
                    return _Retry("survey-text-empty")
                if len(cleaned) > question.max_length:
                    return _Retry("survey-text-too-long", limit=question.max_length)
                return cleaned
            number = parse_number(cleaned)
            assert question.minimum is not None and question.maximum is not None
            unit = question.unit.get(language) if question.unit else ""
            limits = {
                "min": f"{question.minimum:,.0f}",
                "max": f"{question.maximum:,.0f}",
                "unit": unit,
            }
            if number is None:
                return _Retry("survey-number-invalid", **limits)
            if not question.minimum <= number <= question.maximum:
                return _Retry("survey-number-range", **limits)
            return int(number) if number.is_integer() else number

        return await self._answer(user_id, QuestionRef(slug, version, index), language, value_of)

    async def skip(self, user_id: int, ref: QuestionRef, language: str) -> SurveyStep:
        def value_of(question: Question) -> Any:
            return _Retry("survey-required") if question.required else _SKIPPED

        return await self._answer(user_id, ref, language, value_of)

    async def back(self, user_id: int, ref: QuestionRef, language: str) -> SurveyStep:
        """Forget the answer to the previous shown question and ask it again."""
        async with self._database.session() as session:
            progress = await self._progress(session, user_id, ref.slug)
            if isinstance(progress, SurveyStep):
                return progress
            stale = self._stale(progress, ref)
            if stale is not None:
                return stale
            shown = progress.shown()
            if len(shown) >= 2:
                previous = progress.definition.questions[shown[-2]].id
                await session.delete(progress.answers.pop(previous))
            return self._step(progress, language)

    # --- internals ---------------------------------------------------------------------

    async def _answer(
        self, user_id: int, ref: QuestionRef, language: str, value_of: Callable[[Question], Any]
    ) -> SurveyStep:
        try:
            async with self._database.session() as session:
                progress = await self._progress(session, user_id, ref.slug)
                if isinstance(progress, SurveyStep):
                    return progress
                stale = self._stale(progress, ref)
                if stale is not None:
                    return stale
                question = progress.definition.questions[ref.index]
                value = value_of(question)
                if value is None:
                    return self._with_kind(
                        self._step(progress, language), StepKind.RETRY, "survey-use-buttons"
                    )
                if isinstance(value, _Retry):
                    return self._with_kind(
                        self._step(progress, language),
                        StepKind.RETRY,
                        value.reason,
                        value.details,
                    )
                answer = SurveyAnswer(
                    response_id=_id(progress.response.id),
                    question_id=question.id,
                    value=None if value is _SKIPPED else value,
                    skipped=value is _SKIPPED,
                    answered_at=self._clock(),
                )
                session.add(answer)
                await session.flush()
                progress.answers[question.id] = answer
                step = self._step(progress, language)
                if step.kind is StepKind.COMPLETED:
                    await self._complete(session, progress)
                return step
        except IntegrityError:
            # Two presses raced on the same question: the first one counted.
            async with self._database.session() as session:
                progress = await self._progress(session, user_id, ref.slug)
                if isinstance(progress, SurveyStep):
                    return progress
                return self._with_kind(
                    self._step(progress, language), StepKind.RETRY, "survey-stale-button"
                )

    @staticmethod
    def _with_kind(
        step: SurveyStep, kind: StepKind, reason: str, details: dict[str, Any] | None = None
    ) -> SurveyStep:
        if step.kind is not StepKind.QUESTION:
            return step
        return SurveyStep(kind, question=step.question, reason=reason, details=details or {})

    async def _complete(self, session: AsyncSession, progress: _Progress) -> None:
        now = self._clock()
        values = progress.values()
        hidden = [
            answer
            for question_id, answer in progress.answers.items()
            if not progress.definition.is_shown(progress.definition.question(question_id), values)
        ]
        for answer in hidden:  # answers a changed skip rule made irrelevant
            await session.delete(answer)
        progress.response.completed_at = now
        progress.invitation.completed_at = now
        if progress.definition.anonymous:
            progress.invitation.response_id = None
        session.add(progress.response)
        session.add(progress.invitation)

    def _stale(self, progress: _Progress, ref: QuestionRef) -> SurveyStep | None:
        if ref.version != progress.survey.version:
            return refused("survey-old-version")
        if progress.current_index() != ref.index:
            return self._with_kind(
                self._step(progress, progress.response.language),
                StepKind.RETRY,
                "survey-stale-button",
            )
        return None

    def _closed_reason(
        self, survey: SurveyVersion, wave: SurveyWave, definition: SurveyDefinition, now: datetime
    ) -> str | None:
        if survey.superseded_at is not None:
            return "survey-old-version"
        if wave.stopped_at is not None and wave.stopped_at <= now:
            return "survey-closed"
        if definition.closes_at is not None and definition.closes_at <= now:
            return "survey-closed"
        return None

    async def _progress(
        self, session: AsyncSession, user_id: int, slug: str
    ) -> _Progress | SurveyStep:
        """The learner's open response to `slug`, or why there is none to answer."""
        rows = (
            await session.exec(
                select(SurveyInvitation, SurveyWave)
                .join(SurveyWave, col(SurveyWave.id) == col(SurveyInvitation.wave_id))
                .where(SurveyInvitation.user_id == user_id, SurveyWave.slug == slug)
                .order_by(col(SurveyInvitation.invited_at).desc())
            )
        ).all()
        if not rows:
            return refused("survey-not-invited")
        open_rows = [
            (invitation, wave)
            for invitation, wave in rows
            if invitation.completed_at is None and invitation.response_id is not None
        ]
        if not open_rows:
            if any(invitation.completed_at is not None for invitation, _ in rows):
                return refused("survey-already-answered")
            return refused("survey-not-started")
        invitation, wave = open_rows[0]
        survey = await session.get(SurveyVersion, wave.survey_version_id)
        response = await session.get(SurveyResponse, invitation.response_id)
        assert survey is not None and response is not None
        definition = parse_stored_survey(survey.source)
        closed = self._closed_reason(survey, wave, definition, self._clock())
        if closed:
            return refused(closed)
        return _Progress(
            response, invitation, wave, survey, definition, await self._answers(session, response)
        )

    @staticmethod
    async def _answers(session: AsyncSession, response: SurveyResponse) -> dict[str, SurveyAnswer]:
        rows = (
            await session.exec(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
        ).all()
        return {row.question_id: row for row in rows}

    def _step(self, progress: _Progress, language: str, *, mask: int = 0) -> SurveyStep:
        index = progress.current_index()
        if index is None:
            return SurveyStep(StepKind.COMPLETED)
        definition = progress.definition
        question = definition.questions[index]
        shown = progress.shown()
        values = progress.values()
        # Later questions whose skip rule cannot be decided yet count as coming.
        later = sum(
            1
            for other in definition.questions[index + 1 :]
            if other.show_if is None
            or other.show_if.question not in progress.answers
            or other.show_if.holds(values)
        )
        choices = tuple(
            ChoiceView(i, option.text.get(language), bool(mask & (1 << i)))
            for i, option in enumerate(question.choices())
        )
        view = QuestionView(
            slug=definition.slug,
            version=definition.version,
            index=index,
            position=len(shown),
            total=len(shown) + later,
            question=question,
            text=question.text.get(language),
            choices=choices,
            can_skip=not question.required,
            can_go_back=len(shown) >= 2,
            selection_mask=mask,
        )
        return SurveyStep(StepKind.QUESTION, question=view)

    @staticmethod
    async def _latest_version(session: AsyncSession, slug: str) -> SurveyVersion | None:
        return (
            await session.exec(
                select(SurveyVersion)
                .where(SurveyVersion.slug == slug)
                .order_by(col(SurveyVersion.version).desc())
            )
        ).first()

    async def _version(
        self, session: AsyncSession, slug: str, version: int | None
    ) -> SurveyVersion:
        if version is None:
            row = await self._latest_version(session, slug)
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


def _id(value: int | None) -> int:
    """A saved row's primary key (flushed rows always have one)."""
    if value is None:
        raise RuntimeError("row has no id yet: flush before using it")
    return value


class _Retry:
    def __init__(self, reason: str, **details: Any) -> None:
        self.reason = reason
        self.details = details


_SKIPPED = object()


def _summary(definition: SurveyDefinition) -> SurveySummary:
    return SurveySummary(
        slug=definition.slug,
        version=definition.version,
        title=definition.title.en,
        questions=len(definition.questions),
        anonymous=definition.anonymous,
        closes_at=definition.closes_at,
    )


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
    )
