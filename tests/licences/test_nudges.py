"""Nudges: eligibility from the learner's own record, seeded stratified assignment to nudge or
holdout, quiet hours, one a week, consent, the outbox; the report's difference and 95% CI."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.services.licences_nudges import (
    NudgeService,
    assign_groups,
    difference_ci,
    next_allowed_time,
    parse_rule,
    render_report_chart,
)
from bot.services.licences_yaml import LicenceFileError
from bot.storage.db import Database
from bot.storage.delivery_models import Delivery, DeliveryJob
from bot.storage.licence_models import NudgeAssignment, NudgeGroup, ReportKind
from bot.storage.models import User
from tests.licences.factories import NUDGE_RULES, import_report, make_nudge_learners

AS_OF = date(2026, 11, 1)
MEMBERSHIP_HEADER = "Email,Invitation Date,Join Date"


def test_every_example_rule_is_valid_and_mistakes_name_their_line():
    for path in NUDGE_RULES.glob("*.yaml"):
        parse_rule(path.read_text(encoding="utf-8"))
    with pytest.raises(LicenceFileError) as raised:
        parse_rule("id: x\ntrigger: sometimes\nholdout: 2\ntext: {en: hi}\n")
    lines = {p.line: p.message for p in raised.value.problems}
    assert "trigger must be one of" in lines[2]
    assert "holdout" in lines[3]
    assert "Urdu" in lines[4]


def test_assignment_is_seeded_and_stratified_by_university():
    learners = [(n, n % 3) for n in range(300)]
    groups = assign_groups(learners, holdout=0.1, seed=7, salt="r")
    assert groups == assign_groups(learners, holdout=0.1, seed=7, salt="r")
    assert groups != assign_groups(learners, holdout=0.1, seed=8, salt="r")
    per_university = Counter(
        university for user, university in learners if groups[user] is NudgeGroup.HOLDOUT
    )
    assert per_university == {0: 10, 1: 10, 2: 10}


def test_quiet_hours_are_22_to_8_pakistan_time():
    # 17:30 UTC = 22:30 PKT -> 03:00 UTC next day (08:00 PKT)
    assert next_allowed_time(datetime(2026, 11, 1, 17, 30, tzinfo=UTC)) == datetime(
        2026, 11, 2, 3, 0, tzinfo=UTC
    )
    assert next_allowed_time(datetime(2026, 11, 1, 2, 0, tzinfo=UTC)) == datetime(
        2026, 11, 1, 3, 0, tzinfo=UTC
    )
    noon = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
    assert next_allowed_time(noon) == noon


def test_the_interval_comes_from_statsmodels_newcombe():
    difference, low, high = difference_ci(30, 100, 20, 100)
    assert difference == pytest.approx(0.10)
    assert low < 0.10 < high
    # Newcombe's method 10 worked by hand from the two Wilson intervals (0.2189-0.3958 and
    # 0.1334-0.2888): 0.1 - sqrt(0.0811² + 0.0888²), 0.1 + sqrt(0.0958² + 0.0666²).
    assert low == pytest.approx(-0.0203, abs=2e-4) and high == pytest.approx(0.2167, abs=2e-4)


LEARNERS = 120
FIRST_ID = 20_000


async def _world(database: Database, nudges: NudgeService) -> tuple[NudgeService, list[str]]:
    """Learners invited to Coursera ten days before AS_OF, none joined yet; the last one has
    turned programme messages off. The service, and the learners' addresses."""
    emails = await make_nudge_learners(database, LEARNERS, first_id=FIRST_ID, as_of=AS_OF)
    async with database.session() as session:
        quiet = await session.get(User, FIRST_ID + LEARNERS - 1)
        assert quiet is not None
        quiet.surveys_enabled = False  # turned programme messages off: no consent
        session.add(quiet)
    invited = (AS_OF - timedelta(days=10)).isoformat()
    await import_report(
        database,
        ReportKind.MEMBERSHIP,
        as_of=AS_OF,
        header=MEMBERSHIP_HEADER,
        lines=(f"{email},{invited}," for email in emails),
    )
    await nudges.add((NUDGE_RULES / "invited-not-joined.yaml").read_text(encoding="utf-8"))
    return nudges, emails


async def test_a_wave_assigns_records_and_queues_only_the_nudge_group(
    database: Database, nudges: NudgeService
):
    service, _ = await _world(database, nudges)
    at_night = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)  # 23:00 in Pakistan
    plan = await service.plan("invited-not-joined", as_of=AS_OF, now=at_night)
    assert plan.skipped_consent == 1
    assert plan.eligible == LEARNERS - 1
    assert plan.held_out + plan.nudged == plan.eligible and 8 <= plan.held_out <= 16
    async with database.session() as session:
        assignments = (await session.exec(select(NudgeAssignment))).all()
        job = (await session.exec(select(DeliveryJob))).one()
        deliveries = (await session.exec(select(Delivery))).all()
    assert len(assignments) == plan.eligible
    nudged = {a.user_id for a in assignments if a.group == "nudge"}
    assert {d.chat_id for d in deliveries} == nudged
    assert job.not_before == datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # 08:00 in Pakistan
    urdu = next(d for d in deliveries if (d.chat_id - FIRST_ID) % 5 == 0)
    assert "کورسیرا" in urdu.payload["text"]

    again = await service.plan("invited-not-joined", as_of=AS_OF, now=at_night)
    assert again.eligible == 0  # everyone is assigned once per rule
    await service.add(
        (NUDGE_RULES / "invited-not-joined.yaml")
        .read_text(encoding="utf-8")
        .replace("id: invited-not-joined", "id: second-try")
    )
    second = await service.plan("second-try", as_of=AS_OF, now=at_night + timedelta(days=2))
    assert second.skipped_recent == len(nudged)  # at most one nudge a week


async def test_the_report_compares_joining_between_groups_from_a_later_snapshot(
    database: Database, nudges: NudgeService, tmp_path: Path
):
    service, emails = await _world(database, nudges)
    await service.plan("invited-not-joined", as_of=AS_OF)
    pending = await service.report("invited-not-joined", as_of=AS_OF)
    assert pending.pending == LEARNERS - 1 and pending.difference is None

    async with database.session() as session:
        assignments = (await session.exec(select(NudgeAssignment))).all()
    group = {a.user_id: a.group for a in assignments}
    # Later, every third learner has joined.
    later = AS_OF + timedelta(days=14)
    lines = []
    expected = Counter()
    for number, email in enumerate(emails):
        user_id = FIRST_ID + number
        joined = number % 3 == 0
        lines.append(f"{email},{AS_OF - timedelta(days=10)},{later if joined else ''}")
        if user_id in group:
            expected[(group[user_id], "n")] += 1
            expected[(group[user_id], "s")] += joined
    await import_report(
        database, ReportKind.MEMBERSHIP, as_of=later, header=MEMBERSHIP_HEADER, lines=lines
    )
    report = await service.report("invited-not-joined", as_of=later)
    assert report.pending == 0
    assert (report.nudge.learners, report.nudge.successes) == (
        expected[("nudge", "n")],
        expected[("nudge", "s")],
    )
    assert (report.holdout.learners, report.holdout.successes) == (
        expected[("holdout", "n")],
        expected[("holdout", "s")],
    )
    assert report.difference == pytest.approx(report.nudge.rate - report.holdout.rate)
    assert report.ci_low is not None and report.ci_high is not None
    assert report.ci_low <= report.difference <= report.ci_high
    assert render_report_chart(report, tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


async def test_the_worker_plans_active_rules_and_skips_stopped_ones(
    database: Database, nudges: NudgeService
):
    service, _ = await _world(database, nudges)
    source = (NUDGE_RULES / "invited-not-joined.yaml").read_text(encoding="utf-8")
    await service.add(source.replace("id: invited-not-joined", "id: paused"))
    await service.stop("paused")
    midday = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)  # 12:00 in Pakistan

    queued = await service.run_due(midday)

    rules = {rule.slug: (nudged, held) for rule, nudged, held in await service.list_rules()}
    assert queued == rules["invited-not-joined"][0] > 0
    assert rules["paused"] == (0, 0)
    assert await service.run_due(midday) == 0  # nobody is assigned twice
