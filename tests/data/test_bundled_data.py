"""Checks on the CSV files shipped in bot/data, so a bad hand edit fails CI, not the import."""

import ast
import csv
import re
import unicodedata
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "bot" / "data"
UNIVERSITIES_CSV = DATA_DIR / "universities.csv"
COURSES_CSV = DATA_DIR / "courses_sample.csv"

UNIVERSITY_COLUMNS = [
    "code",
    "name",
    "name_ur",
    "short_name",
    "city",
    "province",
    "sector",
    "aliases",
]
REQUIRED_UNIVERSITY_FIELDS = ["code", "name", "name_ur", "city", "province", "sector"]
PROVINCES = {
    "Punjab",
    "Sindh",
    "Khyber Pakhtunkhwa",
    "Balochistan",
    "Islamabad Capital Territory",
    "Gilgit-Baltistan",
    "Azad Jammu and Kashmir",
}
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Letters Urdu has and Arabic lacks (keheh, Farsi yeh, gol he, tteh, ...): at least one of them
# shows the name was typed in Urdu, not Arabic or a mis-set keyboard.
URDU_ONLY_LETTERS = set("ٹڈڑںھہیےگکپچژۃ")
# Arabic look-alikes an Urdu name should not contain (Arabic kaf, yeh, alef maksura).
ARABIC_LOOKALIKES = set("كيى")
COURSE_COLUMNS = [
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


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def universities() -> list[dict[str, str]]:
    header, rows = read_csv(UNIVERSITIES_CSV)
    assert header == UNIVERSITY_COLUMNS
    return rows


@pytest.fixture(scope="module")
def courses() -> list[dict[str, str]]:
    header, rows = read_csv(COURSES_CSV)
    assert header == COURSE_COLUMNS
    return rows


def is_urdu_script(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return (
        bool(letters)
        and all(unicodedata.name(ch, "").startswith("ARABIC") for ch in letters)
        and any(ch in URDU_ONLY_LETTERS for ch in letters)
        and not any(ch in ARABIC_LOOKALIKES for ch in letters)
    )


def test_files_are_utf8_without_bom() -> None:
    for path in (UNIVERSITIES_CSV, COURSES_CSV):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path
        raw.decode("utf-8")


def test_universities_has_at_least_150_rows(universities: list[dict[str, str]]) -> None:
    assert len(universities) >= 150


def test_university_codes_are_unique_slugs(universities: list[dict[str, str]]) -> None:
    codes = [row["code"] for row in universities]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    assert duplicates == []
    bad = [code for code in codes if not CODE_PATTERN.fullmatch(code)]
    assert bad == []


def test_university_names_are_unique(universities: list[dict[str, str]]) -> None:
    names = [row["name"].casefold() for row in universities]
    assert len(names) == len(set(names))


def test_required_university_fields_are_filled(universities: list[dict[str, str]]) -> None:
    empty = [
        (row["code"], field)
        for row in universities
        for field in REQUIRED_UNIVERSITY_FIELDS
        if not (row[field] or "").strip()
    ]
    assert empty == []


def test_no_university_value_has_stray_whitespace(universities: list[dict[str, str]]) -> None:
    stray = [
        (row["code"], field)
        for row in universities
        for field, value in row.items()
        if value != value.strip() or "  " in value
    ]
    assert stray == []


def test_sector_and_province_are_known_values(universities: list[dict[str, str]]) -> None:
    bad_sector = [row["code"] for row in universities if row["sector"] not in {"public", "private"}]
    bad_province = [row["code"] for row in universities if row["province"] not in PROVINCES]
    assert bad_sector == []
    assert bad_province == []


def test_every_province_is_represented(universities: list[dict[str, str]]) -> None:
    assert {row["province"] for row in universities} == PROVINCES


def test_comsats_and_ucp_are_listed(universities: list[dict[str, str]]) -> None:
    by_name = {row["name"]: row for row in universities}
    comsats = by_name["COMSATS University Islamabad"]
    ucp = by_name["University of Central Punjab"]
    assert (comsats["short_name"], comsats["province"]) == (
        "COMSATS",
        "Islamabad Capital Territory",
    )
    assert (ucp["short_name"], ucp["city"], ucp["sector"]) == ("UCP", "Lahore", "private")


def test_urdu_names_are_in_urdu_script(universities: list[dict[str, str]]) -> None:
    not_urdu = [row["code"] for row in universities if not is_urdu_script(row["name_ur"])]
    assert not_urdu == []


def test_urdu_check_rejects_latin_and_arabic_spellings() -> None:
    assert is_urdu_script("جامعہ کراچی")
    assert not is_urdu_script("University of Karachi")
    assert not is_urdu_script("جامعة كراتشي")  # Arabic spelling: kaf and teh marbuta
    assert not is_urdu_script("")


def test_aliases_are_clean_lists(universities: list[dict[str, str]]) -> None:
    bad = [
        row["code"]
        for row in universities
        if row["aliases"]
        and any(alias != alias.strip() or not alias for alias in row["aliases"].split(";"))
    ]
    assert bad == []


def test_courses_sample_has_at_least_100_rows(courses: list[dict[str, str]]) -> None:
    assert len(courses) >= 100


def test_course_urls_are_unique_coursera_links(courses: list[dict[str, str]]) -> None:
    urls = [row["course_url"] for row in courses]
    assert len(urls) == len(set(urls))
    assert all(url.startswith("https://www.coursera.org/") for url in urls)


def test_course_facts_are_present_and_parse(courses: list[dict[str, str]]) -> None:
    for row in courses:
        assert row["course_title"] and row["course_organization"], row
        assert 0.0 < float(row["course_rating"]) <= 5.0, row
        skills = ast.literal_eval(row["course_skills"])
        assert isinstance(skills, list) and skills, row
        summary = ast.literal_eval(row["course_summary"])
        assert isinstance(summary, list), row
        assert len(row["course_summary"]) <= 200, row


def test_courses_span_all_levels(courses: list[dict[str, str]]) -> None:
    levels = {row["course_difficulty"] for row in courses}
    assert {"Beginner", "Intermediate", "Advanced"} <= levels
