"""Synthetic Coursera reports (membership and usage, Coursera's own headers) and the licences
benchmark: import a report of many rows, measure seconds and peak memory, plan a nudge wave.

The generator is also what the tests use to check the funnel against a hand count.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
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
