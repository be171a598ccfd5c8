"""What HEC learns from the questions: volumes, topics, gaps, feedback and escalations."""

from __future__ import annotations

import csv
import io
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import col, select

from bot.i18n import PAKISTAN_TIME, in_pakistan
from bot.services.permissions import Actor, Permission, require
from bot.services.spreadsheet import csv_row
from bot.storage.db import Database
from bot.storage.models import QuestionLog, Role, User
from bot.storage.people_models import Ticket, University

UNKNOWN_UNIVERSITY = "(no university)"
TOP_N = 10
_NON_WORD = re.compile(r"[^\w]+")


def normalise_question(text: str) -> str:
    """Group questions that differ only in case, punctuation and spacing."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class GapQuestion:
    text: str
    count: int


@dataclass
class InsightsReport:
    since: date | None
    university_id: int | None
    university_name: str | None
    total_questions: int = 0
    answered: int = 0
    abstained: int = 0
    content_free: int = 0  # "👍", "ok", one word: the learner was asked for a full question
    per_day: list[tuple[date, int]] = field(default_factory=list)
    per_university: list[tuple[str, int]] = field(default_factory=list)
    topics: list[tuple[str, int]] = field(default_factory=list)
    gaps: list[GapQuestion] = field(default_factory=list)
    thumbs_up: int = 0
    thumbs_down: int = 0
    tickets: int = 0
    tickets_answered: int = 0
    tickets_to_desk: int = 0
    median_answer_hours: float | None = None
    max_answer_hours: float | None = None

    @property
    def rated(self) -> int:
        return self.thumbs_up + self.thumbs_down


class InsightsService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def report(
        self,
        actor: Actor | None,
        *,
        since: date | None = None,
        university_id: int | None = None,
    ) -> InsightsReport:
        """The report for one university or all; `actor=None` is the operator's CLI."""
        if actor is not None:
            require(actor, Permission.VIEW_INSIGHTS, university_id=university_id)
        # The day starts in Pakistan, as the dashboard's "From" does (it started at 05:00 there).
        since_time = (
            datetime.combine(since, time.min, PAKISTAN_TIME).astimezone(UTC) if since else None
        )
        async with self._database.session() as session:
            # Learners' questions only: staff trying the bot out are not a gap in the rules.
            # A forgotten learner's anonymous questions (no user id) still count.
            staff = select(User.id).where(col(User.role) != Role.LEARNER.value)
            query = select(QuestionLog).where(
                col(QuestionLog.user_id).is_(None) | col(QuestionLog.user_id).not_in(staff)
            )
            tickets_query = select(Ticket)
            if since_time is not None:
                query = query.where(col(QuestionLog.created_at) >= since_time)
                tickets_query = tickets_query.where(col(Ticket.created_at) >= since_time)
            if university_id is not None:
                query = query.where(QuestionLog.university_id == university_id)
                tickets_query = tickets_query.where(Ticket.university_id == university_id)
            questions = (await session.exec(query)).all()
            tickets = (await session.exec(tickets_query)).all()
            names = {
                u.id: u.short_name or u.name for u in (await session.exec(select(University))).all()
            }
        report = InsightsReport(
            since=since,
            university_id=university_id,
            university_name=names.get(university_id) if university_id else None,
        )
        per_day: Counter[date] = Counter()
        per_university: Counter[str] = Counter()
        topics: Counter[str] = Counter()
        gaps: Counter[str] = Counter()
        gap_example: dict[str, str] = {}
        for record in questions:
            report.total_questions += 1
            per_day[in_pakistan(record.created_at).date()] += 1
            per_university[
                names.get(record.university_id, UNKNOWN_UNIVERSITY)
                if record.university_id
                else UNKNOWN_UNIVERSITY
            ] += 1
            if record.content_free:
                report.content_free += 1
            elif record.abstained:
                report.abstained += 1
                key = normalise_question(record.question)
                gaps[key] += 1
                gap_example.setdefault(key, record.question)
            else:
                report.answered += 1
                if record.top_section:
                    topics[record.top_section] += 1
            if record.feedback == 1:
                report.thumbs_up += 1
            elif record.feedback == -1:
                report.thumbs_down += 1
        report.per_day = sorted(per_day.items())
        report.per_university = per_university.most_common()
        report.topics = topics.most_common(TOP_N)
        report.gaps = [
            GapQuestion(gap_example[key], count)
            for key, count in sorted(gaps.items(), key=lambda item: (-item[1], item[0]))[:TOP_N]
        ]
        hours = _answer_hours(tickets)
        report.tickets = len(tickets)
        report.tickets_answered = len(hours)
        report.tickets_to_desk = sum(1 for t in tickets if t.sent_to_desk_at is not None)
        if hours:
            report.median_answer_hours = statistics.median(hours)
            report.max_answer_hours = max(hours)
        return report


def _answer_hours(tickets: Sequence[Ticket]) -> list[float]:
    return [
        (t.answered_at - t.created_at).total_seconds() / 3600
        for t in tickets
        if t.answered_at is not None
    ]


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def format_text(report: InsightsReport, *, help_desk: str) -> str:
    """A plain-text report for the terminal (the bot renders its own, translated); `help_desk`
    names where tickets no focal person takes go (the programme's, "the HEC desk")."""
    scope = report.university_name or (
        f"university {report.university_id}" if report.university_id else "all universities"
    )
    lines = [f"Insights for {scope}" + (f" since {report.since}" if report.since else "")]
    lines.append(
        f"Questions: {report.total_questions} (answered {report.answered}, "
        f"not answered {report.abstained}, {_percent(report.abstained, report.total_questions)})"
    )
    if report.content_free:
        lines.append(f"Not a question (👍, ok, one word): {report.content_free}")
    lines.append(
        f"Feedback: {report.thumbs_up} helpful, {report.thumbs_down} not helpful "
        f"({_percent(report.thumbs_up, report.rated)} helpful)"
    )
    answer_time = (
        f", median answer time {report.median_answer_hours:.1f} h"
        if report.median_answer_hours is not None
        else ""
    )
    lines.append(
        f"Escalations: {report.tickets} tickets, {report.tickets_answered} answered, "
        f"{report.tickets_to_desk} sent to {help_desk}{answer_time}"
    )
    sections = [
        ("Questions per day", [(str(day), count) for day, count in report.per_day]),
        ("Questions per university", report.per_university),
        ("Main topics", report.topics),
        ("Unanswered questions", [(gap.text, gap.count) for gap in report.gaps]),
    ]
    for title, rows in sections:
        lines.append("")
        lines.append(f"{title}:")
        lines.extend(f"  {count:>5}  {label}" for label, count in rows)
        if not rows:
            lines.append("  (none)")
    return "\n".join(lines)


def format_csv(report: InsightsReport) -> str:
    """One row per figure: section,label,value (easy to pivot in a spreadsheet)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def write(values: list[Any]) -> None:
        writer.writerow(csv_row(values))  # learners' questions are text, never formulas

    write(["section", "label", "value"])
    summary = [
        ("questions", report.total_questions),
        ("answered", report.answered),
        ("not_answered", report.abstained),
        ("not_a_question", report.content_free),
        ("thumbs_up", report.thumbs_up),
        ("thumbs_down", report.thumbs_down),
        ("tickets", report.tickets),
        ("tickets_answered", report.tickets_answered),
        ("tickets_to_desk", report.tickets_to_desk),
        ("median_answer_hours", _round(report.median_answer_hours)),
        ("max_answer_hours", _round(report.max_answer_hours)),
    ]
    for label, value in summary:
        write(["summary", label, value])
    for day, count in report.per_day:
        write(["per_day", day.isoformat(), count])
    for name, count in report.per_university:
        write(["per_university", name, count])
    for topic, count in report.topics:
        write(["topic", topic, count])
    for gap in report.gaps:
        write(["unanswered", gap.text, gap.count])
    return buffer.getvalue()


def _round(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
