"""Factories for the people tests: users in a role, a recording Outbox, services on a real DB."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from bot.delivery import OutgoingMessage
from bot.i18n import Catalogue
from bot.services.tickets import TicketService
from bot.services.universities import UniversityService
from bot.services.users import UserProfile
from bot.storage.db import Database
from bot.storage.models import QuestionLog
from bot.storage.types import utcnow
from handlers.tickets_rendering import TelegramTicketRenderer


@dataclass
class EnqueuedJob:
    kind: str
    reference: str | None
    messages: list[OutgoingMessage]
    created_by: int | None


@dataclass
class RecordingEnqueue:
    """Stands for `Outbox.enqueue_job`: records each job instead of sending."""

    jobs: list[EnqueuedJob] = field(default_factory=list)

    async def __call__(
        self,
        *,
        kind: str,
        reference: str | None,
        messages: Iterable[Any],
        created_by: int | None = None,
        priority: int = 0,
        not_before: datetime | None = None,
    ) -> int:
        self.jobs.append(EnqueuedJob(kind, reference, list(messages), created_by))
        return len(self.jobs)

    def recipients(self, kind: str | None = None) -> list[int]:
        return [
            message.chat_id
            for job in self.jobs
            if kind is None or job.kind == kind
            for message in job.messages
        ]


async def make_question(
    database: Database,
    user: UserProfile,
    text: str = "Can I transfer my licence to my cousin?",
    *,
    abstained: bool = True,
    created_at: datetime | None = None,
    top_section: str | None = None,
    feedback: int | None = None,
) -> int:
    async with database.session() as session:
        record = QuestionLog(
            user_id=user.id,
            university_id=user.university_id,
            question=text,
            answer="I don't know" if abstained else "An answer.",
            abstained=abstained,
            top_section=top_section,
            feedback=feedback,
            created_at=created_at or utcnow(),
        )
        session.add(record)
        await session.flush()
        assert record.id is not None
        return record.id


@pytest.fixture
async def universities(database: Database) -> UniversityService:
    service = UniversityService(database)
    await service.ensure_loaded()
    return service


@pytest.fixture
async def comsats_id(universities: UniversityService) -> int:
    return (await universities.search("COMSATS University Islamabad"))[0].university.id


@pytest.fixture
async def ucp_id(universities: UniversityService) -> int:
    return (await universities.search("University of Central Punjab"))[0].university.id


@pytest.fixture
def enqueue() -> RecordingEnqueue:
    return RecordingEnqueue()


@pytest.fixture
def tickets(database: Database, enqueue: RecordingEnqueue) -> TicketService:
    return TicketService(
        database, enqueue=enqueue, renderer=TelegramTicketRenderer(Catalogue.load())
    )
