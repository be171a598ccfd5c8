"""Universities: bundled list, CSV import with bad rows, fuzzy matching in English and Urdu."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.universities import UniversityService, normalise_name, parse_universities_csv
from bot.storage.db import Database

HEADER = "code,name,name_ur,short_name,city,province,sector,aliases\n"


async def top_code(service: UniversityService, text: str) -> str:
    matches = await service.search(text)
    assert matches, f"no match for {text!r}"
    return matches[0].university.code


async def test_bundled_list_loads_once(database: Database) -> None:
    service = UniversityService(database)
    added = await service.ensure_loaded()
    assert added > 100
    assert await service.ensure_loaded() == 0
    assert len(await service.list_all()) == added


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("comsats", "comsats-islamabad"),
        ("COMSATS University Islamabad", "comsats-islamabad"),
        ("CUI", "comsats-islamabad"),
        ("central punjab", "ucp-lahore"),
        ("quaid e azam", "qau-islamabad"),
        ("nust", "nust-islamabad"),
    ],
)
async def test_search_finds_by_name_short_name_and_alias(
    universities: UniversityService, typed: str, code: str
) -> None:
    codes = [m.university.code for m in await universities.search(typed)]
    assert code in codes[:3], codes


async def test_search_in_urdu_letters(universities: UniversityService) -> None:
    assert await top_code(universities, "کامسیٹس") == "comsats-islamabad"
    # Arabic yeh and kaf (typed on an Arabic keyboard) match the Urdu letters.
    assert await top_code(universities, "كامسيٹس") == "comsats-islamabad"
    assert await top_code(universities, "قائداعظم یونیورسٹی") == "qau-islamabad"


async def test_search_returns_at_most_five_and_nothing_for_gibberish(
    universities: UniversityService,
) -> None:
    assert len(await universities.search("university")) == 5
    assert await universities.search("zzxqv qqq") == []
    assert await universities.search("  ...  ") == []


@pytest.mark.parametrize(
    "typed",
    ["no such place at all", "xyzzy university", "gibberish", "hello there", "i dont know"],
)
async def test_nonsense_matches_no_university(universities: UniversityService, typed: str) -> None:
    """WRatio found "uchs" in "no such place at all" (73) and every university's name in
    "xyzzy university" (86): a match must share a telling word with the name."""
    assert await universities.search(typed) == []


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("cmsats", "comsats-islamabad"),
        ("punjab uni", "pu-lahore"),
        ("quaid azm", "qau-islamabad"),
        ("comsatsuniversity", "comsats-islamabad"),
    ],
)
async def test_a_misspelt_or_begun_word_still_matches(
    universities: UniversityService, typed: str, code: str
) -> None:
    codes = [m.university.code for m in await universities.search(typed)]
    assert code in codes[:5], codes


def test_normalise_name_folds_case_punctuation_and_diacritics() -> None:
    assert normalise_name("Quaid-i-Azam  University") == "quaid i azam university"
    assert normalise_name("Sciences & Technology") == "sciences and technology"
    assert normalise_name("جامعۂ") == normalise_name("جامعہ")[:-1] + normalise_name("جامعۂ")[-1]
    assert normalise_name("كراچي") == normalise_name("کراچی")


def test_csv_bad_rows_are_reported_by_line_number() -> None:
    text = (
        HEADER
        + "good-one,Good University,,GU,Lahore,Punjab,public,\n"
        + ",No Code University,,,,,public,\n"
        + "good-one,Duplicate,,,,,public,\n"
        + "bad code,Spaces In Code,,,,,private,\n"
        + "no-name,,,,,,public,\n"
        + "odd-sector,Odd Sector University,,,,,semi,\n"
    )
    rows, errors = parse_universities_csv(text)
    assert [row.code for row in rows] == ["good-one"]
    assert [line for line, _ in errors] == [3, 4, 5, 6, 7]
    assert "repeats line 2" in errors[1][1]


def test_csv_without_required_columns_is_refused() -> None:
    rows, errors = parse_universities_csv("name,city\nX,Y\n")
    assert rows == []
    assert errors == [(1, "missing column(s): code")]


async def test_import_updates_by_code_and_writes_nothing_when_a_row_is_bad(
    universities: UniversityService, tmp_path: Path
) -> None:
    before = len(await universities.list_all())
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "comsats-islamabad,COMSATS Renamed,,CUI,Islamabad,ICT,public,\n"
        + "broken,,,,,,public,\n",
        encoding="utf-8",
    )
    report = await universities.import_file(bad)
    assert not report.ok and report.errors[0][0] == 3
    assert (await top_code(universities, "COMSATS University Islamabad")) == "comsats-islamabad"
    names = {u.code: u.name for u in await universities.list_all()}
    assert names["comsats-islamabad"] == "COMSATS University Islamabad"

    good = tmp_path / "good.csv"
    good.write_text(
        HEADER
        + "comsats-islamabad,COMSATS Renamed,,CUI,Islamabad,ICT,public,\n"
        + "new-uni,Brand New Institute,,BNI,Gilgit,GB,private,\n",
        encoding="utf-8",
    )
    report = await universities.import_file(good)
    assert (report.added, report.updated, report.deactivated) == (1, 1, 0)
    assert len(await universities.list_all()) == before + 1
    assert await top_code(universities, "brand new") == "new-uni"

    report = await universities.import_file(good, replace=True)
    assert report.deactivated == before - 1
    assert {u.code for u in await universities.list_all()} == {"comsats-islamabad", "new-uni"}


async def test_place_names_are_every_name_of_the_active_universities(
    universities: UniversityService, tmp_path: Path
) -> None:
    names = set(await universities.place_names())
    assert {"Allama Iqbal Open University", "AIOU", "Open University", "Islamabad"} <= names
    assert "Azad Jammu and Kashmir" in names  # a province, as learners name their region
    replacement = tmp_path / "only.csv"
    replacement.write_text(
        HEADER + "new-uni,Brand New Institute,,BNI,Gilgit,GB,private,Brand New;BNIG\n",
        encoding="utf-8",
    )
    await universities.import_file(replacement, replace=True)
    # Deactivated universities are no longer names of the programme.
    assert await universities.place_names() == [
        "BNI",
        "BNIG",
        "Brand New",
        "Brand New Institute",
        "GB",
        "Gilgit",
    ]
