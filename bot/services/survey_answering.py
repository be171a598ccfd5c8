"""Taking a learner through a survey, one stored answer at a time.

Every answer is written to the database the moment it is given; where a learner stands is
always derived from what is stored (the first shown question without an answer), so leaving,
a restart, or a second bot instance all resume at the same place.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.access import SurveyInvitationPolicy
from bot.services.digits import ascii_digits
from bot.services.questions import looks_like_question
from bot.services.survey_definitions import (
    Question,
    QuestionType,
    SurveyDefinition,
    parse_stored_survey,
)
from bot.storage import survey_repository
from bot.storage.db import Database
from bot.storage.models import User
from bot.storage.survey_models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    SurveyWave,
)
from bot.storage.survey_repository import row_id

log = logging.getLogger(__name__)


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
    wave: int = 0  # the wave being answered: goes into button data

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
    wave: int = 0  # the wave the question was sent in; 0: the newest open one


class StepKind(StrEnum):
    QUESTION = "question"  # show `question`
    RETRY = "retry"  # the answer was not accepted; say `reason` and show `question` again
    # The typed message is no answer but a question of the learner's own: answer it, then
    # say `reason` and show `question` again (the survey goes on where it was).
    ASIDE = "aside"
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
    # What the answer just saved was, as the learner saw it: the chosen options' labels, or
    # () for a skipped question; None when nothing was chosen (typed numbers and text, retries).
    echo: tuple[str, ...] | None = None


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


def _echo(question: Question, value: Any, language: str) -> tuple[str, ...] | None:
    """The labels of the buttons an answer stands for (() when skipped; None when typed)."""
    if value is _SKIPPED:
        return ()
    if question.type.is_typed:
        return None
    values = {str(item) for item in (value if isinstance(value, list) else [value])}
    return tuple(
        option.text.get(language)
        for index, option in enumerate(question.choices())
        if str(question.choice_value(index)) in values
    )


def parse_number(text: str) -> float | None:
    """A typed number: '25,000', '25000 PKR', Urdu digits '۲۵۰۰۰'."""
    cleaned = ascii_digits(text).replace(",", "").replace("٬", "").strip()
    cleaned = cleaned.split()[0] if cleaned.split() else ""
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def typed_choice(question: Question, text: str) -> int | None:
    """The button a typed message names: a scale's number ("4", Urdu "۴") or an option's label
    in either language ("yes", "ہاں"); None when it names none."""
    cleaned = ascii_digits(text).strip().rstrip(".!").strip().casefold()
    for index, option in enumerate(question.choices()):
        labels = {option.id, option.text.en, option.text.ur}
        if cleaned in {label.casefold() for label in labels}:
            return index
    return None


class _Retry:
    def __init__(self, reason: str, **details: Any) -> None:
        self.reason = reason
        self.details = details


class _Aside:
    """A typed message that asks something instead of answering the question."""


_SKIPPED = object()

# What a step does with the learner's open response, inside one database session.
_Action = Callable[[AsyncSession, _Progress], Awaitable[SurveyStep]]


class SurveyAnswering:
    """A learner answering (a part of `SurveyService`)."""

    _database: Database
    _clock: Callable[[], datetime]

    async def open_invitation(self, user_id: int, wave_id: int) -> SurveyStep:
        """The learner pressed "Start" on an invitation: begin, or resume where they stopped."""
        now = self._clock()
        async with self._database.session() as session:
            wave = await session.get(SurveyWave, wave_id)
            if wave is None:
                return refused("survey-not-found")
            invitation = await survey_repository.invitation_of(
                session, wave_id=wave_id, user_id=user_id
            )
            survey = await session.get(SurveyVersion, wave.survey_version_id)
            assert survey is not None
            definition = parse_stored_survey(survey.source)
            refusal = SurveyInvitationPolicy.refusal(
                user_id,
                wave_id,
                owner_id=invitation.user_id if invitation else None,
                completed=invitation is not None and invitation.completed_at is not None,
                closed=self._closed_reason(survey, wave, definition, now),
            )
            if refusal or invitation is None:
                return refused(refusal or "survey-not-invited")
            if invitation.opened_at is None:
                invitation.opened_at = now
            response = None
            if invitation.response_id is not None:
                response = await session.get(SurveyResponse, invitation.response_id)
            if response is None:
                user = await session.get(User, user_id)
                response = SurveyResponse(
                    wave_id=wave_id,
                    survey_version_id=row_id(survey.id),
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

        async def show(_session: AsyncSession, progress: _Progress) -> SurveyStep:
            return self._step(progress, language)

        return await self._in_response(user_id, slug, show)

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

        async def show_ticked(_session: AsyncSession, progress: _Progress) -> SurveyStep:
            return self._step(progress, language, mask=mask)

        return await self._at_question(user_id, ref, show_ticked)

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
        """A typed message: a number or a free-text answer, checked against the question.

        A question answered with buttons also takes its button typed (a rating's "4", a
        yes/no's "yes"); a message that asks something instead (it ends in "?" or uses a
        question word) is an ASIDE: the learner's own question, for the knowledge base.
        """

        def value_of(question: Question) -> Any:
            cleaned = text.strip()
            if not question.type.is_typed:
                chosen = typed_choice(question, cleaned)
                if chosen is not None and question.type is not QuestionType.MULTIPLE_CHOICE:
                    return question.choice_value(chosen)
                if looks_like_question(cleaned):
                    return _Aside()
                scale = question.choices()
                if question.type in (QuestionType.RATING, QuestionType.NPS) and (
                    parse_number(cleaned) is not None
                ):
                    return _Retry("survey-scale-range", min=scale[0].id, max=scale[-1].id)
                return _Retry("survey-use-buttons")
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
            if number is None and looks_like_question(cleaned):
                return _Aside()
            if number is None:
                return _Retry("survey-number-invalid", **limits)
            if not question.minimum <= number <= question.maximum:
                return _Retry("survey-number-range", **limits)
            return int(number) if number.is_integer() else number

        async def answer_current(session: AsyncSession, progress: _Progress) -> SurveyStep:
            index = progress.current_index()
            if index is None:
                return refused("survey-already-answered")
            return await self._save(session, progress, index, language, value_of)

        return await self._first_answer_counts(user_id, slug, 0, language, answer_current)

    async def skip(self, user_id: int, ref: QuestionRef, language: str) -> SurveyStep:
        def value_of(question: Question) -> Any:
            return _Retry("survey-required") if question.required else _SKIPPED

        return await self._answer(user_id, ref, language, value_of)

    async def back(self, user_id: int, ref: QuestionRef, language: str) -> SurveyStep:
        """Forget the answer to the previous shown question and ask it again."""

        async def forget_previous(session: AsyncSession, progress: _Progress) -> SurveyStep:
            shown = progress.shown()
            if len(shown) >= 2:
                previous = progress.definition.questions[shown[-2]].id
                await session.delete(progress.answers.pop(previous))
            return self._step(progress, language)

        return await self._at_question(user_id, ref, forget_previous)

    # --- internals ---------------------------------------------------------------------

    async def _in_response(
        self, user_id: int, slug: str, action: _Action, *, wave: int = 0
    ) -> SurveyStep:
        """`action` on the learner's open response to `slug` (in `wave`, when a button names
        it), in one session; or the refusal to show when there is none to answer."""
        async with self._database.session() as session:
            progress = await self._progress(session, user_id, slug, wave)
            if isinstance(progress, SurveyStep):
                return progress
            return await action(session, progress)

    async def _at_question(self, user_id: int, ref: QuestionRef, action: _Action) -> SurveyStep:
        """`_in_response` for a button: `action` only while `ref` is still the question asked."""

        async def if_current(session: AsyncSession, progress: _Progress) -> SurveyStep:
            return self._stale(progress, ref) or await action(session, progress)

        return await self._in_response(user_id, ref.slug, if_current, wave=ref.wave)

    async def _answer(
        self, user_id: int, ref: QuestionRef, language: str, value_of: Callable[[Question], Any]
    ) -> SurveyStep:
        """A button's answer to the question `ref` names."""

        async def save(session: AsyncSession, progress: _Progress) -> SurveyStep:
            return self._stale(progress, ref) or await self._save(
                session, progress, ref.index, language, value_of
            )

        return await self._first_answer_counts(user_id, ref.slug, ref.wave, language, save)

    async def _first_answer_counts(
        self, user_id: int, slug: str, wave: int, language: str, save: _Action
    ) -> SurveyStep:
        """`_in_response` for a step that saves an answer: when two answers race on the same
        question the first one counts and the second is shown the question again."""
        try:
            return await self._in_response(user_id, slug, save, wave=wave)
        except IntegrityError:

            async def stale_button(_session: AsyncSession, progress: _Progress) -> SurveyStep:
                return self._with_kind(
                    self._step(progress, language), StepKind.RETRY, "survey-stale-button"
                )

            return await self._in_response(user_id, slug, stale_button, wave=wave)

    async def _save(
        self,
        session: AsyncSession,
        progress: _Progress,
        index: int,
        language: str,
        value_of: Callable[[Question], Any],
    ) -> SurveyStep:
        """Store the answer `value_of` makes of question `index`, or say why it is none."""
        question = progress.definition.questions[index]
        value = value_of(question)
        if value is None:
            return self._with_kind(
                self._step(progress, language), StepKind.RETRY, "survey-use-buttons"
            )
        if isinstance(value, _Retry):
            return self._with_kind(
                self._step(progress, language), StepKind.RETRY, value.reason, value.details
            )
        if isinstance(value, _Aside):
            return self._with_kind(
                self._step(progress, language),
                StepKind.ASIDE,
                "survey-aside",
                {"title": progress.definition.title.get(language)},
            )
        answer = SurveyAnswer(
            response_id=row_id(progress.response.id),
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
        return replace(step, echo=_echo(question, value, language))

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
        self, session: AsyncSession, user_id: int, slug: str, wave_id: int = 0
    ) -> _Progress | SurveyStep:
        """The learner's open response to `slug` (in `wave_id`, when a button names it), or
        why there is none to answer."""
        rows = await survey_repository.invitations_to(
            session, user_id=user_id, slug=slug, wave_id=wave_id or None
        )
        if not rows:
            return refused(
                SurveyInvitationPolicy.refusal(
                    user_id, wave_id, owner_id=None, completed=False, closed=None
                )
                or "survey-not-invited"
            )
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
        rows = await survey_repository.answers_of(session, [row_id(response.id)])
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
            wave=row_id(progress.wave.id),
        )
        return SurveyStep(StepKind.QUESTION, question=view)
