"""A dashboard with people and activity in it: two universities, staff of each, learners,
questions answered and declined, tickets, an impact survey with responses, and signed
`initData` for any of them, as Telegram would make it."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from sqlmodel import col, select

from bot.config import Settings
from bot.services.audience import Audience
from bot.services.broadcast_drafts import BroadcastDraft, WebinarDraft
from bot.services.licences_reports import ReportImportService
from bot.services.permissions import Actor as BroadcastActor
from bot.services.survey_scheduling import SurveyScheduler
from bot.services.surveys import SurveyService
from bot.storage.db import Database
from bot.storage.licence_models import ReportKind
from bot.storage.models import QuestionLog, Role
from bot.storage.people_models import Ticket, University
from bot.storage.types import utcnow
from bot.telegram.container import AppServices, build_services
from bot.telegram.webserver import dashboard_dependencies
from bot.web.app import mount_dashboard
from handlers.buttons import TelegramButtons
from tests.bounded import bounded
from tests.databases import sqlite_at_head
from tests.factories import make_user
from tests.fakebotapi import DEFAULT_TOKEN
from tests.licences.factories import make_application, make_intake
from tests.production.doubles import EchoAnswerer
from tests.surveys.factories import seed_responses, shipped_survey

ADMIN, FOCAL_A, FOCAL_B, LEARNER_A, LEARNER_B, STRANGER = 9001, 9002, 9003, 9004, 9005, 9999


def sign_init_data(
    user_id: int,
    *,
    token: str = DEFAULT_TOKEN,
    auth_date: float | None = None,
    language: str = "en",
) -> str:
    """`initData` as Telegram signs it for a Mini App opened by `user_id`."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(
            {"id": user_id, "first_name": "Test", "language_code": language},
            separators=(",", ":"),
        ),
        "auth_date": str(int(time.time() if auth_date is None else auth_date)),
    }
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


@dataclass
class World:
    services: AppServices
    server: TestServer
    http: ClientSession
    university_a: int
    university_b: int
    city_a: str

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    async def get(
        self, path: str, *, user_id: int | None = None, header: str | None = None, **params: object
    ) -> tuple[int, object]:
        headers = {}
        if header is not None:
            headers["Authorization"] = header
        elif user_id is not None:
            headers["Authorization"] = f"tma {sign_init_data(user_id)}"
        query = {k: str(v) for k, v in params.items() if v is not None}
        async with self.http.get(self.url(path), headers=headers, params=query) as response:
            body = await response.read()
            try:
                return response.status, json.loads(body)
            except ValueError:
                return response.status, body


async def _seed(services: AppServices, a: int, b: int) -> None:
    database = services.database
    await make_user(database, ADMIN, role=Role.ADMIN)
    await make_user(database, FOCAL_A, role=Role.FOCAL_PERSON, university_id=a)
    await make_user(database, FOCAL_B, role=Role.FOCAL_PERSON, university_id=b, language="ur")
    await make_user(database, LEARNER_A, university_id=a)
    await make_user(database, LEARNER_B, university_id=b)
    now = datetime.now(UTC)
    rows = [
        # (user, university, abstained, feedback, days ago, question)
        (LEARNER_A, a, False, 1, 0, "How do I get a licence?"),
        (LEARNER_A, a, False, -1, 1, "When does my licence end?"),
        (LEARNER_A, a, True, None, 1, "Can I get a laptop?"),
        (LEARNER_A, a, True, None, 2, "can i get a LAPTOP"),
        (LEARNER_B, b, False, None, 0, "Is it free?"),
        (LEARNER_B, b, True, None, 0, "Hostel rooms?"),
        (FOCAL_A, a, True, None, 0, "staff trying the bot"),  # staff: not counted
    ]
    async with database.session() as session:
        for user_id, university, abstained, feedback, days, question in rows:
            session.add(
                QuestionLog(
                    user_id=user_id,
                    university_id=university,
                    question=question,
                    answer="",
                    abstained=abstained,
                    feedback=feedback,
                    created_at=now - timedelta(days=days),
                )
            )
        session.add(Ticket(learner_id=LEARNER_A, university_id=a, question="Can I get a laptop?"))
        session.add(Ticket(learner_id=LEARNER_B, university_id=b, question="Hostel rooms?"))
    surveys = SurveyService(database)
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact")
    buttons = TelegramButtons(services.catalogue)
    await SurveyScheduler(
        database, services.outbox, services.catalogue, buttons=buttons
    ).invite_due(datetime.now(UTC) + timedelta(minutes=1))
    answers = {
        "skills": "a_lot",
        "career_outcome": ["new_job"],
        "freelancer": "no",
        "continue_learning": "yes",
        "recommend": 9,
    }
    await seed_responses(database, "impact", [answers] * 3, university_id=a)
    await seed_responses(database, "impact", [answers], university_id=b)
    await _seed_licences(database, a, b)
    await _seed_broadcast(services, a)


async def _seed_broadcast(services: AppServices, university: int) -> None:
    """Focal person A's webinar notice to their university, with learner A's RSVP."""
    focal = BroadcastActor(id=FOCAL_A, role=Role.FOCAL_PERSON, university_id=university)
    summary = await services.broadcasts.create(
        focal,
        BroadcastDraft(
            audience=Audience(universities=frozenset({university})),
            text_en="Orientation webinar",
            webinar=WebinarDraft(
                title="Orientation",
                starts_at=utcnow() + timedelta(days=2),
                duration_minutes=30,
                join_link="https://meet.example.org/orientation",
            ),
        ),
    )
    assert summary.webinar_id is not None
    learner = BroadcastActor(id=LEARNER_A, role=Role.LEARNER, university_id=university)
    await services.webinars.rsvp(learner, summary.webinar_id)


# The bound of each step of the world's teardown.
CLOSE_SECONDS = 30.0

MEMBERSHIP = """Email,Invitation Date,Join Date,Member State
a@uni-a.edu.pk,2026-11-01,2026-11-02,MEMBER
b@uni-b.edu.pk,2026-11-01,,INVITED
"""
USAGE = """Email,Course,Enrollment Time,Last Course Activity Time,Overall Progress,\
Learning Hours Spent,Completed,Completion Time
a@uni-a.edu.pk,Python for Everybody,2026-11-02,{recent},100,12.5,Yes,2026-11-20
a@uni-a.edu.pk,Excel Basics,2026-11-03,{recent},40,3.25,No,
"""


async def _seed_licences(database: Database, a: int, b: int) -> None:
    """Two approved applications (one a university) and one report snapshot of each kind."""
    intake = await make_intake(database)
    await make_application(
        database, intake_id=intake, user_id=LEARNER_A, email="a@uni-a.edu.pk", university_id=a
    )
    await make_application(
        database, intake_id=intake, user_id=LEARNER_B, email="b@uni-b.edu.pk", university_id=b
    )
    reports = ReportImportService(database)
    today = datetime.now(UTC).date()
    await reports.import_stream(io.StringIO(MEMBERSHIP), kind=ReportKind.MEMBERSHIP, as_of=today)
    usage = USAGE.format(recent=(today - timedelta(days=2)).isoformat())
    await reports.import_stream(io.StringIO(usage), kind=ReportKind.USAGE, as_of=today)


@asynccontextmanager
async def dashboard_world(settings: Settings) -> AsyncIterator[World]:
    """The dashboard served on 127.0.0.1 over fully built services with activity seeded."""
    settings.telegram.bot_token = SecretStr(DEFAULT_TOKEN)
    settings.dashboard.url = "https://hecbot.example.org/app/"
    await sqlite_at_head(settings)
    services = await build_services(settings, answerer=EchoAnswerer())
    async with services.database.session() as session:
        found = (
            await session.exec(select(University).order_by(col(University.id)).limit(40))
        ).all()
    first = found[0]
    second = next(u for u in found if u.city != first.city)
    assert first.id is not None and second.id is not None
    await _seed(services, first.id, second.id)
    app = web.Application()
    mount_dashboard(app, dashboard_dependencies(services))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    http = ClientSession()
    try:
        yield World(services, server, http, first.id, second.id, first.city)
    finally:
        try:
            await bounded(http.close(), CLOSE_SECONDS, "closing the test's HTTP client")
            await bounded(server.close(), CLOSE_SECONDS, "stopping the dashboard's server")
        finally:
            await bounded(services.close(), CLOSE_SECONDS, "closing the services")
