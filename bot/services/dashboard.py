"""What the dashboard shows, for whom: overview, knowledge gaps, surveys, broadcasts, webinars.

Telegram-free and web-free: the web layer turns these dataclasses into JSON. Every method takes
the caller (an `Actor`) and applies the chat's rules: a focal person sees their own university
only, an HEC admin everything, anyone else nothing (`NotAllowedError`).
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.errors import InvalidInputError, NotAllowedError
from bot.i18n import PAKISTAN_TIME
from bot.services.broadcasts import BroadcastService, BroadcastSummary
from bot.services.insights import normalise_question
from bot.services.licences_funnel import Funnel, FunnelService
from bot.services.licences_nudges import NudgeReport, NudgeService
from bot.services.permissions import Actor, Permission, require, scope_for
from bot.services.survey_results import ExportFormat, SurveyResults, SurveyResultsService
from bot.services.surveys import SurveyService, SurveySummary
from bot.services.webinars import WebinarService, WebinarSummary
from bot.storage import dashboard_queries as queries
from bot.storage.db import Database
from bot.storage.models import Role
from bot.storage.types import utcnow

SIGN_IN_LINK_MINUTES = 10
GAPS_SHOWN = 50


@dataclass(frozen=True)
class DashboardFilters:
    """What the person asked to see; the service narrows it to what they may see."""

    university_id: int | None = None
    city: str | None = None
    since: date | None = None  # Pakistan dates, inclusive
    until: date | None = None


@dataclass(frozen=True)
class UniversityOption:
    id: int
    name: str
    city: str


@dataclass(frozen=True)
class DayCount:
    day: date
    answered: int
    declined: int


@dataclass(frozen=True)
class Overview:
    learners_onboarded: int
    questions: int
    answered: int
    declined: int
    thumbs_up: int
    thumbs_down: int
    open_tickets: int
    per_day: list[DayCount] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    question: str
    count: int
    last_asked: datetime


@dataclass(frozen=True)
class WaveRate:
    label: str
    invited: int
    completed: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.invited if self.invited else None


@dataclass(frozen=True)
class SurveyPage:
    results: SurveyResults
    waves: list[WaveRate]


class DashboardService:
    def __init__(
        self,
        database: Database,
        *,
        broadcasts: BroadcastService,
        webinars: WebinarService,
        surveys: SurveyService,
        survey_results: SurveyResultsService,
        funnel: FunnelService,
        nudges: NudgeService,
    ) -> None:
        self._database = database
        self._broadcasts = broadcasts
        self._webinars = webinars
        self._surveys = surveys
        self._survey_results = survey_results
        self._funnel = funnel
        self._nudges = nudges

    # --- scope -------------------------------------------------------------------------

    @staticmethod
    def require_staff(actor: Actor | None) -> None:
        """Focal persons and admins only: learners and strangers see nothing."""
        if actor is None or Role(actor.role) not in (Role.ADMIN, Role.FOCAL_PERSON):
            raise NotAllowedError("dashboard refused")

    async def _university_ids(
        self, actor: Actor, filters: DashboardFilters, permission: Permission
    ) -> list[int] | None:
        """The universities a view covers (None: all), refusing what the actor may not see."""
        self.require_staff(actor)
        university_id = scope_for(actor, permission, filters.university_id)
        if filters.city:
            async with self._database.session() as session:
                in_city = await queries.university_ids_in_city(session, filters.city)
            if university_id is None:
                return in_city
            return [university_id] if university_id in in_city else []
        return None if university_id is None else [university_id]

    @staticmethod
    def _window(filters: DashboardFilters) -> queries.Window:
        if filters.since and filters.until and filters.since > filters.until:
            raise InvalidInputError("dashboard-error-dates")

        def start_of(day: date) -> datetime:
            return datetime.combine(day, time.min, PAKISTAN_TIME).astimezone(UTC)

        return queries.Window(
            start=start_of(filters.since) if filters.since else None,
            end=start_of(filters.until + timedelta(days=1)) if filters.until else None,
        )

    async def universities(self, actor: Actor) -> list[UniversityOption]:
        """The universities the actor may filter by (a focal person: their own)."""
        self.require_staff(actor)
        async with self._database.session() as session:
            found = await queries.universities(session)
        return [
            UniversityOption(u.id or 0, u.short_name or u.name, u.city)
            for u in found
            if Role(actor.role) is Role.ADMIN or u.id == actor.university_id
        ]

    # --- pages -------------------------------------------------------------------------

    async def overview(self, actor: Actor, filters: DashboardFilters) -> Overview:
        ids = await self._university_ids(actor, filters, Permission.VIEW_INSIGHTS)
        window = self._window(filters)
        async with self._database.session() as session:
            onboarded = await queries.learners_onboarded(session, ids, window)
            rows = await queries.question_rows(session, ids, window)
            tickets = await queries.open_tickets(session, ids)
        answered: Counter[date] = Counter()
        declined: Counter[date] = Counter()
        for row in rows:
            # A "👍" or "ok" was asked for a full question, not answered: counted as a question,
            # neither answered nor declined, as /insights counts it (it was "answered" here).
            if row.content_free:
                continue
            day = row.created_at.astimezone(PAKISTAN_TIME).date()
            (declined if row.abstained else answered)[day] += 1
        days = sorted(set(answered) | set(declined))
        return Overview(
            learners_onboarded=onboarded,
            questions=len(rows),
            answered=sum(answered.values()),
            declined=sum(declined.values()),
            thumbs_up=sum(1 for row in rows if row.feedback == 1),
            thumbs_down=sum(1 for row in rows if row.feedback == -1),
            open_tickets=tickets,
            per_day=[DayCount(day, answered[day], declined[day]) for day in days],
        )

    async def gaps(self, actor: Actor, filters: DashboardFilters) -> list[Gap]:
        """Declined questions grouped by wording, most frequent first."""
        ids = await self._university_ids(actor, filters, Permission.VIEW_INSIGHTS)
        async with self._database.session() as session:
            rows = await queries.declined_questions(session, ids, self._window(filters))
        counts: Counter[str] = Counter()
        example: dict[str, str] = {}
        last: dict[str, datetime] = {}
        for row in rows:
            key = normalise_question(row.question)
            counts[key] += 1
            example.setdefault(key, row.question)
            last[key] = max(last.get(key, row.created_at), row.created_at)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], -last[item[0]].timestamp()))
        return [Gap(example[key], count, last[key]) for key, count in ranked[:GAPS_SHOWN]]

    async def surveys(self, actor: Actor, filters: DashboardFilters) -> list[SurveySummary]:
        """Every survey with its completed responses, counted as its results page counts them:
        a focal person's university's only (the list showed the programme's to everyone)."""
        self.require_staff(actor)
        university_id = scope_for(
            actor, Permission.VIEW_RESULTS_OWN_UNIVERSITY, filters.university_id
        )
        return await self._surveys.list_surveys(university_id)

    async def survey(
        self, actor: Actor, slug: str, filters: DashboardFilters, *, language: str
    ) -> SurveyPage:
        # Survey results are kept per university, not per city: the city filter does not apply.
        self.require_staff(actor)
        university_id = scope_for(
            actor, Permission.VIEW_RESULTS_OWN_UNIVERSITY, filters.university_id
        )
        ids = None if university_id is None else [university_id]
        results = await self._survey_results.results(
            slug, university_id=university_id, language=language
        )
        async with self._database.session() as session:
            waves = await queries.wave_response_rates(session, slug, ids)
        return SurveyPage(
            results=results,
            waves=[WaveRate(w.label, w.invited, w.completed) for w in waves],
        )

    async def survey_export(
        self, actor: Actor, slug: str, filters: DashboardFilters, export_format: ExportFormat
    ) -> tuple[str, bytes]:
        """The survey's export file (name, bytes), limited like its results page."""
        self.require_staff(actor)
        university_id = scope_for(
            actor, Permission.VIEW_RESULTS_OWN_UNIVERSITY, filters.university_id
        )
        name = f"{slug}-{university_id or 'all'}.{export_format}"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            await self._survey_results.export(
                slug, path, export_format, university_id=university_id
            )
            return name, path.read_bytes()

    async def broadcasts(self, actor: Actor) -> list[BroadcastSummary]:
        self.require_staff(actor)
        return await self._broadcasts.recent(actor, limit=50)

    async def broadcast(self, actor: Actor, broadcast_id: int) -> BroadcastSummary:
        self.require_staff(actor)
        return await self._broadcasts.show(actor, broadcast_id)

    async def webinars(self, actor: Actor, *, include_past: bool) -> list[WebinarSummary]:
        self.require_staff(actor)
        return await self._webinars.webinars(actor, include_past=include_past)

    async def licences(self, actor: Actor, filters: DashboardFilters, *, as_of: date) -> Funnel:
        """The licence funnel and headline figures from the latest reports on or before `as_of`."""
        self.require_staff(actor)
        university_id = scope_for(actor, Permission.VIEW_INSIGHTS, filters.university_id)
        return await self._funnel.funnel(as_of=as_of, university_id=university_id)

    async def nudge_reports(self, actor: Actor, *, as_of: date) -> list[NudgeReport]:
        """Each nudge rule's outcome against its holdout (programme-wide: HEC admins only)."""
        require(actor, Permission.VIEW_RESULTS_ANY)
        rules = await self._nudges.list_rules()
        return [await self._nudges.report(rule.slug, as_of=as_of) for rule, *_ in rules]

    # --- sign-in outside Telegram --------------------------------------------------------

    async def create_sign_in_link(self, actor: Actor) -> str:
        """A one-time token valid for `SIGN_IN_LINK_MINUTES`, for staff only."""
        self.require_staff(actor)
        assert actor.id is not None
        token = secrets.token_urlsafe(24)
        async with self._database.session() as session:
            await queries.add_sign_in(
                session,
                token_hash=_hash(token),
                user_id=actor.id,
                expires_at=utcnow() + timedelta(minutes=SIGN_IN_LINK_MINUTES),
            )
        return token

    async def redeem_sign_in_link(self, token: str) -> int | None:
        """The user id a valid, unused link was made for (it is then used up)."""
        async with self._database.session() as session:
            return await queries.use_sign_in(session, token_hash=_hash(token), now=utcnow())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
