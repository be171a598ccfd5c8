"""Synthetic Coursera reports (membership and usage, Coursera's own headers) and the licences
benchmark: import a report of many rows, measure seconds and peak memory, plan a nudge wave.

The generator is also what the tests use to check the funnel against a hand count.
"""

from __future__ import annotations

import contextlib
import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

MEMBERSHIP_HEADER = ["Name", "Email", "External Id", "Invitation Date", "Join Date", "Member State"]
USAGE_HEADER = [
    "Name",
    "Email",
    "Course",
    "Course Slug",
    "Enrollment Time",
    "Last Course Activity Time",
    "Overall Progress",
    "Learning Hours Spent",
    "Completed",
    "Completion Time",
]
COURSES = [f"Course {number:03d}" for number in range(1, 121)]


@dataclass(frozen=True)
class SyntheticReports:
    membership: list[dict[str, str]]
    usage: list[dict[str, str]]


def member_email(number: int, domain: str = "students.example.edu.pk") -> str:
    return f"learner{number:07d}@{domain}"


def generate_reports(
    *, members: int, as_of: date, seed: int = 7, courses_per_joined: float = 2.0
) -> SyntheticReports:
    """`members` invited learners; about 70% joined, each joined one with 0..2x courses."""
    rng = random.Random(seed)
    membership: list[dict[str, str]] = []
    usage: list[dict[str, str]] = []
    for number in range(members):
        email = member_email(number)
        invited = as_of - timedelta(days=rng.randint(20, 200))
        joined = invited + timedelta(days=rng.randint(0, 15)) if rng.random() < 0.7 else None
        if joined is not None and joined > as_of:
            joined = None
        membership.append(
            {
                "Name": f"Learner {number}",
                "Email": email if rng.random() > 0.1 else email.upper(),
                "External Id": str(number),
                "Invitation Date": f"{invited.isoformat()}T09:00:00.000Z",
                "Join Date": f"{joined.isoformat()} 10:30:00 UTC" if joined else "",
                "Member State": "MEMBER" if joined else "INVITED",
            }
        )
        if joined is None:
            continue
        count = rng.randint(0, int(courses_per_joined * 2))
        for course in rng.sample(COURSES, count):
            enrolled = joined + timedelta(days=rng.randint(0, 10))
            enrolled = min(enrolled, as_of)
            last = enrolled + timedelta(days=rng.randint(0, max(0, (as_of - enrolled).days)))
            progress = rng.choice([0.0, 12.5, 40.0, 75.0, 100.0])
            completed = progress == 100.0
            hours = round(rng.uniform(0, 30), 2)
            usage.append(
                {
                    "Name": f"Learner {number}",
                    "Email": email,
                    "Course": course,
                    "Course Slug": course.lower().replace(" ", "-"),
                    "Enrollment Time": f"{enrolled.isoformat()}T08:00:00.000Z",
                    "Last Course Activity Time": f"{last.isoformat()}T20:15:00.000Z",
                    "Overall Progress": f"{progress}",
                    "Learning Hours Spent": f"{hours}",
                    "Completed": "Yes" if completed else "No",
                    "Completion Time": f"{last.isoformat()}T20:15:00.000Z" if completed else "",
                }
            )
    return SyntheticReports(membership, usage)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def iter_usage_rows(rows: int, *, as_of: date, seed: int = 11) -> Iterator[dict[str, str]]:
    """`rows` usage rows (about three courses a learner) without holding them all in memory."""
    rng = random.Random(seed)
    learner = 0
    produced = 0
    while produced < rows:
        for course in rng.sample(COURSES, 3):
            if produced >= rows:
                return
            last = as_of - timedelta(days=rng.randint(0, 90))
            completed = rng.random() < 0.3
            yield {
                "Name": f"Learner {learner}",
                "Email": member_email(learner),
                "Course": course,
                "Course Slug": course.lower().replace(" ", "-"),
                "Enrollment Time": f"{(last - timedelta(days=30)).isoformat()}T08:00:00.000Z",
                "Last Course Activity Time": f"{last.isoformat()}T20:15:00.000Z",
                "Overall Progress": "100.0" if completed else f"{rng.uniform(0, 99):.1f}",
                "Learning Hours Spent": f"{rng.uniform(0, 40):.2f}",
                "Completed": "Yes" if completed else "No",
                "Completion Time": f"{last.isoformat()}T20:15:00.000Z" if completed else "",
            }
            produced += 1
        learner += 1


@dataclass
class BenchFigure:
    step: str
    rows: int
    seconds: float
    peak_mb: float | None


def _reset_peak() -> None:
    """Reset the process's peak resident memory (VmHWM) so the next step's peak is its own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float | None:
    """The process's peak resident memory (VmHWM) in MB; None without Linux /proc.

    Read here rather than through bench.knowledge, whose import loads the whole index stack.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def _seed_learners(database: object, learners: int, as_of: date) -> None:
    """`learners` onboarded learners with approved, verified applications (the first ones of
    the generated report), stored in bulk."""
    from sqlalchemy import insert

    from bot.storage.db import Database
    from bot.storage.licence_models import Intake, LicenceApplication
    from bot.storage.models import User
    from bot.storage.types import utcnow

    assert isinstance(database, Database)
    now = utcnow()
    async with database.session() as session:
        intake = Intake(
            slug="bench",
            title="bench",
            source="",
            opens_at=now - timedelta(days=200),
            deadline=now - timedelta(days=100),
            licence_ends_on=as_of + timedelta(days=120),
        )
        session.add(intake)
        await session.flush()
        users: list[dict[str, object]] = [
            {
                "id": 10_000_000 + n,
                "language": "ur" if n % 4 == 0 else "en",
                "role": "learner",
                "learner_kind": "student",
                "university_id": n % 20 + 1,
                "created_at": now,
                "onboarded_at": now,
                "privacy_accepted_at": now,
                "is_blocked": False,
                "surveys_enabled": True,
            }
            for n in range(learners)
        ]
        applications: list[dict[str, object]] = [
            {
                "intake_id": intake.id,
                "user_id": 10_000_000 + n,
                "university_id": n % 20 + 1,
                "learner_kind": "student",
                "language": "en",
                "email": member_email(n),
                "email_verified_at": now,
                "answers": {},
                "domains": [],
                "tracks": [],
                "status": "approved",
                "score": 1.0,
                "created_at": now,
                "submitted_at": now - timedelta(days=150),
                "updated_at": now,
                "decided_at": now - timedelta(days=140),
            }
            for n in range(learners)
        ]
        for start in range(0, learners, 2000):
            await session.exec(insert(User), params=users[start : start + 2000])  # type: ignore[call-overload]
            await session.exec(  # type: ignore[call-overload]
                insert(LicenceApplication), params=applications[start : start + 2000]
            )


async def run_benchmark(*, rows: int, learners: int, data_dir: Path) -> list[BenchFigure]:
    """Import a usage report of `rows` rows (and the membership report of its learners),
    compute the funnel, and plan an `inactive` nudge wave over the linked learners."""
    import time as clock

    from bot.delivery import Outbox
    from bot.i18n import Catalogue
    from bot.services.licences_funnel import FunnelService
    from bot.services.licences_nudges import NudgeService
    from bot.services.licences_reports import ReportImportService
    from bot.storage.db import Database
    from bot.storage.licence_models import ReportKind
    from handlers.buttons import TelegramButtons

    as_of = date(2026, 11, 30)
    usage_path = data_dir / "usage.csv"
    members = 0
    with usage_path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=USAGE_HEADER)
        writer.writeheader()
        for row in iter_usage_rows(rows, as_of=as_of):
            writer.writerow(row)
            members = max(members, int(row["Name"].split()[-1]) + 1)
    membership_path = data_dir / "membership.csv"
    with membership_path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=MEMBERSHIP_HEADER)
        writer.writeheader()
        for number in range(members):
            invited = as_of - timedelta(days=100)
            writer.writerow(
                {
                    "Name": f"Learner {number}",
                    "Email": member_email(number),
                    "External Id": str(number),
                    "Invitation Date": invited.isoformat(),
                    "Join Date": (invited + timedelta(days=3)).isoformat(),
                    "Member State": "MEMBER",
                }
            )
    database = Database(f"sqlite+aiosqlite:///{data_dir / 'bench.sqlite3'}")
    figures: list[BenchFigure] = []
    try:
        await database.migrate()
        await _seed_learners(database, learners, as_of)
        service = ReportImportService(database)
        for kind, path in (
            (ReportKind.MEMBERSHIP, membership_path),
            (ReportKind.USAGE, usage_path),
        ):
            _reset_peak()
            started = clock.perf_counter()
            summary = await service.import_file(path, kind=kind, as_of=as_of)
            figures.append(
                BenchFigure(
                    f"import {kind.value} report ({summary.linked:,} rows linked)",
                    summary.rows,
                    clock.perf_counter() - started,
                    _peak_mb(),
                )
            )
        _reset_peak()
        started = clock.perf_counter()
        funnel = await FunnelService(database).funnel(as_of=as_of)
        figures.append(
            BenchFigure(
                "funnel (all groups)", rows + members, clock.perf_counter() - started, _peak_mb()
            )
        )
        assert funnel.total.invited == members
        nudges = NudgeService(
            database, Outbox(database), Catalogue.load(), buttons=TelegramButtons(Catalogue.load())
        )
        await nudges.add(
            "id: bench-inactive\ntrigger: inactive\ndays: 14\nholdout: 0.1\nseed: 1\n"
            "text: {en: Come back, ur: واپس آئیں}\n"
        )
        _reset_peak()
        started = clock.perf_counter()
        plan = await nudges.plan(
            "bench-inactive", as_of=as_of, now=datetime(2026, 11, 30, 7, tzinfo=UTC)
        )
        figures.append(
            BenchFigure(
                f"plan a nudge wave ({plan.eligible:,} eligible: {plan.nudged:,} nudged, "
                f"{plan.held_out:,} held out)",
                rows,
                clock.perf_counter() - started,
                _peak_mb(),
            )
        )
    finally:
        await database.close()
    return figures


def to_markdown(figures: list[BenchFigure]) -> str:
    lines = ["| step | rows | seconds | peak RSS (MB) |", "| --- | ---: | ---: | ---: |"]
    for figure in figures:
        peak = f"{figure.peak_mb:.0f}" if figure.peak_mb is not None else "-"
        lines.append(f"| {figure.step} | {figure.rows:,} | {figure.seconds:.1f} | {peak} |")
    return "\n".join(lines)
