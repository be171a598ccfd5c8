"""Importing catalogues: the bundled sample, Coursera quirks, bad rows, encodings, JSON."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from bot.services.course_catalogue import (
    SAMPLE_CATALOGUE_PATH,
    CatalogueFileError,
    ColumnMapping,
    parse_catalogue_file,
    parse_number,
)
from bot.services.courses import CourseService
from bot.storage.db import Database
from tests.courses.factories import COURSERA_HEADER, course_row, write_csv


def test_bundled_sample_parses_without_problems():
    parsed = parse_catalogue_file(SAMPLE_CATALOGUE_PATH)
    assert len(parsed.records) == 120
    assert parsed.problems == []
    levels = {record.level for record in parsed.records}
    assert levels == {"beginner", "intermediate", "advanced", "mixed"}
    kinds = {record.kind for record in parsed.records}
    assert {"course", "specialization", "professional_certificate"} <= kinds
    assert all(record.skills for record in parsed.records)


def test_coursera_quirks_are_cleaned(tmp_path: Path):
    # The full export: unnamed index column, multi-line quoted description, trailing spaces.
    header = ["", *COURSERA_HEADER, "course_students_enrolled", "course_description"]
    row = course_row(
        1,
        course_difficulty="Mixed",
        course_skills="['Python Programming', 'SQL', 'SQL']",
        course_summary="[]",
    )
    row |= {"": "7", "course_students_enrolled": "39.2k", "course_description": "Line 1\nLine 2"}
    path = write_csv(tmp_path / "export.csv", [row], header=header)

    parsed = parse_catalogue_file(path)

    assert parsed.problems == []
    (record,) = parsed.records
    assert record.partner == "Partner U"
    assert record.level == "mixed"
    assert record.skills == ("Python Programming", "SQL")
    assert record.description == "Line 1 Line 2"  # falls back to the second mapped column


def test_bad_rows_are_reported_by_line_and_skipped(tmp_path: Path):
    rows = [
        course_row(1),
        course_row(2, course_title=""),
        course_row(3, course_rating="great"),
        course_row(4, course_difficulty="Expert"),
        course_row(5, course_url="coursera.org/learn/x"),
        course_row(6, course_summary="['multi\nline summary']"),
        course_row(7, course_skills="['unclosed"),
    ]
    path = write_csv(tmp_path / "bad.csv", rows)

    parsed = parse_catalogue_file(path)

    assert [record.title for record in parsed.records] == ["Course 1", "Course 6"]
    problems = {problem.line: problem.message for problem in parsed.problems}
    # Line 1 is the header; row 6 spans two lines, so row 7 starts on line 9.
    assert set(problems) == {3, 4, 5, 6, 9}
    assert "title" in problems[3]
    assert "number" in problems[4]
    assert "level" in problems[5]
    assert "http" in problems[6]
    assert "list" in problems[9]


def test_duplicate_urls_keep_the_first_and_name_its_line(tmp_path: Path):
    url = "https://www.coursera.org/learn/same"
    rows = [course_row(1, course_url=url), course_row(2, course_url=url + "/")]
    parsed = parse_catalogue_file(write_csv(tmp_path / "dup.csv", rows))
    assert [record.title for record in parsed.records] == ["Course 1"]
    (problem,) = parsed.problems
    assert problem.line == 3
    assert "duplicate URL" in problem.message
    assert "line 2" in problem.message


def test_missing_columns_are_named(tmp_path: Path):
    header = [name for name in COURSERA_HEADER if name != "course_url"]
    path = write_csv(tmp_path / "nourl.csv", [course_row(1)], header=header)
    with pytest.raises(CatalogueFileError) as raised:
        parse_catalogue_file(path)
    message = str(raised.value)
    assert "course_url" in message
    assert "required" in message
    assert "--mapping" in message


def test_utf16_file_with_its_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Excel's and Notepad's "Unicode" (UTF-16 with a BOM) was read as cp1252: "ÿþc\x00..."."""
    row = course_row(1, course_title="Gestión de Proyectos – Básico", course_organization="Café U")
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        text = write_csv(tmp_path / "plain.csv", [row]).read_text(encoding="utf-8")
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        path.write_bytes(bom + text.encode(encoding))
        parsed = parse_catalogue_file(path)
        assert parsed.encoding == "utf-16"
        assert parsed.records[0].title == "Gestión de Proyectos – Básico"
        assert parsed.records[0].partner == "Café U"


def test_cp1252_file_is_read(tmp_path: Path):
    row = course_row(1, course_title="Gestión de Proyectos – Básico", course_organization="Café U")
    path = write_csv(tmp_path / "win.csv", [row], encoding="cp1252")
    parsed = parse_catalogue_file(path)
    assert parsed.encoding == "cp1252"
    assert parsed.records[0].title == "Gestión de Proyectos – Básico"
    assert parsed.records[0].partner == "Café U"


def test_utf8_with_bom_is_read(tmp_path: Path):
    path = write_csv(tmp_path / "bom.csv", [course_row(1)], encoding="utf-8-sig")
    parsed = parse_catalogue_file(path)
    assert parsed.encoding == "utf-8"
    assert len(parsed.records) == 1


def test_json_catalogue_with_its_own_mapping(tmp_path: Path):
    data = {
        "courses": [
            {
                "name": "Cloud Basics",
                "link": "https://example.org/cloud",
                "tags": ["Cloud Computing", "Linux"],
                "difficulty": "Introductory",
                "lang": "en",
            },
            {"name": "No link"},
            "not an object",
        ]
    }
    (tmp_path / "cat.json").write_text(json.dumps(data), encoding="utf-8")
    mapping = ColumnMapping.from_dict(
        {
            "columns": {
                "title": "name",
                "url": "link",
                "skills": "tags",
                "level": "difficulty",
                "language": "lang",
            }
        }
    )

    parsed = parse_catalogue_file(tmp_path / "cat.json", mapping)

    (record,) = parsed.records
    assert record.skills == ("Cloud Computing", "Linux")
    assert record.level == "beginner"
    assert [problem.line for problem in parsed.problems] == [2, 3]


def test_mapping_must_name_title_and_url():
    with pytest.raises(CatalogueFileError, match="url"):
        ColumnMapping.from_dict({"columns": {"title": "name"}})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("4.7", 4.7), ("1,080,159", 1080159.0), ("39.2k", 39200.0), ("1.5M", 1500000.0), ("", None)],
)
def test_numbers_in_coursera_formats(raw: str, expected: float | None):
    assert parse_number(raw) == expected


async def test_import_stores_then_updates_in_place(database: Database, tmp_path: Path):
    service = CourseService(database)
    first = write_csv(tmp_path / "a.csv", [course_row(1), course_row(2)])
    report = await service.import_file(first)
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)

    second = write_csv(tmp_path / "b.csv", [course_row(1, course_rating="4.9"), course_row(2)])
    report = await service.import_file(second)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert await service.count() == 2
    ratings = {course.title: course.rating for course in await service.courses()}
    assert ratings["Course 1"] == 4.9


async def test_empty_catalogue_gets_the_bundled_sample(database: Database):
    service = CourseService(database)
    assert await service.ensure_catalogue() == 120
    assert await service.ensure_catalogue() == 120  # not imported twice
