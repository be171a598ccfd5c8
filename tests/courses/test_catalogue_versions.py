"""Vectors computed at import and stored by content; tracks HEC uploads at run time; running
instances (two services on one database) see both without a restart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.services.course_tracks import TrackValidationError
from bot.services.courses import CourseService
from bot.storage.db import Database
from tests.courses.factories import HashingEmbedder, course_row, write_csv


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.passages: list[str] = []

    def embed_passages(self, texts: Sequence[str]):  # type: ignore[no-untyped-def]
        self.passages.extend(texts)
        return super().embed_passages(texts)


def _rows(count: int, **changes: str) -> list[dict[str, str]]:
    rows = [course_row(number) for number in range(1, count + 1)]
    for row in rows:
        if row["course_title"] in changes:
            row["course_title"] = changes[row["course_title"]]
    return rows


async def test_import_embeds_every_course_once_and_a_reimport_only_what_changed(
    database: Database, tmp_path: Path
):
    embedder = CountingEmbedder()
    service = CourseService(database, embedder=embedder, seed_dir=None)
    progress: list[tuple[int, int]] = []
    first = await service.import_file(
        write_csv(tmp_path / "a.csv", _rows(40)), progress=lambda d, t: progress.append((d, t))
    )
    assert first.embedded == 40 and first.reused_vectors == 0
    assert progress[0] == (0, 40) and progress[-1] == (40, 40)
    embedder.passages.clear()
    again = await service.import_file(
        write_csv(tmp_path / "b.csv", _rows(40, **{"Course 7": "Course Seven, renamed"}))
    )
    assert again.embedded == 1 and again.reused_vectors == 39
    assert len(embedder.passages) == 1 and "Course Seven, renamed" in embedder.passages[0]
    # The first recommendation after the import computes no course vector.
    embedder.passages.clear()
    await service.recommend("data analysis with sql")
    assert embedder.passages == []


async def test_another_instance_sees_an_import_and_new_tracks_without_a_restart(
    database: Database, tmp_path: Path
):
    importer = CourseService(database, embedder=HashingEmbedder(), seed_dir=None)
    running = CourseService(database, embedder=HashingEmbedder(), seed_dir=None)
    await importer.import_file(write_csv(tmp_path / "a.csv", _rows(5)))
    assert len((await running.recommender()).courses) == 5
    await importer.import_file(write_csv(tmp_path / "b.csv", _rows(8)))
    assert len((await running.recommender()).courses) == 8

    tracks = (
        "tracks:\n"
        "  - id: data\n"
        "    title: Data\n"
        "    keywords: [data analysis]\n"
        "    courses:\n"
        "      - https://www.coursera.org/learn/course-1\n"
        "      - https://www.coursera.org/learn/course-2\n"
    )
    await importer.import_tracks(tracks, by="hec-admin")
    assert [t.id for t in (await running.recommender()).tracks] == ["data"]
    assert await running.tracks_text() == tracks


async def test_a_bad_tracks_upload_is_refused_with_line_numbers(database: Database, tmp_path: Path):
    service = CourseService(database, embedder=HashingEmbedder(), seed_dir=None)
    await service.import_file(write_csv(tmp_path / "a.csv", _rows(3)))
    before = await service.tracks_text()
    bad = (
        "tracks:\n"
        "  - id: data\n"
        "    title: Data\n"
        "    courses:\n"
        "      - https://www.coursera.org/learn/course-1\n"
        "      - https://www.coursera.org/learn/not-in-the-catalogue\n"
        "  - id: data\n"
        "    courses: []\n"
    )
    with pytest.raises(TrackValidationError) as refused:
        await service.import_tracks(bad)
    problems = refused.value.problems
    assert any(p.startswith("line 6:") and "not in the catalogue" in p for p in problems)
    assert any(p.startswith("line 7:") and "defined twice" in p for p in problems)
    with pytest.raises(TrackValidationError) as broken:
        await service.import_tracks("tracks:\n  - id: [unclosed\n")
    assert broken.value.problems[0].startswith("line ")
    assert await service.tracks_text() == before


async def test_a_command_reads_the_courses_and_tracks_once_until_they_change(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # `hecbot courses recommend` checks the tracks, then builds the recommender: one read.
    import bot.services.courses as courses_module

    service = CourseService(database, embedder=HashingEmbedder(), seed_dir=None)
    await service.import_file(write_csv(tmp_path / "a.csv", _rows(5)))
    parsed: list[str] = []
    real_parse = courses_module.parse_tracks

    def counting_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(str(kwargs.get("source")))
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(courses_module, "parse_tracks", counting_parse)
    await service.ensure_catalogue()
    await service.recommend("data analysis with sql")
    assert parsed == ["tracks"]
    # Another import (a version bump) is read again, and the recommender sees it.
    await service.import_file(write_csv(tmp_path / "b.csv", _rows(7)))
    assert len((await service.recommender()).courses) == 7
    assert len(parsed) == 2
    # The strict check of the CLI always reads afresh and reports every problem (the bundled
    # tracks name courses this small catalogue lacks).
    with pytest.raises(TrackValidationError):
        await service.load_tracks(strict=True)
    assert len(parsed) == 3
