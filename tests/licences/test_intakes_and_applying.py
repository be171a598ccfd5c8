"""Intakes in YAML and applying: eligibility, a verified university e-mail (a real SMTP server on
loopback), tracks, editing, withdrawing and re-applying, one application per person per intake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from bot.config import SMTPSettings
from bot.errors import InvalidInputError
from bot.i18n import Catalogue
from bot.services.licences_applications import (
    Applicant,
    ApplicationLockedError,
    ApplicationService,
    CodeWrongError,
    EmailNotAllowedError,
    EmailTakenError,
    IntakeClosedError,
    normalise_email,
)
from bot.services.licences_intakes import IntakeService, parse_intake
from bot.services.licences_mail import FolderMailer, SmtpMailer
from bot.services.licences_yaml import LicenceFileError
from bot.storage.db import Database
from bot.storage.licence_models import LicenceApplication, LicenceDecision
from tests.licences.conftest import EXAMPLE_INTAKE, intake_source


def open_intake_source() -> str:
    today = datetime.now(UTC).date()
    return intake_source(
        opens=str(today - timedelta(days=3)), deadline=str(today + timedelta(days=20))
    )


def test_the_example_intake_is_valid_and_ranks_by_its_published_criteria():
    definition = parse_intake(EXAMPLE_INTAKE.read_text(encoding="utf-8"))
    assert definition.slug == "2027-spring"
    assert definition.max_tracks == 2
    assert definition.seats_for("qau-islamabad") == 50 and definition.seats_for("x") == 20
    assert definition.email_allowed("ali@students.qau.edu.pk")
    assert not definition.email_allowed("ali@gmail.com")
    # faculty 2 + the two heaviest domains (3 + 3); the third does not count
    assert definition.score("faculty", ["ai", "cloud", "data"]) == 8
    assert definition.title_in("ur").startswith("کورسیرا")


def test_mistakes_are_reported_with_their_lines():
    source = intake_source(max_tracks="0", licence_ends="soon")
    source = source.replace("weight: 3\n", "weight: lots\n", 1).replace(
        "  ur: کورسیرا لائسنس، بہار 2027\n", ""
    )
    with pytest.raises(LicenceFileError) as raised:
        parse_intake(source + "colour: blue\n")
    messages = {problem.line: problem.message for problem in raised.value.problems}
    text = source.splitlines()
    assert "Urdu" in messages[3]
    assert (
        "licence_ends"
        in messages[next(i for i, line in enumerate(text, 1) if line.startswith("licence_ends"))]
    )
    assert (
        "max_tracks"
        in messages[next(i for i, line in enumerate(text, 1) if line.startswith("max_tracks"))]
    )
    assert any("weight" in m for m in messages.values())
    assert "unknown key 'colour'" in messages[len(text) + 1]


def test_aliases_and_anchors_are_refused():
    source = intake_source().replace("seats:", "seats: &s\n  default: 1\nother: *s\nx:", 1)
    with pytest.raises(LicenceFileError) as raised:
        parse_intake(source)
    assert "not allowed" in str(raised.value)
    assert raised.value.problems[0].line is not None


async def _service(database: Database, mailer, catalogue: Catalogue) -> ApplicationService:
    intakes = IntakeService(database)
    await intakes.add(open_intake_source())
    return ApplicationService(database, intakes, mailer, catalogue)


STUDENT = Applicant(user_id=501, language="en", university_id=None, learner_kind="student")
ANSWERS = {"enrolled": True, "other_licence": False}


async def test_apply_with_a_code_mailed_through_a_real_smtp_server(
    database: Database, smtp_server, catalogue: Catalogue
):
    settings, mails = smtp_server
    service = await _service(database, SmtpMailer(settings), catalogue)
    intake_id, definition, existing = await service.begin(STUDENT)
    assert existing is None
    assert service.eligible(definition, ANSWERS)
    assert not service.eligible(definition, {"enrolled": True, "other_licence": True})

    with pytest.raises(EmailNotAllowedError):
        await service.send_code(STUDENT, intake_id, definition, "ali@gmail.com")
    await service.send_code(STUDENT, intake_id, definition, " Ali@Students.QAU.edu.pk ")
    assert mails.messages[-1]["To"] == "ali@students.qau.edu.pk"
    code = mails.last_code()
    with pytest.raises(CodeWrongError):
        await service.verify_code(STUDENT, intake_id, "000000" if code != "000000" else "111111")
    assert await service.verify_code(STUDENT, intake_id, code) == "ali@students.qau.edu.pk"

    view = await service.submit(
        STUDENT, intake_id, answers=ANSWERS, domains=["ai", "data"], tracks=["data-analysis"]
    )
    assert view.status == "submitted" and view.score == 1 + 3 + 2
    with pytest.raises(InvalidInputError):
        await service.submit(
            STUDENT, intake_id, answers=ANSWERS, domains=["ai"], tracks=["a", "b", "c"]
        )
    # Editing before the deadline changes the same application.
    edited = await service.submit(
        STUDENT, intake_id, answers=ANSWERS, domains=["business"], tracks=["cloud-computing"]
    )
    assert edited.id == view.id and edited.domains == ["business"] and edited.score == 2
    withdrawn = await service.withdraw(STUDENT.user_id)
    assert withdrawn.status == "withdrawn"
    # Withdraw pressed twice: the same withdrawn application, logged once, not "locked".
    assert (await service.withdraw(STUDENT.user_id)).status == "withdrawn"
    again = await service.submit(
        STUDENT, intake_id, answers=ANSWERS, domains=["ai"], tracks=["cloud-computing"]
    )
    assert again.id == view.id and again.status == "submitted"
    async with database.session() as session:
        count = (await session.exec(select(func.count()).select_from(LicenceApplication))).one()
        logged = (await session.exec(select(LicenceDecision))).all()
    assert count == 1
    assert [(d.decision, d.decided_by) for d in logged] == [("withdraw", "learner:501")]


async def test_after_the_deadline_nothing_changes(database: Database, tmp_path: Path, catalogue):
    service = await _service(database, FolderMailer(tmp_path / "mail"), catalogue)
    intake_id, definition, _ = await service.begin(STUDENT)
    await service.send_code(STUDENT, intake_id, definition, "sara@uni.edu.pk")
    mail = next((tmp_path / "mail").rglob("*.eml")).read_text(encoding="utf-8")
    code = next(word for word in mail.split() if word.isdigit() and len(word) == 6)
    await service.verify_code(STUDENT, intake_id, code)
    late = definition.deadline + timedelta(minutes=1)
    with pytest.raises(ApplicationLockedError):
        await service.submit(
            STUDENT, intake_id, answers=ANSWERS, domains=["ai"], tracks=["data-analysis"], now=late
        )


async def test_a_form_keeps_its_intake_and_its_closing_is_named(
    database: Database, tmp_path: Path, catalogue
):
    """The form's intake, not the one open now (a second, closing sooner); closed early by
    HEC (not only past its deadline), submitting to it is refused naming it."""
    service = await _service(database, FolderMailer(tmp_path / "mail"), catalogue)
    intake_id, _, _ = await service.begin(STUDENT)
    today = datetime.now(UTC).date()
    intakes = IntakeService(database)
    await intakes.add(
        intake_source(
            id="2027-summer",
            opens=str(today - timedelta(days=1)),
            deadline=str(today + timedelta(days=10)),
        )
    )
    now_open, _ = await service.open_intake()
    assert now_open != intake_id
    assert (await service.form_intake(STUDENT, intake_id)).slug == "2027-spring"

    await intakes.close("2027-spring")
    with pytest.raises(IntakeClosedError) as raised:
        await service.form_intake(STUDENT, intake_id)
    assert raised.value.message_args == {"intake": "Coursera licences, spring 2027"}
    with pytest.raises(IntakeClosedError):
        await service.submit(
            STUDENT, intake_id, answers=ANSWERS, domains=["ai"], tracks=["data-analysis"]
        )


async def test_a_code_typed_in_urdu_digits_is_the_same_code(
    database: Database, tmp_path: Path, catalogue
):
    """A phone's Urdu keyboard types ۱۲۳: the code mailed as 123 is verified, not "not right"."""
    service = await _service(database, FolderMailer(tmp_path / "mail"), catalogue)
    intake_id, definition, _ = await service.begin(STUDENT)
    await service.send_code(STUDENT, intake_id, definition, "sara@uni.edu.pk")
    mail = next((tmp_path / "mail").rglob("*.eml")).read_text(encoding="utf-8")
    code = next(word for word in mail.split() if word.isdigit() and len(word) == 6)
    urdu = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert await service.verify_code(STUDENT, intake_id, f" {urdu} ") == "sara@uni.edu.pk"


@pytest.mark.parametrize(
    "typed",
    [
        "ali@qau.edu.pk\u200b",  # a zero-width space copied from a web page
        "\u200fali@qau.edu.pk",  # a right-to-left mark from an Urdu chat
        "ali@qau.edu.pk.",  # the sentence's full stop
        "<Ali@QAU.edu.pk>",  # as a mail client shows it
        "mailto:ali@qau.edu.pk",
        "ali＠qau.edu.pk",  # a full-width at sign
    ],
)
def test_an_address_pasted_with_invisible_marks_or_punctuation_is_the_address(typed: str):
    """Each was "not a university e-mail address this intake accepts"."""
    assert normalise_email(typed) == "ali@qau.edu.pk"


def _mailed_code(folder: Path, user_id: int) -> str:
    """The code of the newest mail to `user_id` written by a FolderMailer to `folder`."""
    # FolderMailer names each mail "<time>-<count>": the count orders them.
    newest = max(
        (folder / str(user_id)).glob("*.eml"), key=lambda path: int(path.stem.split("-")[-1])
    )
    mail = newest.read_text(encoding="utf-8")
    return next(word for word in mail.split() if word.isdigit() and len(word) == 6)


async def test_an_address_holds_one_application_per_intake(
    database: Database, tmp_path: Path, catalogue
):
    """A second Telegram account verified the address the first had applied with, and both
    applications stood: one person, two seats. The address is refused to the second account
    (when it asks for a code, and at the code when both asked before either verified) until
    the first withdraws."""
    other = Applicant(user_id=502, language="en", university_id=None, learner_kind="student")
    folder = tmp_path / "mail"
    service = await _service(database, FolderMailer(folder), catalogue)
    intake_id, definition, _ = await service.begin(STUDENT)
    await service.send_code(STUDENT, intake_id, definition, "sara@uni.edu.pk")
    await service.send_code(other, intake_id, definition, "Sara@uni.edu.pk")  # both before either
    await service.verify_code(STUDENT, intake_id, _mailed_code(folder, STUDENT.user_id))
    with pytest.raises(EmailTakenError):
        await service.verify_code(other, intake_id, _mailed_code(folder, other.user_id))
    await service.submit(
        STUDENT, intake_id, answers=ANSWERS, domains=["ai"], tracks=["data-analysis"]
    )
    with pytest.raises(EmailTakenError):
        await service.send_code(other, intake_id, definition, "sara@uni.edu.pk")
    with pytest.raises(InvalidInputError):  # nothing verified: nothing to submit
        await service.submit(
            other, intake_id, answers=ANSWERS, domains=["ai"], tracks=["data-analysis"]
        )
    await service.send_code(STUDENT, intake_id, definition, "sara@uni.edu.pk")  # its own: fine

    await service.withdraw(STUDENT.user_id)
    await service.send_code(other, intake_id, definition, "sara@uni.edu.pk")
    assert (
        await service.verify_code(other, intake_id, _mailed_code(folder, other.user_id))
        == "sara@uni.edu.pk"
    )


def test_cli_intake_add_list_close(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from bot.cli import app

    monkeypatch.setenv("HECBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    good = tmp_path / "intake.yaml"
    good.write_text(open_intake_source(), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(intake_source(max_tracks="99"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["intake", "add", str(bad)])
    assert result.exit_code == 1 and f"{bad}:9: max_tracks" in result.stderr
    assert runner.invoke(app, ["intake", "add", str(good)]).exit_code == 0
    listed = runner.invoke(app, ["intake", "list"])
    assert "2027-spring" in listed.stdout and "(open;" in listed.stdout
    closed = runner.invoke(app, ["intake", "close", "2027-spring"])
    assert closed.exit_code == 0 and "closed" in closed.stdout


def test_cli_intake_list_says_which_intake_takes_applications_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Every intake not closed early was listed "open": one opening next month, and one whose
    deadline had passed (it takes no application) alike."""
    from bot.cli import app

    monkeypatch.setenv("HECBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    today = datetime.now(UTC).date()
    rounds = {
        "next-month": (today + timedelta(days=30), today + timedelta(days=60)),
        "this-month": (today - timedelta(days=3), today + timedelta(days=20)),
        "last-month": (today - timedelta(days=60), today - timedelta(days=30)),
    }
    runner = CliRunner()
    for slug, (opens, deadline) in rounds.items():
        path = tmp_path / f"{slug}.yaml"
        path.write_text(
            intake_source(id=slug, opens=str(opens), deadline=str(deadline)), encoding="utf-8"
        )
        added = runner.invoke(app, ["intake", "add", str(path)])
        assert added.exit_code == 0, added.output

    listed = {
        line.partition(":")[0]: line
        for line in runner.invoke(app, ["intake", "list"]).stdout.splitlines()
    }
    assert "(not open yet;" in listed["next-month"]
    assert "(open;" in listed["this-month"]
    assert "(deadline passed;" in listed["last-month"]


async def test_forget_removes_the_verification_mail_written_to_the_data_dir(
    database: Database, tmp_path: Path, catalogue
):
    """Without SMTP the code mail is a file holding the person's e-mail; /forget removes it."""
    from bot.services.licences_mail import build_mailer
    from bot.services.privacy import PrivacyService

    data_dir = tmp_path / "data"
    mailer = build_mailer(SMTPSettings(), data_dir)
    service = await _service(database, mailer, catalogue)
    intake_id, definition, _ = await service.begin(STUDENT)
    await service.send_code(STUDENT, intake_id, definition, "sara.private@uni.edu.pk")
    mails = list((data_dir / "outgoing-mail").rglob("*.eml"))
    assert len(mails) == 1 and "sara.private@uni.edu.pk" in mails[0].read_text(encoding="utf-8")

    await PrivacyService(database, data_dir=data_dir).forget(STUDENT.user_id)

    # No file in the data dir holds the address: not the mail, not SQLite's file or its WAL.
    left = [p for p in data_dir.rglob("*") if p.is_file()]
    assert [p for p in left if b"sara.private" in p.read_bytes()] == []


async def test_forget_leaves_no_id_or_address_in_any_licence_table(
    database: Database, tmp_path: Path, catalogue
):
    """Application, code, decision log, report rows and a nudge: /forget clears every column."""
    from datetime import date

    from sqlalchemy import select as sa_select
    from sqlmodel import SQLModel

    from bot.services.privacy import PrivacyService
    from bot.storage import all_models  # noqa: F401
    from bot.storage.licence_models import (
        MembershipRow,
        NudgeAssignment,
        NudgeRule,
        ReportSnapshot,
        UsageRow,
    )

    person = Applicant(
        user_id=7_123_456_789, language="en", university_id=None, learner_kind="student"
    )
    email = "zebracorn.private@uni.edu.pk"
    service = await _service(database, FolderMailer(tmp_path / "mail"), catalogue)
    intake_id, definition, _ = await service.begin(person)
    await service.send_code(person, intake_id, definition, email)
    mail = next((tmp_path / "mail").rglob("*.eml")).read_text(encoding="utf-8")
    await service.verify_code(
        person, intake_id, next(w for w in mail.split() if w.isdigit() and len(w) == 6)
    )
    await service.submit(
        person, intake_id, answers=ANSWERS, domains=["ai"], tracks=["data-analysis"]
    )
    await service.withdraw(person.user_id)  # a decision logged as by the learner
    async with database.session() as session:
        snapshot = ReportSnapshot(kind="membership", as_of=date(2026, 12, 1), rows=1)
        rule = NudgeRule(slug="join", trigger="invited_not_joined", source="slug: join")
        session.add(snapshot)
        session.add(rule)
        await session.flush()
        assert snapshot.id is not None and rule.id is not None
        session.add(MembershipRow(snapshot_id=snapshot.id, email=email, user_id=person.user_id))
        session.add(
            UsageRow(snapshot_id=snapshot.id, email=email, user_id=person.user_id, course="Py")
        )
        session.add(
            NudgeAssignment(
                rule_id=rule.id,
                user_id=person.user_id,
                email=email,
                group="nudge",
                assigned_at=datetime.now(UTC),
            )
        )

    await PrivacyService(database).forget(person.user_id)

    leaks = []
    async with database.session() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            for row in await connection.execute(sa_select(table)):
                for column, value in row._mapping.items():
                    if str(person.user_id) in str(value) or "zebracorn" in str(value):
                        leaks.append((table.name, column, value))
    assert leaks == []
