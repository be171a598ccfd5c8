"""Selection: ranked lists, decisions from a CSV within the seats, the audit log, outcomes told
in the learner's language through the outbox, reclaiming unused licences for the waiting list."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.delivery import Outbox
from bot.i18n import Catalogue
from bot.services.licences_reports import ReportImportError, ReportImportService
from bot.services.licences_selection import SelectionService
from bot.services.universities import UniversityService
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery, DeliveryJob
from bot.storage.licence_models import (
    ApplicationStatus,
    LicenceApplication,
    LicenceDecision,
    ReportKind,
)
from bot.storage.people_models import University
from bot.storage.types import utcnow
from tests.licences.factories import make_application, make_intake
from tests.licences.test_intakes_and_applying import open_intake_source


async def _setup(database: Database) -> tuple[SelectionService, int, list[int]]:
    await UniversityService(database).ensure_loaded()
    async with database.session() as session:
        qau = (
            await session.exec(select(University).where(University.code == "qau-islamabad"))
        ).one()
    source = open_intake_source().replace("qau-islamabad: 50", "qau-islamabad: 2")
    intake = await make_intake(database, slug="2027-spring", source=source)
    ids = []
    for number, score in enumerate([3.0, 8.0, 5.0, 5.0]):
        application_id = await make_application(
            database,
            intake_id=intake,
            user_id=9000 + number,
            email=f"l{number}@qau.edu.pk",
            university_id=qau.id,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=utcnow() - timedelta(days=10 - number),
        )
        async with database.session() as session:
            application = await session.get(LicenceApplication, application_id)
            assert application is not None
            application.score = score
            application.language = "ur" if number == 1 else "en"
            session.add(application)
        ids.append(application_id)
    service = SelectionService(database, Outbox(database), Catalogue.load())
    return service, intake, ids


async def test_ranked_export_and_decisions_within_the_seats(database: Database):
    service, _, ids = await _setup(database)
    ranked = await service.ranked("2027-spring")
    # score first, then the earlier submission
    assert [r.id for r in ranked] == [ids[1], ids[2], ids[3], ids[0]]
    assert [r.rank for r in ranked] == [1, 2, 3, 4] and ranked[0].seats == 2
    exported = list(csv.DictReader(io.StringIO(await service.export_csv("2027-spring"))))
    assert exported[0]["application_id"] == str(ids[1]) and exported[0]["decision"] == ""

    too_many = (
        "application_id,decision,reason\n"
        f"{ids[1]},approve,\n{ids[2]},approve,\n{ids[3]},approve,\n{ids[0]},reject,\n"
        "77777,approve,\n"
    )
    with pytest.raises(ReportImportError) as raised:
        await service.import_decisions(too_many, decided_by="hec-admin")
    lines = {p.line: p.message for p in raised.value.problems}
    assert "needs a reason" in lines[5]
    assert "does not exist" in lines[6]
    assert "has 2 seats" in lines[4]
    async with database.session() as session:
        assert (await session.exec(select(LicenceDecision))).all() == []

    good = (
        "application_id,decision,reason\n"
        f"{ids[1]},approve,\n{ids[2]},approve,\n{ids[3]},waitlist,\n"
        f"{ids[0]},reject,Not enrolled this semester\n"
    )
    summary = await service.import_decisions(good, decided_by="hec-admin", source="round1.csv")
    assert (summary.approved, summary.waitlisted, summary.rejected, summary.notified) == (
        2,
        1,
        1,
        4,
    )
    log = await service.decisions_log(ids[0])
    assert [(d.decision, d.reason, d.decided_by, d.source) for d in log] == [
        ("reject", "Not enrolled this semester", "hec-admin", "round1.csv")
    ]
    async with database.session() as session:
        job = (await session.exec(select(DeliveryJob))).one()
        rows = {
            row.chat_id: row.payload["text"] for row in (await session.exec(select(Delivery))).all()
        }
    assert job.kind == "licence_outcome"
    assert "منظور" in rows[9001]  # told in Urdu
    assert "approved" in rows[9002]
    assert "waiting list" in rows[9003]
    assert "Not enrolled this semester" in rows[9000]


async def test_an_unused_licence_is_warned_then_reclaimed_and_the_waiting_list_moves_up(
    database: Database,
):
    service, _, ids = await _setup(database)
    await service.import_decisions(
        f"application_id,decision,reason\n{ids[1]},approve,\n{ids[2]},approve,\n{ids[3]},waitlist,\n",
        decided_by="hec-admin",
    )
    as_of = date.today()
    old = (as_of - timedelta(days=45)).isoformat()
    recent = (as_of - timedelta(days=3)).isoformat()
    reports = ReportImportService(database)
    await reports.import_stream(
        io.StringIO(
            "Email,Invitation Date,Join Date,Member State\n"
            f"l1@qau.edu.pk,{old},{old},MEMBER\n"
            f"l2@qau.edu.pk,{old},{old},MEMBER\n"
        ),
        kind=ReportKind.MEMBERSHIP,
        as_of=as_of,
    )
    await reports.import_stream(
        io.StringIO(
            "Email,Course,Last Course Activity Time,Learning Hours Spent,Completed\n"
            f"l2@qau.edu.pk,Python,{recent},4,No\n"
        ),
        kind=ReportKind.USAGE,
        as_of=as_of,
    )
    first = await service.reclaim(as_of)
    assert [c.application_id for c in first.candidates or []] == [ids[1]]
    assert (first.warned, first.reclaimed) == (1, 0)
    again = await service.reclaim(as_of)
    assert (again.warned, again.reclaimed) == (0, 0)  # warned once, grace not over
    later = await service.reclaim(as_of, now=utcnow() + timedelta(days=8))
    assert (later.reclaimed, later.promoted) == (1, 1)
    async with database.session() as session:
        statuses = {a.id: a.status for a in (await session.exec(select(LicenceApplication))).all()}
        kinds = [job.kind for job in (await session.exec(select(DeliveryJob))).all()]
    assert statuses[ids[1]] == "reclaimed"
    assert statuses[ids[3]] == "approved"
    assert kinds == ["licence_outcome", "licence_reclaim", "licence_outcome"]
    promoted_log = await service.decisions_log(ids[3])
    assert [d.decision for d in promoted_log] == ["waitlist", "promote"]


async def test_an_approval_taken_back_gives_the_seat_to_the_waiting_list(database: Database):
    service, _, ids = await _setup(database)
    await service.import_decisions(
        f"application_id,decision,reason\n{ids[1]},approve,\n{ids[2]},approve,\n"
        f"{ids[3]},waitlist,\n{ids[0]},waitlist,\n",
        decided_by="hec-admin",
    )
    summary = await service.import_decisions(
        f"application_id,decision,reason\n{ids[2]},reject,Left the university\n",
        decided_by="hec-admin",
    )
    assert summary.promoted == 1
    statuses = {r.id: r.status for r in await service.ranked("2027-spring")}
    # ids[3] (score 5, earlier) is ahead of ids[0] (score 3) on the waiting list
    assert statuses[ids[3]] == "approved" and statuses[ids[0]] == "waitlisted"
    assert [d.decision for d in await service.decisions_log(ids[3])] == ["waitlist", "promote"]
