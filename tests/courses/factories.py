"""Small catalogue files and a deterministic embedder for the course tests."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.courses import catalogue_courses
from bot.services.course_catalogue import SAMPLE_CATALOGUE_PATH
from bot.services.course_embeddings import Vectors
from bot.services.course_recommender import CatalogueCourse

COURSERA_HEADER = [
    "course_title",
    "course_organization",
    "course_certificate_type",
    "course_time",
    "course_rating",
    "course_difficulty",
    "course_url",
    "course_skills",
    "course_summary",
]


def course_row(number: int, **overrides: str) -> dict[str, str]:
    row = {
        "course_title": f"Course {number}",
        "course_organization": "Partner U ",
        "course_certificate_type": "Course",
        "course_time": "1 - 4 Weeks",
        "course_rating": "4.6",
        "course_difficulty": "Beginner",
        "course_url": f"https://www.coursera.org/learn/course-{number}",
        "course_skills": "['Data Analysis', 'SQL']",
        "course_summary": "['Learn things.']",
    }
    row.update(overrides)
    return row


def write_csv(
    path: Path,
    rows: Sequence[dict[str, str]],
    *,
    header: Sequence[str] = COURSERA_HEADER,
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in header})
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def sample_courses() -> list[CatalogueCourse]:
    """The bundled sample as the recommender sees it (ids in file order)."""
    return catalogue_courses(SAMPLE_CATALOGUE_PATH)


class HashingEmbedder:
    """A stand-in for e5 in tests: hashed bag of words, L2-normalised. Deterministic and
    instant, so tests exercise the dense half of the ranking without loading a model."""

    name = "test-hashing"
    dim = 64

    def __init__(self) -> None:
        self.query_calls = 0

    def _embed(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.sha1(word.strip(".,:;()").encode()).digest()
                vectors[row, digest[0] % self.dim] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-9), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.query_calls += 1
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts)
