"""`hecbot courses import` and `hecbot courses tracks` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.root import app
from bot.config import Settings
from tests.courses.factories import course_row, write_csv


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {"HECBOT_DATA_DIR": str(settings.data_dir), "HECBOT_LOG_LEVEL": "WARNING"}


def test_import_reports_counts_and_skipped_lines(tmp_path: Path, env: dict[str, str]):
    rows = [course_row(1), course_row(2, course_difficulty="Expert"), course_row(1)]
    path = write_csv(tmp_path / "catalogue.csv", rows)

    result = CliRunner().invoke(app, ["courses", "import", str(path)], env=env)

    assert result.exit_code == 0, result.output
    assert "3 rows read, 1 added" in result.output
    assert "2 skipped" in result.output
    assert "line 3: unknown level 'Expert'" in result.output
    assert "line 4: duplicate URL" in result.output
    # The crafted catalogue lacks the tracks' courses: a warning, not a failed import.
    assert "tracks.yaml does not fit this catalogue" in result.output


def test_import_of_a_file_without_required_columns_fails_clearly(
    tmp_path: Path, env: dict[str, str]
):
    path = tmp_path / "other.csv"
    path.write_text("name,link\nCloud,https://example.org/c\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["courses", "import", str(path)], env=env)

    assert result.exit_code == 1
    assert "missing column(s)" in result.output
    assert "--mapping" in result.output


def test_import_with_a_mapping_file(tmp_path: Path, env: dict[str, str]):
    path = tmp_path / "other.csv"
    path.write_text("name,link,tags\nCloud 101,https://example.org/c,Cloud;Linux\n", "utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  title: name\n  url: link\n  skills: tags\n", "utf-8")

    result = CliRunner().invoke(
        app, ["courses", "import", str(path), "--mapping", str(mapping)], env=env
    )

    assert result.exit_code == 0, result.output
    assert "1 added" in result.output


def test_tracks_lists_hec_tracks_in_order(env: dict[str, str]):
    result = CliRunner().invoke(app, ["courses", "tracks"], env=env)
    assert result.exit_code == 0, result.output
    assert "Data Analysis [data-analysis]" in result.output
    assert "  1. " in result.output


def test_tracks_export_then_import_round_trips_and_bad_files_get_line_numbers(
    tmp_path: Path, env: dict[str, str]
):
    exported = CliRunner().invoke(app, ["courses", "tracks", "export"], env=env)
    assert exported.exit_code == 0, exported.output
    assert exported.output.lstrip().startswith(("#", "tracks:"))
    edited = tmp_path / "tracks.yaml"
    edited.write_text(
        exported.output.replace("title: Data Analysis", "title: Data Skills"), "utf-8"
    )

    imported = CliRunner().invoke(app, ["courses", "tracks", "import", str(edited)], env=env)
    assert imported.exit_code == 0, imported.output
    listed = CliRunner().invoke(app, ["courses", "tracks"], env=env)
    assert "Data Skills [data-analysis]" in listed.output

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "tracks:\n  - id: x\n    title: X\n    courses:\n      - https://example.org/nope\n",
        "utf-8",
    )
    refused = CliRunner().invoke(app, ["courses", "tracks", "import", str(bad)], env=env)
    assert refused.exit_code == 1
    assert "line 5:" in refused.output and "not in the catalogue" in refused.output


def test_recommend_json_carries_what_other_tools_need(env: dict[str, str]):
    result = CliRunner().invoke(
        app,
        ["courses", "recommend", "mujhe data analyst banna hai", "--months", "3", "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "ok" and data["weeks_available"] == pytest.approx(13.0, abs=0.1)
    assert data["fits"] is True or data["fits"] is False
    for course in data["courses"]:
        assert {"skills", "level", "hours", "weeks", "group", "reason"} <= set(course)
        assert course["skills"] and course["level"] in (
            "beginner",
            "intermediate",
            "advanced",
            "mixed",
        )


def test_a_stray_quote_stops_the_import_with_its_line_and_imports_nothing(
    tmp_path: Path, env: dict[str, str]
):
    good = write_csv(tmp_path / "good.csv", [course_row(1), course_row(2)])
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Course 2", '"Course 2" broken', 1)
    path = tmp_path / "quotes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["courses", "import", str(path)], env=env)

    assert result.exit_code == 1, result.output
    assert "quotes.csv:3: malformed CSV" in result.output
    listing = CliRunner().invoke(app, ["courses", "import", str(good)], env=env)
    assert "2 added" in listing.output  # the broken run added nothing


def test_urls_are_checked_case_insensitively(tmp_path: Path, env: dict[str, str]):
    rows = [
        course_row(1, course_url="HTTPS://WWW.COURSERA.ORG/learn/course-1"),
        course_row(2, course_url="https://www.coursera.org/learn/COURSE-1/"),
    ]
    path = write_csv(tmp_path / "upper.csv", rows)

    result = CliRunner().invoke(app, ["courses", "import", str(path)], env=env)

    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    assert "line 3: duplicate URL" in result.output
    assert "does not start with" not in result.output
