"""When survey invitations and reminders go out, and to whom. Sending is the outbox's job.

`SurveyScheduler.run_due(now)` is registered with the delivery `Scheduler`; tests call it with
any `now` they like. Rules:
- a wave started "now" invites the audience as it was when the wave started; a follow-up wave
  invites each learner `offset_days` after they onboarded;
- nobody gets more than one survey invitation in `invitation_gap` (a week): the others wait for a
  later run;
- one reminder, `reminder_after` (3 days) after the invitation, to those who have not finished;
- never to learners who blocked the bot or turned surveys off.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import PRIORITY_REMINDER, PRIORITY_SURVEY, Outbox, OutgoingMessage
from bot.i18n import Catalogue, Texts
from bot.services.audience import Audience
from bot.services.buttons import Buttons
from bot.services.survey_definitions import SurveyDefinition, parse_stored_survey
from bot.storage import survey_repository
from bot.storage.consent import contactable
from bot.storage.db import Database
from bot.storage.models import User
from bot.storage.survey_models import SurveyInvitation, SurveyWave, WaveTrigger

log = logging.getLogger(__name__)

INVITE_KIND = "survey_invite"
REMINDER_KIND = "survey_reminder"


@dataclass(frozen=True)
class _Candidate:
    user_id: int
    language: str


class SurveyScheduler:
    def __init__(
        self,
        database: Database,
        outbox: Outbox,
        catalogue: Catalogue,
        *,
        buttons: Buttons,
        invitation_gap: timedelta = timedelta(days=7),
        reminder_after: timedelta = timedelta(days=3),
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._catalogue = catalogue
        self._buttons = buttons
        self._gap = invitation_gap
        self._reminder_after = reminder_after

    async def run_due(self, now: datetime) -> int:
        """Invite and remind whoever is due at `now`; returns how many messages were queued."""
        return await self.invite_due(now) + await self.remind_due(now)

    async def invite_due(self, now: datetime) -> int:
        queued = 0
        async with self._database.session() as session:
            invited_now: set[int] = set()
            for wave, survey in await survey_repository.open_waves(session, now):
                candidates = await self._candidates(session, wave, now, invited_now)
                if not candidates:
                    continue
                assert wave.id is not None
                definition = parse_stored_survey(survey.source)
                messages = []
                for candidate in candidates:
                    session.add(
                        SurveyInvitation(wave_id=wave.id, user_id=candidate.user_id, invited_at=now)
                    )
                    texts = self._catalogue.for_language(candidate.language)
                    messages.append(
                        _invitation_message(
                            texts, definition, candidate.user_id, wave.id, self._buttons
                        )
                    )
                    invited_now.add(candidate.user_id)
                await session.flush()
                await self._outbox.enqueue_job(
                    kind=INVITE_KIND,
                    reference=f"survey:{wave.slug}:wave:{wave.id}",
                    messages=messages,
                    created_by=wave.created_by,
                    priority=PRIORITY_SURVEY,
                    session=session,
                )
                queued += len(messages)
                log.info(
                    "survey %s wave %s: %d invitations queued", wave.slug, wave.id, len(messages)
                )
        return queued

    async def remind_due(self, now: datetime) -> int:
        queued = 0
        async with self._database.session() as session:
            for wave, survey in await survey_repository.open_waves(session, now):
                rows = (
                    await session.exec(
                        select(SurveyInvitation, col(User.language))
                        .join(User, col(User.id) == col(SurveyInvitation.user_id))
                        .where(
                            col(SurveyInvitation.wave_id) == wave.id,
                            col(SurveyInvitation.completed_at).is_(None),
                            col(SurveyInvitation.reminded_at).is_(None),
                            col(SurveyInvitation.invited_at) <= now - self._reminder_after,
                            *contactable(),
                            col(User.surveys_enabled).is_(True),
                        )
                    )
                ).all()
                if not rows:
                    continue
                assert wave.id is not None
                definition = parse_stored_survey(survey.source)
                messages = []
                for invitation, language in rows:
                    invitation.reminded_at = now
                    session.add(invitation)
                    texts = self._catalogue.for_language(language)
                    key = "survey-reminder-started" if invitation.opened_at else "survey-reminder"
                    messages.append(
                        OutgoingMessage(
                            chat_id=invitation.user_id,
                            text=_with_deadline(
                                texts,
                                definition,
                                texts(key, title=definition.title.get(texts.language)),
                            ),
                            reply_markup=self._buttons.survey_start(
                                wave.id, texts.language, resume=True
                            ),
                        )
                    )
                await session.flush()
                await self._outbox.enqueue_job(
                    kind=REMINDER_KIND,
                    reference=f"survey:{wave.slug}:wave:{wave.id}",
                    messages=messages,
                    created_by=wave.created_by,
                    priority=PRIORITY_REMINDER,
                    session=session,
                )
                queued += len(messages)
        return queued

    async def _candidates(
        self, session: AsyncSession, wave: SurveyWave, now: datetime, exclude: set[int]
    ) -> list[_Candidate]:
        if WaveTrigger(wave.trigger) is WaveTrigger.ON_REQUEST:
            return []  # learners are added one by one by `invite_on_request`
        audience = Audience.from_json(wave.audience)
        conditions: list[ColumnElement[bool]] = [
            *contactable(),
            col(User.surveys_enabled).is_(True),
            ~exists().where(
                col(SurveyInvitation.wave_id) == wave.id,
                col(SurveyInvitation.user_id) == col(User.id),
            ),
            ~exists().where(
                and_(
                    col(SurveyInvitation.user_id) == col(User.id),
                    col(SurveyInvitation.invited_at) > now - self._gap,
                )
            ),
        ]
        if WaveTrigger(wave.trigger) is WaveTrigger.NOW:
            conditions.append(col(User.created_at) <= wave.created_at)
        else:
            conditions.append(col(User.onboarded_at).is_not(None))
            conditions.append(col(User.onboarded_at) <= now - timedelta(days=wave.offset_days or 0))
        conditions.extend(audience.conditions())
        rows = (
            await session.exec(
                select(col(User.id), col(User.language)).where(*conditions).order_by(col(User.id))
            )
        ).all()
        return [
            _Candidate(user_id, language) for user_id, language in rows if user_id not in exclude
        ]


async def invite_on_request(
    session: AsyncSession,
    catalogue: Catalogue,
    buttons: Buttons,
    *,
    slug: str,
    label: str,
    user_ids: Sequence[int],
    now: datetime,
) -> list[OutgoingMessage]:
    """Invite these learners to the survey's current version, in the wave `label` (created on
    first use, trigger `on_request`: it never targets an audience of its own). Skips learners
    who may not be contacted or turned surveys off, and learners already invited to a wave of
    that label (of any version). Adds the invitation rows in `session`; returns the invitation
    messages (with their Start button) for the caller to queue in its own outbox job. Nothing
    when the survey does not exist, is closed, or an admin stopped the wave."""
    survey = await survey_repository.current_version(session, slug)
    if survey is None or survey.id is None or not user_ids:
        return []
    if survey.closes_at is not None and survey.closes_at <= now:
        return []
    wave = await survey_repository.on_request_wave(session, survey_id=survey.id, label=label)
    if wave is None:
        wave = SurveyWave(
            survey_version_id=survey.id,
            slug=slug,
            label=label[:64],
            trigger=WaveTrigger.ON_REQUEST.value,
            audience={},
            created_at=now,
        )
        session.add(wave)
        await session.flush()
    if wave.stopped_at is not None or wave.id is None:
        return []
    same_label = select(col(SurveyWave.id)).where(
        col(SurveyWave.slug) == slug, col(SurveyWave.label) == label[:64]
    )
    rows = (
        await session.exec(
            select(col(User.id), col(User.language))
            .where(
                col(User.id).in_(sorted(set(user_ids))),
                *contactable(),
                col(User.surveys_enabled).is_(True),
                ~exists().where(
                    col(SurveyInvitation.user_id) == col(User.id),
                    col(SurveyInvitation.wave_id).in_(same_label),
                ),
            )
            .order_by(col(User.id))
        )
    ).all()
    definition = parse_stored_survey(survey.source)
    messages = []
    for user_id, language in rows:
        session.add(SurveyInvitation(wave_id=wave.id, user_id=user_id, invited_at=now))
        messages.append(
            _invitation_message(
                catalogue.for_language(language), definition, user_id, wave.id, buttons
            )
        )
    await session.flush()
    return messages


def _invitation_message(
    texts: Texts, definition: SurveyDefinition, user_id: int, wave_id: int, buttons: Buttons
) -> OutgoingMessage:
    intro = definition.intro.get(texts.language) if definition.intro else ""
    text = texts("survey-invitation", title=definition.title.get(texts.language), intro=intro)
    return OutgoingMessage(
        chat_id=user_id,
        text=_with_deadline(texts, definition, text),
        reply_markup=buttons.survey_start(wave_id, texts.language),
    )


def _with_deadline(texts: Texts, definition: SurveyDefinition, text: str) -> str:
    """An invitation or reminder of a survey with a close date says until when it is open."""
    if definition.closes_at is None:
        return text
    return f"{text}\n{texts('survey-open-until', until=texts.moment(definition.closes_at))}"
