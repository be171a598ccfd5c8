"""Builds every long-lived object once at start-up; handlers and the CLI receive them from here."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.config import Settings
from bot.delivery import Outbox, OutgoingMessage, Scheduler
from bot.delivery.budget import (
    LocalSendBudget,
    SendBudget,
    close_send_budget,
    create_send_budget,
)
from bot.i18n import Catalogue
from bot.metrics import BotMetrics
from bot.services.broadcasts import BroadcastService
from bot.services.course_wiring import build_course_service
from bot.services.dashboard import DashboardService
from bot.services.licences_funnel import FunnelService
from bot.services.licences_nudges import NudgeService
from bot.services.questions import Answerer, QuestionService
from bot.services.survey_results import SurveyResultsService
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import SurveyService
from bot.services.users import UserService
from bot.storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class AppServices:
    """Everything a handler or command may need, wired from one `Settings`."""

    settings: Settings
    database: Database
    catalogue: Catalogue
    answerer: Answerer
    users: UserService
    questions: QuestionService
    outbox: Outbox
    scheduler: Scheduler
    broadcasts: BroadcastService
    metrics: BotMetrics = field(default_factory=BotMetrics)
    # One per bot token, shared through Redis with every other process (bot.delivery.budget).
    send_budget: SendBudget = field(default_factory=LocalSendBudget)
    extras: dict[str, Any] = field(default_factory=dict)

    def workflow_data(self) -> dict[str, Any]:
        """What aiogram hands to handlers by parameter name."""
        return {
            "settings": self.settings,
            "catalogue": self.catalogue,
            "users": self.users,
            "questions": self.questions,
            "metrics": self.metrics,
            "outbox": self.outbox,
            "broadcasts": self.broadcasts,
            **self.extras,
        }

    async def close(self) -> None:
        closer = getattr(self.answerer, "close", None)
        if closer is not None:
            await closer()
        await close_send_budget(self.send_budget)
        await self.database.close()


def build_answerer(settings: Settings) -> Answerer:
    """The knowledge engine configured from settings (imported late: it loads a model)."""
    from bot.services.knowledge_bridge import build_knowledge_engine

    engine: Answerer = build_knowledge_engine(settings)
    return engine


async def build_services(settings: Settings, *, answerer: Answerer | None = None) -> AppServices:
    """Open the database (migrating it), load catalogues and the knowledge engine."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(
        settings.effective_database_url,
        pool_size=settings.database.pool_size,
        max_overflow=settings.database.max_overflow,
    )
    await database.migrate()
    users = UserService(database, admin_ids=settings.admin_ids)
    answerer = answerer if answerer is not None else build_answerer(settings)
    catalogue = Catalogue.load()
    courses = build_course_service(settings, database)
    from bot.telegram.people_wiring import build_people_services

    # One registry per app: several apps in one process (tests) never clash over metric names.
    metrics = BotMetrics()
    outbox = Outbox(database, send_rate_per_second=settings.delivery.send_rate_per_second)
    # Features register their periodic `run_due` callables here; the delivery worker runs them.
    scheduler = Scheduler()
    broadcasts = build_broadcasts(settings, database, outbox, catalogue)
    scheduler.register("webinar-reminders", broadcasts.run_due, every_seconds=60)
    async with database.first_start_lock():
        # Loads the bundled courses and universities into an empty database.
        await courses.ensure_catalogue()
        people = await build_people_services(
            settings,
            database,
            catalogue,
            answerer,
            users,
            enqueue=outbox.enqueue_job,
            message_factory=OutgoingMessage,
        )
    scheduler.register("tickets-to-desk", people["tickets"].run_due, every_seconds=300)
    survey_scheduler = SurveyScheduler(database, outbox, catalogue)
    scheduler.register("survey-invitations", survey_scheduler.run_due, every_seconds=300)
    licences = build_licence_services(settings, database, catalogue, outbox)
    # Nudge rules plan their waves from the latest Coursera reports (quiet hours respected).
    scheduler.register("licence-nudges", licences["nudges"].run_due, every_seconds=6 * 3600)
    from bot.services.course_licence import licence_months_lookup

    # A path fits the months left on the learner's own licence where a record says.
    courses.set_licence_lookup(licence_months_lookup(licences["licence_status"]))
    return AppServices(
        settings=settings,
        database=database,
        catalogue=catalogue,
        answerer=answerer,
        users=users,
        questions=QuestionService(
            database, answerer, metrics, scoped_out=people["faq_review"].scoped_out
        ),
        outbox=outbox,
        scheduler=scheduler,
        broadcasts=broadcasts,
        metrics=metrics,
        send_budget=create_send_budget(settings),
        extras={
            "courses": courses,
            **people,
            "surveys": SurveyService(database),
            "survey_results": SurveyResultsService(database),
            "dashboard": DashboardService(
                database,
                broadcasts=broadcasts,
                surveys=SurveyService(database),
                survey_results=SurveyResultsService(database),
                funnel=FunnelService(database),
                nudges=NudgeService(database, outbox, catalogue),
            ),
            **licences,
        },
    )


def build_licence_services(
    settings: Settings, database: Database, catalogue: Catalogue, outbox: Outbox
) -> dict[str, Any]:
    """The licence feature's services, by the handler parameter names that receive them."""
    from bot.services.licences_applications import ApplicationService
    from bot.services.licences_funnel import FunnelService
    from bot.services.licences_intakes import IntakeService
    from bot.services.licences_mail import build_mailer
    from bot.services.licences_nudges import NudgeService
    from bot.services.licences_status import LicenceStatusService

    intakes = IntakeService(database)
    mailer = build_mailer(settings.smtp, settings.data_dir)
    return {
        "intakes": intakes,
        "applications": ApplicationService(database, intakes, mailer, catalogue),
        "licence_status": LicenceStatusService(database),
        "funnel": FunnelService(database),
        "nudges": NudgeService(database, outbox, catalogue),
    }


def build_broadcasts(
    settings: Settings, database: Database, outbox: Outbox, catalogue: Catalogue
) -> BroadcastService:
    """Broadcasts get their notice buttons from the handlers' callback factories."""
    from functools import partial

    from handlers.broadcast_callbacks import webinar_keyboard

    return BroadcastService(
        database,
        outbox,
        catalogue,
        webinar_keyboard=partial(webinar_keyboard, catalogue),
        files_dir=settings.data_dir / "broadcast-files",
    )
