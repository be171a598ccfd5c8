"""Coursera reports in (membership, usage), and the funnel out: equal to a hand count."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from bench.licences import MEMBERSHIP_HEADER, USAGE_HEADER, generate_reports, write_csv
from bot.errors import InvalidInputError
from bot.services.licences_funnel import FunnelService, render_funnel_chart
from bot.services.licences_reports import (
    ReportImportError,
    ReportImportService,
    ReportMapping,
)
from bot.services.universities import UniversityService
from bot.storage.db import Database
from bot.storage.licence_models import (
    ApplicationStatus,
    MembershipRow,
    ReportKind,
    ReportSnapshot,
    UsageRow,
)
from tests.licences.factories import hand_count, make_application, make_intake

AS_OF = date(2026, 11, 30)
# Applications counted as of AS_OF were submitted and decided before it, whatever today is (the
# factory's default, five days before now, stopped counting as approved once today passed
# AS_OF + 5 days: the test failed from 2026-12-06 on).
SUBMITTED = datetime(2026, 11, 10, 9, tzinfo=UTC)
DECIDED = datetime(2026, 11, 20, 9, tzinfo=UTC)


async def _import(database: Database, tmp_path: Path, reports, as_of: date) -> None:
    service = ReportImportService(database)
    members = write_csv(tmp_path / f"members-{as_of}.csv", MEMBERSHIP_HEADER, reports.membership)
    usage = write_csv(tmp_path / f"usage-{as_of}.csv", USAGE_HEADER, reports.usage)
    await service.import_file(members, kind=ReportKind.MEMBERSHIP, as_of=as_of)
    await service.import_file(usage, kind=ReportKind.USAGE, as_of=as_of)


async def test_funnel_and_headline_figures_equal_a_hand_count(database: Database, tmp_path: Path):
    reports = generate_reports(members=400, as_of=AS_OF, seed=3)
    await _import(database, tmp_path, reports, AS_OF)

    funnel = await FunnelService(database).funnel(as_of=AS_OF)

    expected = hand_count(reports.membership, reports.usage, AS_OF)
    got = funnel.to_json()
    assert {key: got[key] for key in expected} == expected
    assert got["applied"] == 0 and got["approved"] == 0
    assert expected["invited"] == 400 and 0 < expected["active_30d"] < expected["joined"]
    assert isinstance(got["learning_hours"], float)


async def test_the_latest_snapshot_on_or_before_the_day_counts(database: Database, tmp_path: Path):
    older = generate_reports(members=120, as_of=AS_OF - timedelta(days=30), seed=1)
    newer = generate_reports(members=150, as_of=AS_OF, seed=2)
    await _import(database, tmp_path, older, AS_OF - timedelta(days=30))
    await _import(database, tmp_path, newer, AS_OF)
    service = FunnelService(database)

    before = await service.funnel(as_of=AS_OF - timedelta(days=1))
    after = await service.funnel(as_of=AS_OF + timedelta(days=3))

    assert before.membership_as_of == AS_OF - timedelta(days=30)
    assert before.total.invited == 120
    assert after.total.invited == 150
    expected = hand_count(newer.membership, newer.usage, AS_OF + timedelta(days=3))
    assert after.total.active_30d == expected["active_30d"]
    assert (await service.funnel(as_of=AS_OF - timedelta(days=31))).total.invited == 0


async def test_rows_link_to_learners_by_verified_email_and_count_per_university(
    database: Database, tmp_path: Path
):
    await UniversityService(database).ensure_loaded()
    async with database.session() as session:
        from bot.storage.people_models import University

        universities = (await session.exec(select(University).limit(2))).all()
    first, second = (u.id for u in universities)
    assert first is not None and second is not None
    reports = generate_reports(members=60, as_of=AS_OF, seed=5)
    intake = await make_intake(database)
    emails = [row["Email"].lower() for row in reports.membership]
    for number, email in enumerate(emails[:20]):
        await make_application(
            database,
            intake_id=intake,
            user_id=1000 + number,
            email=email,
            university_id=first if number < 15 else second,
            submitted_at=SUBMITTED,
            decided_at=DECIDED,
        )
    # An unverified address links nobody.
    await make_application(
        database,
        intake_id=intake,
        user_id=2000,
        email=emails[30],
        university_id=first,
        verified=False,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=SUBMITTED,
    )
    await _import(database, tmp_path, reports, AS_OF)

    async with database.session() as session:
        linked = (
            await session.exec(
                select(func.count()).select_from(MembershipRow).where(MembershipRow.user_id != None)  # noqa: E711
            )
        ).one()
        snapshot = (
            await session.exec(select(ReportSnapshot).where(ReportSnapshot.kind == "membership"))
        ).one()
    assert linked == 20
    # The snapshot keeps its counts, as imported.
    assert (snapshot.rows, snapshot.linked) == (len(reports.membership), 20)

    funnel = await FunnelService(database).funnel(as_of=AS_OF, university_id=first)
    expected = hand_count(reports.membership, reports.usage, AS_OF, emails=set(emails[:15]))
    assert {k: funnel.to_json()[k] for k in expected} == expected
    assert funnel.total.applied == 16  # 15 approved and the unverified one submitted
    assert funnel.total.approved == 15
    whole = await FunnelService(database).funnel(as_of=AS_OF)
    assert whole.total.applied == 21
    assert sum(f.invited for f in whole.by_university.values()) == 20
    assert whole.by_intake["2026-spring"].approved == 20
    chart = render_funnel_chart(funnel, tmp_path / "funnel.png")
    assert chart.read_bytes().startswith(b"\x89PNG")
    # The programme's chart adds the universities: a taller picture.
    programme = render_funnel_chart(whole, tmp_path / "programme.png")
    assert len(programme.read_bytes()) > len(chart.read_bytes())


async def test_bad_rows_are_reported_by_line_and_nothing_is_imported(database: Database):
    text = (
        "Email,Course,Enrollment Time,Last Course Activity Time,Overall Progress,"
        "Learning Hours Spent,Completed,Completion Time\n"
        "a@uni.edu.pk,Python,2026-01-01,2026-02-01,50,3.5,No,\n"
        "not-an-address,Python,2026-01-01,2026-02-01,50,3.5,No,\n"
        "b@uni.edu.pk,Python,2026-01-01,yesterday,50,3.5,No,\n"
        "\n"
        "c@uni.edu.pk,Python,2026-01-01,2026-02-01,50,-1,Maybe,\n"
        "a@uni.edu.pk,Python,2026-01-01,2026-02-01,50,3.5,No,\n"
    )
    service = ReportImportService(database)
    with pytest.raises(ReportImportError) as raised:
        await service.import_stream(io.StringIO(text), kind=ReportKind.USAGE, as_of=AS_OF)

    lines = {problem.line: problem.message for problem in raised.value.problems}
    assert sorted(lines) == [3, 4, 6, 7]
    assert "not an e-mail address" in lines[3]
    assert "Last Course Activity Time: not a date" in lines[4]
    assert "Learning Hours Spent" in lines[6] and "Yes or No" in lines[6]
    assert "same learner and course as line 2" in lines[7]
    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(ReportSnapshot))).one() == 0
        assert (await session.exec(select(func.count()).select_from(UsageRow))).one() == 0


async def test_a_quote_never_closed_names_its_row_and_nothing_is_imported(database: Database):
    """A quote opened in a field and never closed swallowed the rest of the file into that
    field until csv's field limit raised, and `hecbot licences import-report` printed a
    traceback; it is a bad row now, named by the line where it starts."""
    header = "Email,Invitation Date,Join Date,Member State\n"
    rows = "".join(f"b{n}@uni.edu.pk,2026-01-01,,MEMBER\n" for n in range(12_000))
    text = f'{header}a@uni.edu.pk,"2026-01-01,2026-01-02,MEMBER\n{rows}'
    with pytest.raises(ReportImportError) as raised:
        await ReportImportService(database).import_stream(
            io.StringIO(text), kind=ReportKind.MEMBERSHIP, as_of=AS_OF
        )
    [problem] = raised.value.problems
    assert problem.line == 2 and "malformed CSV" in problem.message
    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(ReportSnapshot))).one() == 0


async def test_a_missing_column_names_the_header_and_a_mapping_reads_other_layouts(
    database: Database,
):
    service = ReportImportService(database)
    text = "E-mail address,Invited on,Joined on\nx@uni.edu.pk,01/02/2026,03/02/2026\n"
    with pytest.raises(ReportImportError) as raised:
        await service.import_stream(io.StringIO(text), kind=ReportKind.MEMBERSHIP, as_of=AS_OF)
    assert raised.value.problems[0].line == 1
    assert "Email" in raised.value.problems[0].message

    mapping = ReportMapping.from_yaml(
        ReportKind.MEMBERSHIP,
        "columns:\n  email: E-mail address\n  invitation_date: Invited on\n"
        "  join_date: Joined on\ndate_format: '%d/%m/%Y'\n",
    )
    summary = await service.import_stream(
        io.StringIO(text), kind=ReportKind.MEMBERSHIP, as_of=AS_OF, mapping=mapping
    )
    assert summary.rows == 1
    async with database.session() as session:
        row = (await session.exec(select(MembershipRow))).one()
    assert row.joined_on == date(2026, 2, 3)


def test_cli_imports_and_prints_the_funnel_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from bot.cli.root import app

    monkeypatch.setenv("HECBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    reports = generate_reports(members=80, as_of=AS_OF, seed=9)
    members = write_csv(tmp_path / "m.csv", MEMBERSHIP_HEADER, reports.membership)
    usage = write_csv(tmp_path / "u.csv", USAGE_HEADER, reports.usage)
    runner = CliRunner()
    for kind, path in (("membership", members), ("usage", usage)):
        result = runner.invoke(
            app, ["licences", "import-report", str(path), "--kind", kind, "--as-of", str(AS_OF)]
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["licences", "funnel", "--as-of", str(AS_OF), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = hand_count(reports.membership, reports.usage, AS_OF)
    assert {key: data[key] for key in expected} == expected
    for key in (
        "applied",
        "approved",
        "invited",
        "joined",
        "active_30d",
        "completed_any",
        "courses_completed",
    ):
        assert isinstance(data[key], int)

    bad = tmp_path / "bad.csv"
    bad.write_text("Email,Invitation Date\nnobody,2026-01-01\n", encoding="utf-8")
    result = runner.invoke(app, ["licences", "import-report", str(bad), "--kind", "membership"])
    assert result.exit_code == 1
    assert f"{bad}:2:" in result.stderr


async def test_learners_who_asked_to_be_forgotten_still_count_once_each(database: Database):
    from bot.services.privacy import PrivacyService
    from tests.factories import make_user

    intake = await make_intake(database)
    for number in range(3):
        await make_user(database, 700 + number)
        await make_application(
            database,
            intake_id=intake,
            user_id=700 + number,
            email=f"f{number}@uni.edu.pk",
            submitted_at=SUBMITTED,
            decided_at=DECIDED,
        )
    await ReportImportService(database).import_stream(
        io.StringIO(
            "Email,Invitation Date,Join Date\n"
            + "".join(f"f{n}@uni.edu.pk,2026-10-01,2026-10-02\n" for n in range(3))
        ),
        kind=ReportKind.MEMBERSHIP,
        as_of=AS_OF,
    )
    before = await FunnelService(database).funnel(as_of=AS_OF)
    for number in range(2):
        await PrivacyService(database).forget(700 + number)
    after = await FunnelService(database).funnel(as_of=AS_OF)

    async with database.session() as session:
        emails = sorted(row.email for row in (await session.exec(select(MembershipRow))).all())
    assert emails == ["", "", "f2@uni.edu.pk"]  # the registry blanked the forgotten addresses
    assert (after.total.invited, after.total.joined) == (before.total.invited, 3) == (3, 3)


async def test_a_report_saved_again_in_excel_is_read_as_the_csv_export(
    database: Database, tmp_path: Path
):
    """Coursera's CSV opened and saved in Excel: as a workbook (.xlsx, real date and TRUE/FALSE
    cells, numbered rows), as CSV with semicolons, or as "Unicode text" (UTF-16, tabs). Each was
    refused ("not UTF-8 text", or "missing column(s): Email" for the semicolons); each is read
    as the CSV export is, and the funnel counts the same."""
    from openpyxl import Workbook

    header = ["Email", "Course", "Last Course Activity Time", "Learning Hours Spent", "Completed"]
    rows = [
        ["a@uni.edu.pk", "Python", datetime(2026, 11, 20, 10, 30), 3.5, True],
        ["b@uni.edu.pk", "Python", datetime(2026, 9, 1), 2.0, False],
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append(row)
    workbook = tmp_path / "usage.xlsx"
    book.save(workbook)
    csv_text = "\n".join(
        [
            ",".join(header),
            "a@uni.edu.pk,Python,2026-11-20 10:30:00 UTC,3.5,Yes",
            "b@uni.edu.pk,Python,2026-09-01 00:00:00 UTC,2,No",
        ]
    )
    semicolons = tmp_path / "usage-semicolons.csv"
    semicolons.write_text(csv_text.replace(",", ";"), encoding="utf-8-sig")
    unicode_text = tmp_path / "usage.txt"
    unicode_text.write_text(csv_text.replace(",", "\t"), encoding="utf-16")
    service = ReportImportService(database)
    for path in (workbook, semicolons, unicode_text):
        summary = await service.import_file(path, kind=ReportKind.USAGE, as_of=AS_OF)
        assert summary.rows == 2, path.name
        funnel = (await FunnelService(database).funnel(as_of=AS_OF)).to_json()
        assert (funnel["active_30d"], funnel["completed_any"]) == (1, 1), path.name
        assert funnel["learning_hours"] == 5.5, path.name

    # A workbook's date cells are dates whatever a mapping says the text dates look like.
    mapping = ReportMapping.from_yaml(ReportKind.USAGE, "date_format: '%d/%m/%Y'\n")
    summary = await service.import_file(
        workbook, kind=ReportKind.USAGE, as_of=AS_OF, mapping=mapping
    )
    assert summary.rows == 2
    # A bad row of a workbook is named by Excel's row number.
    sheet.append(["nobody", "Python", None, 1, "perhaps"])
    book.save(workbook)
    with pytest.raises(ReportImportError) as raised:
        await service.import_file(workbook, kind=ReportKind.USAGE, as_of=AS_OF)
    assert [problem.line for problem in raised.value.problems] == [4]


async def test_a_report_in_another_encoding_or_no_workbook_says_what_to_do(
    database: Database, tmp_path: Path
):
    service = ReportImportService(database)
    latin = tmp_path / "members.csv"
    latin.write_bytes(b"Email,Join Date\nJos\xe9@uni.edu.pk,2026-01-02\n")
    with pytest.raises(InvalidInputError, match="save it from Excel as 'CSV UTF-8'"):
        await service.import_file(latin, kind=ReportKind.MEMBERSHIP, as_of=AS_OF)
    not_a_workbook = tmp_path / "members.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InvalidInputError, match="not an Excel workbook that can be read"):
        await service.import_file(not_a_workbook, kind=ReportKind.MEMBERSHIP, as_of=AS_OF)
    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(ReportSnapshot))).one() == 0


def test_the_cli_counts_as_of_pakistans_day_as_the_bot_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """At 21:00 UTC it is the next day in Pakistan: `hecbot licences funnel` without --as-of
    counted as of UTC's day, one behind /funnel and the dashboard (pakistan_today)."""
    import bot.i18n
    from bot.cli.root import app

    class Evening(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime(2026, 11, 30, 21, 0, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(bot.i18n, "datetime", Evening)
    monkeypatch.setenv("HECBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert bot.i18n.pakistan_today() == date(2026, 12, 1)

    result = CliRunner().invoke(app, ["licences", "funnel", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2026-12-01"
