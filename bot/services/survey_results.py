"""Survey results: counts, distributions, headline percentages, cross-tabs, CSV/XLSX export.

The same `SurveyResults` feeds `/results` in Telegram and `hecbot survey results` in a terminal.
Focal persons see their own university only; HEC admins see everything.
"""

from __future__ import annotations

import csv
import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import in_pakistan
from bot.services.permissions import Actor, Permission, scope_for
from bot.services.spreadsheet import csv_row, starts_like_formula
from bot.services.survey_definitions import (
    Condition,
    QuestionType,
    SurveyDefinition,
    answer_key,
    parse_stored_survey,
)
from bot.storage import survey_repository
from bot.storage.db import Database
from bot.storage.survey_models import SurveyResponse

ExportFormat = Literal["csv", "xlsx"]
# An export cell of a question the learner was shown and skipped; a question they were never
# asked (a skip rule hid it, or an unfinished response had not reached it) is an empty cell.
SKIPPED_CELL = "[skipped]"
CROSS_TAB_DIMENSIONS = ("university", "role", "wave")
TEXT_SAMPLES = 5


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float  # of those who answered the question


@dataclass(frozen=True)
class QuestionResult:
    id: str
    text: str
    type: QuestionType
    answered: int
    skipped: int
    bars: tuple[Bar, ...] = ()
    mean: float | None = None
    median: float | None = None
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeadlineResult:
    id: str
    text: str
    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class CrossTabRow:
    group: str
    responses: int
    shares: dict[str, float | None]  # headline id -> share


@dataclass(frozen=True)
class CrossTab:
    dimension: str
    rows: tuple[CrossTabRow, ...]


@dataclass(frozen=True)
class SurveyResults:
    slug: str
    title: str
    version: int
    university_id: int | None
    invited: int
    responses: int
    in_progress: int
    questions: tuple[QuestionResult, ...]
    headlines: tuple[HeadlineResult, ...]
    cross_tabs: tuple[CrossTab, ...]
    university: str | None = None  # the name of `university_id`'s university

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.invited if self.invited else None


@dataclass
class _Loaded:
    response: SurveyResponse
    wave_label: str
    version: int
    answers: dict[str, Any]  # question id -> value (None: skipped)
    skipped: frozenset[str] = frozenset()  # ids of the questions shown and skipped


def university_scope(viewer: Actor, university_id: int | None) -> int | None:
    """Which university's results `viewer` may see (None: all); refuses everyone else."""
    return scope_for(viewer, Permission.VIEW_RESULTS_OWN_UNIVERSITY, university_id)


class SurveyResultsService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def results(
        self, slug: str, *, university_id: int | None = None, language: str = "en"
    ) -> SurveyResults:
        definition, loaded, invited = await self._load(slug, university_id)
        completed = [item for item in loaded if item.response.completed_at is not None]
        async with self._database.session() as session:
            names = await survey_repository.university_names(session)
        return SurveyResults(
            slug=slug,
            title=definition.title.get(language),
            version=definition.version,
            university_id=university_id,
            university=_university(names, university_id),
            invited=invited,
            responses=len(completed),
            in_progress=len(loaded) - len(completed),
            questions=tuple(_question_results(definition, completed, language)),
            headlines=tuple(_headlines(definition, completed, language)),
            cross_tabs=tuple(
                _cross_tab(definition, completed, dimension, names)
                for dimension in CROSS_TAB_DIMENSIONS
            ),
        )

    async def export_rows(
        self, slug: str, *, university_id: int | None = None
    ) -> tuple[list[str], list[list[Any]]]:
        """One row per response (finished or not); anonymous surveys have no user id column.

        A skipped question's cell is `SKIPPED_CELL`; a question not asked is empty (None).
        """
        definition, loaded, _ = await self._load(slug, university_id)
        header = ["response_id", "wave", "version"]
        if not definition.anonymous:
            header.append("user_id")
        header += [
            "university_id",
            "role",
            "learner_kind",
            "language",
            "started_at",
            "completed_at",
        ]
        header += [question.id for question in definition.questions]
        rows: list[list[Any]] = []
        for item in loaded:
            response = item.response
            row: list[Any] = [response.id, item.wave_label, item.version]
            if not definition.anonymous:
                row.append(response.user_id)
            row += [
                response.university_id,
                response.role,
                response.learner_kind,
                response.language,
                _iso(response.started_at),
                _iso(response.completed_at),
            ]
            row += [
                SKIPPED_CELL
                if question.id in item.skipped
                else _cell(item.answers.get(question.id))
                for question in definition.questions
            ]
            rows.append(row)
        return header, rows

    async def export(
        self,
        slug: str,
        path: Path,
        export_format: ExportFormat,
        *,
        university_id: int | None = None,
    ) -> int:
        """Write the export file; returns the number of responses written."""
        header, rows = await self.export_rows(slug, university_id=university_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        if export_format == "csv":
            # With its byte-order mark: Excel reads a CSV without one in the Windows code page,
            # and an Urdu comment or name came out as "Ø³Ø±Ùˆ...".
            with path.open("w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows([csv_row(["" if v is None else v for v in row]) for row in rows])
        elif export_format == "xlsx":
            from openpyxl import Workbook

            workbook = Workbook()
            sheet = workbook.active
            sheet.title = slug[:31]
            sheet.append(header)
            for row in rows:
                sheet.append(row)
                for cell in sheet[sheet.max_row]:
                    if starts_like_formula(cell.value):
                        cell.data_type = "s"  # openpyxl took the text for a formula
            workbook.save(path)
        else:
            raise InvalidInputError(f"unknown export format {export_format!r} (csv or xlsx)")
        return len(rows)

    async def _load(
        self, slug: str, university_id: int | None
    ) -> tuple[SurveyDefinition, list[_Loaded], int]:
        async with self._database.session() as session:
            latest = await survey_repository.latest_version(session, slug)
            if latest is None:
                raise NotFoundError(f"no survey {slug!r}")
            definition = parse_stored_survey(latest.source)
            rows = await survey_repository.responses_of(session, slug, university_id)
            invited = await survey_repository.invited_count(session, slug, university_id)
            ids = [survey_repository.row_id(response.id) for response, _, _ in rows]
            answers: dict[int, dict[str, Any]] = defaultdict(dict)
            skipped: dict[int, set[str]] = defaultdict(set)
            for answer in await survey_repository.answers_of(session, ids):
                answers[answer.response_id][answer.question_id] = (
                    None if answer.skipped else answer.value
                )
                if answer.skipped:
                    skipped[answer.response_id].add(answer.question_id)
        loaded = [
            _Loaded(
                response,
                label,
                version,
                answers.get(response.id or 0, {}),
                frozenset(skipped.get(response.id or 0, ())),
            )
            for response, label, version in rows
        ]
        return definition, loaded, invited


def _question_results(
    definition: SurveyDefinition, completed: Sequence[_Loaded], language: str
) -> list[QuestionResult]:
    results = []
    for question in definition.questions:
        given = [item.answers[question.id] for item in completed if question.id in item.answers]
        values = [value for value in given if value is not None]
        skipped = len(given) - len(values)
        text = question.text.get(language)
        if question.type is QuestionType.NUMBER:
            numbers = [float(value) for value in values]
            results.append(
                QuestionResult(
                    question.id,
                    text,
                    question.type,
                    len(values),
                    skipped,
                    bars=_number_bars(numbers),
                    mean=statistics.fmean(numbers) if numbers else None,
                    median=statistics.median(numbers) if numbers else None,
                )
            )
        elif question.type is QuestionType.TEXT:
            results.append(
                QuestionResult(
                    question.id,
                    text,
                    question.type,
                    len(values),
                    skipped,
                    samples=tuple(str(value) for value in values[-TEXT_SAMPLES:]),
                )
            )
        else:
            counts: Counter[str] = Counter()
            for value in values:
                for item in value if isinstance(value, list) else [value]:
                    counts[answer_key(item)] += 1
            bars = tuple(
                Bar(
                    option.text.get(language),
                    counts[option.id],
                    counts[option.id] / len(values) if values else 0.0,
                )
                for option in question.choices()
            )
            mean = None
            if question.type in (QuestionType.RATING, QuestionType.NPS) and values:
                mean = statistics.fmean(float(value) for value in values)
            results.append(
                QuestionResult(question.id, text, question.type, len(values), skipped, bars, mean)
            )
    return results


def _number_bars(numbers: list[float]) -> tuple[Bar, ...]:
    """Quartile bands: "how much do freelancers earn" reads better as ranges than as a mean."""
    if not numbers:
        return ()
    if len(set(numbers)) == 1:
        return (Bar(f"{numbers[0]:,.0f}", len(numbers), 1.0),)
    cuts = statistics.quantiles(numbers, n=4)
    edges = [min(numbers), *cuts, max(numbers)]
    bars = []
    for band, (low, high) in enumerate(itertools.pairwise(edges)):
        last = band == len(edges) - 2
        count = sum(1 for n in numbers if low <= n < high or (last and n == high))
        if count:
            bars.append(Bar(f"{low:,.0f}–{high:,.0f}", count, count / len(numbers)))
    return tuple(bars)


def _headlines(
    definition: SurveyDefinition, completed: Sequence[_Loaded], language: str
) -> list[HeadlineResult]:
    results = []
    for headline in definition.headlines:
        among = headline.among
        pool = [
            item.answers
            for item in completed
            if item.answers.get(headline.question) is not None
            and (among is None or among.holds(item.answers))
        ]
        rule = Condition(headline.question, headline.values)
        results.append(
            HeadlineResult(
                headline.id,
                headline.text.get(language),
                sum(1 for answers in pool if rule.holds(answers)),
                len(pool),
            )
        )
    return results


def _university(names: dict[int, str], university_id: int | None) -> str | None:
    if university_id is None:
        return None
    return names.get(university_id, f"university {university_id}")


def _cross_tab(
    definition: SurveyDefinition,
    completed: Sequence[_Loaded],
    dimension: str,
    names: dict[int, str],
) -> CrossTab:
    groups: dict[str, list[_Loaded]] = defaultdict(list)
    for item in completed:
        if dimension == "university":
            # Named as staff know it ("COMSATS"): the rows read "1", "12", "2".
            key = _university(names, item.response.university_id) or "—"
        elif dimension == "role":
            key = item.response.learner_kind or item.response.role or "—"
        else:
            key = item.wave_label
        groups[key].append(item)
    rows = []
    for group in sorted(groups):
        members = groups[group]
        shares = {h.id: h.share for h in _headlines(definition, members, "en")}
        rows.append(CrossTabRow(group, len(members), shares))
    return CrossTab(dimension, tuple(rows))


def _iso(value: datetime | None) -> str | None:
    """Pakistan time with its offset ("2026-12-05T15:00:00+05:00"): read by people and programs."""
    return in_pakistan(value).isoformat(timespec="seconds") if value else None


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return value


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def format_results(results: SurveyResults) -> str:
    """Plain text for a terminal or a Telegram <pre> block."""
    scope = f" ({results.university})" if results.university else ""
    lines = [
        f"{results.title} — {results.slug} v{results.version}{scope}",
        f"Responses: {results.responses} of {results.invited} invited "
        f"({_percent(results.response_rate)}); {results.in_progress} in progress",
    ]
    if results.headlines:
        lines += ["", "Headlines:"]
        lines += [
            f"  {_percent(h.share)} {h.text} ({h.numerator}/{h.denominator})"
            for h in results.headlines
        ]
    for number, question in enumerate(results.questions, start=1):
        lines += [
            "",
            f"{number}. {question.text}  [{question.answered} answered, "
            f"{question.skipped} skipped]",
        ]
        for bar in question.bars:
            lines.append(f"   {bar.label[:40]:<40} {bar.count:>6}  {_percent(bar.share):>4}")
        if question.mean is not None:
            median = f", median {question.median:,.1f}" if question.median is not None else ""
            lines.append(f"   mean {question.mean:,.1f}{median}")
        lines += [f"   “{sample[:80]}”" for sample in question.samples]
    for tab in results.cross_tabs:
        if len(tab.rows) < 2 and tab.dimension != "wave":
            continue
        lines += ["", f"By {tab.dimension}:"]
        for row in tab.rows:
            shares = "  ".join(f"{key} {_percent(value)}" for key, value in row.shares.items())
            lines.append(f"   {row.group[:24]:<24} n={row.responses:<5} {shares}")
    return "\n".join(lines)
