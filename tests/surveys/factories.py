"""Survey test factories: learners, saved surveys, an outbox that records instead of sending."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.delivery import OutgoingMessage
from bot.storage.db import Database
from bot.storage.models import User

SURVEYS_DIR = Path(__file__).parents[2] / "bot" / "data" / "surveys"


def shipped_survey(name: str) -> str:
    return (SURVEYS_DIR / f"{name}.yaml").read_text(encoding="utf-8")


async def add_learners(
    database: Database, ids: Iterable[int], *, created_at: datetime, **fields: Any
) -> None:
    """Learners who accepted the privacy notice and onboarded when they joined, unless `fields`
    says otherwise (e.g. `onboarded_at=None`)."""
    fields.setdefault("privacy_accepted_at", created_at)
    fields.setdefault("onboarded_at", created_at)
    async with database.session() as session:
        for user_id in ids:
            session.add(User(id=user_id, created_at=created_at, **fields))


@dataclass
class RecordingOutbox:
    """Stands in for the delivery outbox where a test checks only what would be sent."""

    jobs: list[tuple[str, list[OutgoingMessage]]] = field(default_factory=list)

    async def enqueue_job(
        self,
        *,
        kind: str,
        reference: str | None,
        messages: Iterable[OutgoingMessage],
        created_by: int | None = None,
        priority: int = 0,
        not_before: datetime | None = None,
        session: Any = None,
    ) -> int:
        self.jobs.append((kind, list(messages)))
        return len(self.jobs)

    def sent_to(self, kind: str) -> list[int]:
        return [m.chat_id for job_kind, messages in self.jobs if job_kind == kind for m in messages]


async def seed_responses(
    database: Database,
    slug: str,
    answer_sets: Iterable[dict[str, Any]],
    *,
    university_id: int | None = None,
    role: str = "learner",
) -> None:
    """Completed responses with the given answers in the newest wave of `slug` (fast: no chat)."""
    from sqlmodel import col, select

    from bot.storage.survey_models import SurveyAnswer, SurveyResponse, SurveyWave

    async with database.session() as session:
        wave = (
            await session.exec(
                select(SurveyWave)
                .where(SurveyWave.slug == slug)
                .order_by(col(SurveyWave.id).desc())
            )
        ).first()
        assert wave is not None and wave.id is not None
        for answers in answer_sets:
            response = SurveyResponse(
                wave_id=wave.id,
                survey_version_id=wave.survey_version_id,
                slug=slug,
                university_id=university_id,
                role=role,
                completed_at=datetime.now().astimezone(),
            )
            session.add(response)
            await session.flush()
            assert response.id is not None
            for question_id, value in answers.items():
                session.add(
                    SurveyAnswer(
                        response_id=response.id,
                        question_id=question_id,
                        value=value,
                        skipped=value is None,
                    )
                )
