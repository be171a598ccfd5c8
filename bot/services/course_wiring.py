"""Builds the course service from settings without the Telegram runtime, so `hecbot courses
...` imports only what choosing courses needs (the container imports every feature)."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.services.course_embeddings import COURSE_VECTOR_SEEDS
from bot.services.courses import CourseService
from bot.storage.db import Database


def build_course_service(
    settings: Settings, database: Database, *, seed_dir: Path | None = COURSE_VECTOR_SEEDS
) -> CourseService:
    """The course recommender on the knowledge base's embedder (loaded on first use)."""
    from bot.services.course_embeddings import make_course_embedder

    return CourseService(
        database,
        embedder_factory=lambda: make_course_embedder(settings.knowledge.embedder),
        cache_dir=settings.data_dir / "cache",
        seed_dir=seed_dir,
        # Importing a catalogue embeds passages on every core.
        passage_embedder_factory=lambda: make_course_embedder(
            settings.knowledge.embedder, replicas=2
        ),
    )
