"""Builds every long-lived object once at start-up; handlers and the CLI receive them from here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, TypedDict, cast, runtime_checkable

from bot.config import Settings
from bot.delivery import Outbox, Scheduler
from bot.delivery.budget import (
    LocalSendBudget,
    SendBudget,
    close_send_budget,
    create_send_budget,
)
from bot.i18n import Catalogue
from bot.metrics import BotMetrics
from bot.outages import Outages
from bot.services.broadcasts import BroadcastService
from bot.services.course_wiring import build_course_service
from bot.services.courses import CourseService
from bot.services.dashboard import DashboardService
from bot.services.faq import FaqIndexer, FaqService
from bot.services.faq_review import FaqReviewService
from bot.services.insights import InsightsService
from bot.services.licences_applications import ApplicationService
from bot.services.licences_funnel import FunnelService
from bot.services.licences_intakes import IntakeService
from bot.services.licences_nudges import NudgeService
from bot.services.licences_status import LicenceStatusService
from bot.services.onboarding import OnboardingService
from bot.services.privacy import PrivacyService
from bot.services.questions import Answerer, QuestionService
from bot.services.roles import RoleService
from bot.services.survey_results import SurveyResultsService
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import SurveyService
from bot.services.tickets import TicketService
from bot.services.universities import UniversityService
from bot.services.users import UserService
from bot.services.webinars import WebinarService
from bot.storage.db import Database

log = logging.getLogger(__name__)


class HandlerServices(TypedDict):
    """The services aiogram hands to handlers, by parameter name (`handler(..., users=...)`):
    the fields of `AppServices` but those kept from handlers (`AppServices.NOT_FOR_HANDLERS`)."""

    settings: Settings
    catalogue: Catalogue
    users: UserService
    questions: QuestionService
    metrics: BotMetrics
    outbox: Outbox
    broadcasts: BroadcastService
    webinars: WebinarService
    courses: CourseService
    universities: UniversityService
    onboarding: OnboardingService
    roles: RoleService
    tickets: TicketService
    faq: FaqService
    faq_review: FaqReviewService
    insights: InsightsService
    privacy: PrivacyService
    surveys: SurveyService
    survey_results: SurveyResultsService
    dashboard: DashboardService
    intakes: IntakeService
    applications: ApplicationService
    licence_status: LicenceStatusService
    funnel: FunnelService
    nudges: NudgeService


@dataclass
class AppServices:
    """Everything a handler or command may need, wired from one `Settings`."""

    # Handlers reach the database, the answerer and the delivery machinery only through
    # services; every other field is also a `HandlerServices` key, with the same type.
    NOT_FOR_HANDLERS: ClassVar[frozenset[str]] = frozenset(
        {"database", "answerer", "scheduler", "send_budget", "outages"}
    )

    settings: Settings
    database: Database
    catalogue: Catalogue
    answerer: Answerer
    users: UserService
    questions: QuestionService
    outbox: Outbox
    scheduler: Scheduler
    broadcasts: BroadcastService
    webinars: WebinarService
    courses: CourseService
    universities: UniversityService
    onboarding: OnboardingService
    roles: RoleService
    tickets: TicketService
    faq: FaqService
    faq_review: FaqReviewService
    insights: InsightsService
    privacy: PrivacyService
    surveys: SurveyService
    survey_results: SurveyResultsService
    dashboard: DashboardService
    intakes: IntakeService
    applications: ApplicationService
    licence_status: LicenceStatusService
    funnel: FunnelService
    nudges: NudgeService
    metrics: BotMetrics = field(default_factory=BotMetrics)
    # One per bot token, shared through Redis with every other process (bot.delivery.budget).
    send_budget: SendBudget = field(default_factory=LocalSendBudget)
    # This process's view of PostgreSQL and Redis: one log line per outage (bot.outages).
    outages: Outages = field(default_factory=Outages)

    def workflow_data(self) -> HandlerServices:
        """What aiogram hands to handlers by parameter name: the fields `HandlerServices` names
        (tests/unit/test_container.py keeps the two lists and their types the same)."""
        return cast(
            HandlerServices,
            {name: getattr(self, name) for name in HandlerServices.__required_keys__},
        )

    async def close(self) -> None:
        closer = getattr(self.answerer, "close", None)
        if closer is not None:
            await closer()
        await close_send_budget(self.send_budget)
        await self.database.close()


@runtime_checkable
class KnowsPlaceNames(Protocol):
    """An answerer that should not take a university's name for a topic (the knowledge engine)."""

    def set_known_names(self, names: Iterable[str]) -> None: ...


def build_answerer(settings: Settings) -> Answerer:
    """The knowledge engine configured from settings (imported late: it loads a model)."""
    from bot.services.knowledge_bridge import build_knowledge_engine

    engine: Answerer = build_knowledge_engine(settings)
    return engine


async def build_services(settings: Settings, *, answerer: Answerer | None = None) -> AppServices:
    """Open the database (migrating it), load catalogues and the knowledge engine."""
    from bot.services.course_licence import licence_months_lookup
    from bot.services.licences_mail import build_mailer
    from handlers.buttons import TelegramButtons
    from handlers.tickets_rendering import TelegramTicketRenderer

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    outages = Outages()
    database = Database.from_settings(settings, outage_watch=outages.database)
    await database.migrate()
    users = UserService(database, admin_ids=settings.admin_ids)
    answerer = answerer if answerer is not None else build_answerer(settings)
    catalogue = Catalogue.from_settings(settings)
    courses = build_course_service(settings, database)
    universities = UniversityService(database)
    # One registry per app: several apps in one process (tests) never clash over metric names.
    metrics = BotMetrics()
    outbox = Outbox(database, send_rate_per_second=settings.delivery.send_rate_per_second)
    # Features register their periodic `run_due` callables here; the delivery worker runs them.
    scheduler = Scheduler()
    broadcasts = build_broadcasts(settings, database, outbox, catalogue)
    webinars = WebinarService(database, outbox, catalogue)
    scheduler.register("webinar-reminders", webinars.run_due, every_seconds=60)
    async with database.first_start_lock():
        # Loads the bundled courses and universities into an empty database.
        await courses.ensure_catalogue()
        await universities.ensure_loaded()
    # The rules apply to every university alike and never list them: the engine must not take
    # a learner naming theirs for a question about something the rules leave out.
    if isinstance(answerer, KnowsPlaceNames):
        answerer.set_known_names(await universities.place_names())
    tickets = TicketService(
        database, enqueue=outbox.enqueue_job, renderer=TelegramTicketRenderer(catalogue)
    )
    scheduler.register("tickets-to-desk", tickets.run_due, every_seconds=300)
    survey_scheduler = SurveyScheduler(
        database, outbox, catalogue, buttons=TelegramButtons(catalogue)
    )
    scheduler.register("survey-invitations", survey_scheduler.run_due, every_seconds=300)
    # The knowledge engine indexes FAQ files; a test double without `index_paths` does not.
    indexer = answerer if isinstance(answerer, FaqIndexer) else None
    intakes = IntakeService(database)
    licence_status = LicenceStatusService(database)
    # A path fits the months left on the learner's own licence where a record says.
    courses.set_licence_lookup(licence_months_lookup(licence_status))
    surveys = SurveyService(database)
    survey_results = SurveyResultsService(database)
    funnel = FunnelService(database)
    nudges = NudgeService(database, outbox, catalogue, buttons=TelegramButtons(catalogue))
    # Nudge rules plan their waves from the latest Coursera reports (quiet hours respected).
    scheduler.register("licence-nudges", nudges.run_due, every_seconds=6 * 3600)
    faq = FaqService(database, settings.data_dir / "faq", indexer)
    faq_review = FaqReviewService(database, faq)
    return AppServices(
        settings=settings,
        database=database,
        catalogue=catalogue,
        answerer=answerer,
        users=users,
        questions=QuestionService(
            database,
            answerer,
            metrics,
            scoped_out=faq_review.scoped_out,
            answer_timeout_seconds=settings.knowledge.answer_timeout_seconds,
        ),
        outbox=outbox,
        scheduler=scheduler,
        broadcasts=broadcasts,
        webinars=webinars,
        courses=courses,
        universities=universities,
        onboarding=OnboardingService(database),
        roles=RoleService(database),
        tickets=tickets,
        faq=faq,
        faq_review=faq_review,
        insights=InsightsService(database),
        privacy=PrivacyService(database, salt=settings.user_hash_salt, data_dir=settings.data_dir),
        surveys=surveys,
        survey_results=survey_results,
        dashboard=DashboardService(
            database,
            broadcasts=broadcasts,
            webinars=webinars,
            surveys=surveys,
            survey_results=survey_results,
            funnel=funnel,
            nudges=nudges,
        ),
        intakes=intakes,
        applications=ApplicationService(
            database, intakes, build_mailer(settings.smtp, settings.data_dir), catalogue
        ),
        licence_status=licence_status,
        funnel=funnel,
        nudges=nudges,
        metrics=metrics,
        send_budget=create_send_budget(settings, outage_watch=outages.redis),
        outages=outages,
    )


def build_broadcasts(
    settings: Settings, database: Database, outbox: Outbox, catalogue: Catalogue
) -> BroadcastService:
    """Broadcasts get their notice buttons from the Telegram layer's `TelegramButtons`."""
    from handlers.buttons import TelegramButtons

    return BroadcastService(
        database,
        outbox,
        catalogue,
        buttons=TelegramButtons(catalogue),
        files_dir=settings.data_dir / "broadcast-files",
    )
