"""HEC's tracks: the bundled file is valid against the sample; every kind of mistake is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.course_catalogue import normalise_url
from bot.services.course_tracks import DEFAULT_TRACKS_PATH, TrackValidationError, load_tracks
from tests.courses.factories import sample_courses

BEGINNER = "https://example.org/beginner"
ADVANCED = "https://example.org/advanced"
LEVELS = {normalise_url(BEGINNER): "beginner", normalise_url(ADVANCED): "advanced"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tracks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_tracks_reference_sample_courses_in_level_order():
    levels = {normalise_url(course.url): course.level for course in sample_courses()}
    tracks = load_tracks(DEFAULT_TRACKS_PATH, levels)
    titles = {track.title for track in tracks}
    assert {"Data Analysis", "Cloud Computing", "Freelancing: Web Development"} <= titles
    for track in tracks:
        assert track.course_urls
        assert track.title_ur
        first = levels[normalise_url(track.course_urls[0])]
        assert first in ("beginner", "mixed"), track.id


def test_unknown_course_and_empty_track_are_both_reported(tmp_path: Path):
    path = _write(
        tmp_path,
        f"""
tracks:
  - id: a
    title: A
    courses: [{BEGINNER}, https://example.org/missing]
  - id: b
    title: B
    courses: []
""",
    )
    with pytest.raises(TrackValidationError) as raised:
        load_tracks(path, LEVELS)
    problems = raised.value.problems
    assert any("missing" in p and "not in the catalogue" in p for p in problems)
    assert any("'b'" in p and "empty" in p for p in problems)


def test_levels_must_not_go_down(tmp_path: Path):
    path = _write(
        tmp_path, f"tracks:\n  - id: a\n    title: A\n    courses: [{ADVANCED}, {BEGINNER}]\n"
    )
    with pytest.raises(TrackValidationError, match="beginner after an advanced"):
        load_tracks(path, LEVELS)


def test_duplicate_ids_and_malformed_files(tmp_path: Path):
    path = _write(
        tmp_path,
        f"tracks:\n  - id: a\n    title: A\n    courses: [{BEGINNER}]\n"
        f"  - id: a\n    title: A again\n    courses: [{BEGINNER}]\n",
    )
    with pytest.raises(TrackValidationError, match="defined twice"):
        load_tracks(path, LEVELS)
    with pytest.raises(TrackValidationError, match="tracks:"):
        load_tracks(_write(tmp_path, "just: text\n"), LEVELS)


def test_the_running_bot_skips_unknown_courses_instead_of_stopping(tmp_path: Path):
    path = _write(
        tmp_path,
        f"""
tracks:
  - id: a
    title: A
    courses: [https://example.org/gone, {BEGINNER}]
  - id: b
    title: B
    courses: [https://example.org/gone-too]
""",
    )
    (track,) = load_tracks(path, LEVELS, strict=False)
    assert track.id == "a"
    assert track.course_urls == (BEGINNER,)
    with pytest.raises(TrackValidationError):
        load_tracks(path, LEVELS, strict=True)
