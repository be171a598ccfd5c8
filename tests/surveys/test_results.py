"""Results reproduce the case study's headline metrics from seeded responses."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import NotAllowedError
from bot.services.survey_results import SurveyResultsService, format_results, university_scope
from bot.services.surveys import SurveyService
from bot.services.universities import UniversityService
from bot.services.users import UserProfile
from bot.storage.db import Database
from bot.storage.models import Role
from tests.surveys.factories import seed_responses, shipped_survey


def impact_answers(
    count: int, *, skills: int, outcome: int, freelancers: int, earning_more: int, keep: int
) -> list[dict[str, object]]:
    """`count` answer sets in which the first `skills` report skill gains, and so on."""
    answers = []
    for i in range(count):
        freelancer = i < freelancers
        answer: dict[str, object] = {
            "skills": ("a_lot" if i % 2 else "somewhat") if i < skills else "none",
            "career_outcome": ["new_job", "promotion"] if i < outcome else ["nothing_yet"],
            "freelancer": "yes" if freelancer else "no",
            "continue_learning": "yes" if i < keep else "no",
            "recommend": i % 11,
        }
        if freelancer:
            answer["earnings_change"] = "increased" if i < earning_more else "same"
            answer["monthly_earnings"] = 10_000 * (i + 1)
        answers.append(answer)
    return answers


async def saved_impact_survey(database: Database) -> SurveyService:
    surveys = SurveyService(database, clock=lambda: datetime(2026, 3, 1, tzinfo=UTC))
    await surveys.add_survey(shipped_survey("impact"))
    await surveys.start_waves("impact")
    return surveys


async def test_headlines_match_the_case_study_proportions(database: Database) -> None:
    await saved_impact_survey(database)
    # 200 learners, 100 of them freelancers: 96% skills, 64% outcomes, 47% of freelancers, 99%.
    await seed_responses(
        database,
        "impact",
        impact_answers(200, skills=192, outcome=128, freelancers=100, earning_more=47, keep=198),
    )
    results = await SurveyResultsService(database).results("impact")

    shares = {h.id: round(h.share * 100) for h in results.headlines if h.share is not None}
    assert shares == {
        "skill_gains": 96,
        "career_outcomes": 64,
        "freelance_earnings": 47,
        "keep_learning": 99,
    }
    earnings = next(h for h in results.headlines if h.id == "freelance_earnings")
    assert (earnings.numerator, earnings.denominator) == (47, 100)
    assert results.responses == 200
    skills = next(q for q in results.questions if q.id == "skills")
    assert [bar.count for bar in skills.bars] == [96, 96, 8]
    text = format_results(results)
    assert "96% reported skill gains (192/200)" in text
    assert "47% of freelancers earn more (47/100)" in text


async def test_cross_tabs_by_university_and_focal_person_scope(database: Database) -> None:
    await UniversityService(database).ensure_loaded()
    await saved_impact_survey(database)
    await seed_responses(
        database,
        "impact",
        impact_answers(10, skills=10, outcome=5, freelancers=0, earning_more=0, keep=10),
        university_id=1,
    )
    await seed_responses(
        database,
        "impact",
        impact_answers(10, skills=2, outcome=5, freelancers=0, earning_more=0, keep=10),
        university_id=2,
    )
    service = SurveyResultsService(database)

    everyone = await service.results("impact")
    by_university = next(tab for tab in everyone.cross_tabs if tab.dimension == "university")
    # Named as staff know them (the rows read "1" and "2", and "12" sorted before "2").
    assert {row.group: row.shares["skill_gains"] for row in by_university.rows} == {
        "QAU": 1.0,
        "COMSATS": 0.2,
    }
    focal = UserProfile(
        id=5,
        language="en",
        role=Role.FOCAL_PERSON,
        learner_kind=None,
        university_id=2,
        onboarded_at=None,
    )
    scoped = await service.results("impact", university_id=university_scope(focal, None))
    assert scoped.responses == 10
    assert scoped.university == "COMSATS" and "(COMSATS)" in format_results(scoped)
    with pytest.raises(NotAllowedError):
        university_scope(focal, 1)
    learner = UserProfile(
        id=6,
        language="en",
        role=Role.LEARNER,
        learner_kind=None,
        university_id=2,
        onboarded_at=None,
    )
    with pytest.raises(NotAllowedError):
        university_scope(learner, None)


async def test_export_writes_one_row_per_response_in_csv_and_xlsx(
    database: Database, tmp_path: Path
) -> None:
    await saved_impact_survey(database)
    await seed_responses(
        database,
        "impact",
        impact_answers(3, skills=3, outcome=1, freelancers=1, earning_more=1, keep=3),
    )
    service = SurveyResultsService(database)

    assert await service.export("impact", tmp_path / "impact.csv", "csv") == 3
    with (tmp_path / "impact.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["career_outcome"] for row in rows] == [
        "new_job;promotion",
        "nothing_yet",
        "nothing_yet",
    ]
    assert [row["monthly_earnings"] for row in rows] == ["10000", "", ""]
    assert await service.export("impact", tmp_path / "impact.xlsx", "xlsx") == 3
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "impact.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert "user_id" in header and "skills" in header
    assert sheet.max_row == 4


async def test_the_csv_export_opens_in_excel_with_its_urdu_intact(
    database: Database, tmp_path: Path
) -> None:
    """Excel reads a CSV without a byte-order mark in the Windows code page: an Urdu comment
    came out garbled. The export starts with UTF-8's byte-order mark."""
    await saved_impact_survey(database)
    answers = impact_answers(1, skills=1, outcome=1, freelancers=1, earning_more=1, keep=1)
    answers[0]["comment"] = "کورس بہت اچھا تھا"
    await seed_responses(database, "impact", answers)

    await SurveyResultsService(database).export("impact", tmp_path / "impact.csv", "csv")

    data = (tmp_path / "impact.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    [row] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert row["comment"] == "کورس بہت اچھا تھا" and "user_id" in row


async def test_export_keeps_a_comment_that_looks_like_a_formula_as_text(
    database: Database, tmp_path: Path
) -> None:
    """A learner's comment "=HYPERLINK(...)" would run in the staff's spreadsheet (CSV
    injection): the CSV quotes it with an apostrophe, the XLSX stores it as text, unchanged."""
    await saved_impact_survey(database)
    typed = ['=HYPERLINK("http://x.example","click")', "+92 300 1234567", "@SUM(A1)", "-1+2"]
    answers = impact_answers(len(typed), skills=1, outcome=1, freelancers=1, earning_more=1, keep=1)
    for answer, comment in zip(answers, typed, strict=True):
        answer["comment"] = comment
    await seed_responses(database, "impact", answers)
    service = SurveyResultsService(database)

    await service.export("impact", tmp_path / "impact.csv", "csv")
    with (tmp_path / "impact.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["comment"] for row in rows] == [f"'{comment}" for comment in typed]
    assert rows[0]["monthly_earnings"] == "10000"  # numbers are numbers still

    await service.export("impact", tmp_path / "impact.xlsx", "xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "impact.xlsx").active
    header = [cell.value for cell in sheet[1]]
    column = header.index("comment")
    cells = [sheet.cell(row=n, column=column + 1) for n in range(2, 2 + len(typed))]
    assert [cell.value for cell in cells] == typed
    assert {cell.data_type for cell in cells} == {"s"}  # text, not a formula
