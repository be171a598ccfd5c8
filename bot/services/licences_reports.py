"""Coursera's programme reports in: membership and usage CSV exports kept as dated snapshots.

The default mapping reads Coursera's own headers; another layout is described by a mapping file
(YAML: `columns: {field: "Header"}`, optional `date_format`). Every row is checked; one bad row
and nothing is written (the whole import is one transaction), and every bad row is reported with
its line number. Rows are linked to learners by the e-mail address they verified in `/apply`.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.errors import InvalidInputError
from bot.storage import licence_repository as repo
from bot.storage.db import Database
from bot.storage.licence_models import ReportKind, ReportSnapshot

# field -> (Coursera's header, required)
MEMBERSHIP_FIELDS: dict[str, tuple[str, bool]] = {
    "email": ("Email", True),
    "invitation_date": ("Invitation Date", False),
    "join_date": ("Join Date", False),
    "member_state": ("Member State", False),
}
USAGE_FIELDS: dict[str, tuple[str, bool]] = {
    "email": ("Email", True),
    "course": ("Course", True),
    "enrollment_time": ("Enrollment Time", False),
    "last_activity_time": ("Last Course Activity Time", False),
    "overall_progress": ("Overall Progress", False),
    "learning_hours": ("Learning Hours Spent", False),
    "completed": ("Completed", True),
    "completion_time": ("Completion Time", False),
}
FIELDS = {ReportKind.MEMBERSHIP: MEMBERSHIP_FIELDS, ReportKind.USAGE: USAGE_FIELDS}
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0", ""})
MAX_PROBLEMS_SHOWN = 50
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]|$)")
_CHUNK = 5000


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


class ReportImportError(InvalidInputError):
    """The report has bad rows (or a bad header); nothing was imported."""

    def __init__(self, problems: list[RowProblem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        shown = "; ".join(f"line {p.line}: {p.message}" for p in problems[:5])
        more = f" (and {self.total - 5} more)" if self.total > 5 else ""
        super().__init__(f"{self.total} bad row(s), nothing imported: {shown}{more}")


@dataclass(frozen=True)
class ReportMapping:
    """Which header holds each field, and how dates are written."""

    columns: dict[str, str]
    date_format: str | None = None

    @classmethod
    def default(cls, kind: ReportKind) -> ReportMapping:
        return cls({name: header for name, (header, _) in FIELDS[kind].items()})

    @classmethod
    def from_yaml(cls, kind: ReportKind, text: str) -> ReportMapping:
        """`columns:` maps field names to headers; fields not named keep Coursera's header."""
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            raise InvalidInputError(f"mapping: not valid YAML: {error}") from None
        if not isinstance(data, dict):
            raise InvalidInputError("mapping: expected `columns:` and optional `date_format:`")
        section = data.get(kind.value, data)
        columns = section.get("columns", {}) if isinstance(section, dict) else {}
        if not isinstance(columns, dict):
            raise InvalidInputError("mapping: `columns` must map field names to headers")
        unknown = sorted(set(columns) - set(FIELDS[kind]))
        if unknown:
            raise InvalidInputError(
                f"mapping: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS[kind])}"
            )
        merged = cls.default(kind).columns | {str(k): str(v) for k, v in columns.items()}
        date_format = section.get("date_format") if isinstance(section, dict) else None
        return cls(merged, str(date_format) if date_format else None)


@dataclass
class ImportSummary:
    snapshot_id: int
    kind: str
    as_of: date
    rows: int
    linked: int


@dataclass
class _Checker:
    kind: ReportKind
    mapping: ReportMapping
    positions: dict[str, int]
    emails: dict[str, int]
    problems: list[RowProblem] = field(default_factory=list)
    bad_rows: int = 0
    seen: dict[Any, int] = field(default_factory=dict)

    def row(self, line: int, values: list[str], snapshot_id: int) -> dict[str, Any] | None:
        errors: list[str] = []

        def get(name: str) -> str:
            position = self.positions.get(name)
            if position is None or position >= len(values):
                return ""
            return values[position].strip()

        email = get("email").lower()
        if "@" not in email or " " in email:
            errors.append(f"{self.mapping.columns['email']}: not an e-mail address: {email!r}")
        record: dict[str, Any] = {
            "snapshot_id": snapshot_id,
            "email": email,
            "user_id": self.emails.get(email),
        }
        if self.kind is ReportKind.MEMBERSHIP:
            key: Any = email
            record["invited_on"] = self._date(get("invitation_date"), "invitation_date", errors)
            record["joined_on"] = self._date(get("join_date"), "join_date", errors)
            record["member_state"] = get("member_state")[:32]
        else:
            course = get("course")
            if not course:
                errors.append(f"{self.mapping.columns['course']}: empty")
            key = (email, course)
            record["course"] = course[:300]
            record["enrolled_on"] = self._date(get("enrollment_time"), "enrollment_time", errors)
            record["last_activity_on"] = self._date(
                get("last_activity_time"), "last_activity_time", errors
            )
            record["progress"] = self._number(get("overall_progress"), "overall_progress", errors)
            record["hours"] = self._number(get("learning_hours"), "learning_hours", errors)
            completed = get("completed").lower()
            if completed in YES:
                record["completed"] = True
            elif completed in NO:
                record["completed"] = False
            else:
                errors.append(f"{self.mapping.columns['completed']}: expected Yes or No")
            record["completed_on"] = self._date(get("completion_time"), "completion_time", errors)
        if not errors and key in self.seen:
            what = "member" if self.kind is ReportKind.MEMBERSHIP else "learner and course"
            errors.append(f"the same {what} as line {self.seen[key]}")
        if errors:
            self.bad_rows += 1
            if len(self.problems) < MAX_PROBLEMS_SHOWN:
                self.problems.append(RowProblem(line, "; ".join(errors)))
            return None
        self.seen[key] = line
        return record

    def _date(self, text: str, name: str, errors: list[str]) -> date | None:
        if not text:
            return None
        parsed = parse_report_date(text, self.mapping.date_format)
        if parsed is None:
            errors.append(f"{self.mapping.columns[name]}: not a date: {text!r}")
        return parsed

    def _number(self, text: str, name: str, errors: list[str]) -> float:
        if not text:
            return 0.0
        try:
            value = float(text.rstrip("%").replace(",", ""))
        except ValueError:
            errors.append(f"{self.mapping.columns[name]}: not a number: {text!r}")
            return 0.0
        if not value >= 0:  # negative or NaN
            errors.append(f"{self.mapping.columns[name]}: must be 0 or more: {text!r}")
        return value


def parse_report_date(text: str, date_format: str | None = None) -> date | None:
    """A date from Coursera's timestamps ("2026-03-01T10:00:00.000Z", "2026-03-01 10:00:00 UTC",
    "2026-03-01") or from the mapping's `date_format`. The calendar day as written (UTC)."""
    if date_format:
        try:
            return datetime.strptime(text, date_format).date()
        except ValueError:
            # A workbook's date cell is written ISO (`_cell_text`), whatever the mapping says
            # the export's text dates look like.
            if not ISO_DAY.match(text):
                return None
    cleaned = text.strip()
    for suffix in (" UTC", " GMT", " Z"):
        cleaned = cleaned.removesuffix(suffix)
    try:
        return datetime.fromisoformat(cleaned).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(cleaned[:10])
    except ValueError:
        return None


# What a report's header row may be separated by: Coursera's comma; Excel's CSV where the
# decimal mark is a comma (semicolons); a "Unicode text" or TSV export (tabs).
DELIMITERS = (",", ";", "\t")
# A zip archive's first bytes: an Excel workbook (.xlsx), whatever the file is named.
WORKBOOK_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
SAVE_AS_CSV = "save it from Excel as 'CSV UTF-8', or import the .xlsx workbook itself"


def _records(stream: io.TextIOBase) -> Iterator[tuple[int, list[str]]]:
    # The separator is the header's: a semicolon-separated export was one column named
    # "Email;Invitation Date;..." and told "missing column(s): Email (use --mapping)".
    header = stream.readline()
    delimiter = max(DELIMITERS, key=header.count) if header else ","
    # strict: a stray quote stops the import at the row it is in. Without it, and for a quote
    # opened and never closed, the rest of the file was read into one field until csv's field
    # limit raised a traceback; the row where that field began is named.
    reader = csv.reader(itertools.chain([header], stream), delimiter=delimiter, strict=True)
    while True:
        starts = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = f"malformed CSV: {error}; is a quote in this row opened and not closed?"
            raise ReportImportError([RowProblem(starts, problem)]) from None
        if any(value.strip() for value in values):
            yield reader.line_num, values


def _cell_text(value: object) -> str:
    """A workbook cell as the CSV export writes it (dates ISO, Yes/No, whole numbers bare)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _workbook_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows of an Excel workbook, numbered as Excel numbers them."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InvalidInputError(
            f"{path}: not an Excel workbook that can be read ({error})"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [_cell_text(value) for value in row]
            if any(value.strip() for value in values):
                yield line, values
    finally:
        workbook.close()


class ReportImportService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def import_file(
        self,
        path: Path,
        *,
        kind: ReportKind,
        as_of: date,
        mapping: ReportMapping | None = None,
    ) -> ImportSummary:
        """A report as Coursera exports it (CSV, UTF-8) or as it was saved again in Excel:
        a workbook (.xlsx), CSV with semicolons, or "Unicode text" (UTF-16, tab-separated)."""
        try:
            with path.open("rb") as file:
                start = file.read(4)
            if start == WORKBOOK_MAGIC:
                return await self.import_records(
                    _workbook_records(path),
                    kind=kind,
                    as_of=as_of,
                    mapping=mapping,
                    file_name=path.name,
                )
            encoding = "utf-16" if start[:2] in UTF16_BOMS else "utf-8-sig"
            with path.open(encoding=encoding, newline="") as stream:
                return await self.import_stream(
                    stream, kind=kind, as_of=as_of, mapping=mapping, file_name=path.name
                )
        except OSError as error:
            raise InvalidInputError(f"cannot read {path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise InvalidInputError(f"{path}: not UTF-8 text; {SAVE_AS_CSV}") from None

    async def import_stream(
        self,
        stream: io.TextIOBase,
        *,
        kind: ReportKind,
        as_of: date,
        mapping: ReportMapping | None = None,
        file_name: str = "",
    ) -> ImportSummary:
        """Check and store every row of a CSV text in one transaction."""
        return await self.import_records(
            _records(stream), kind=kind, as_of=as_of, mapping=mapping, file_name=file_name
        )

    async def import_records(
        self,
        records: Iterator[tuple[int, list[str]]],
        *,
        kind: ReportKind,
        as_of: date,
        mapping: ReportMapping | None = None,
        file_name: str = "",
    ) -> ImportSummary:
        """Check and store every (line, values) row, the header first, in one transaction;
        any bad row and nothing is stored."""
        mapping = mapping or ReportMapping.default(kind)
        header = next(records, None)
        if header is None:
            raise ReportImportError([RowProblem(1, "the file is empty")])
        positions = _positions(kind, mapping, header[1])
        async with self._database.session() as session:
            emails = await repo.verified_emails(session)
            checker = _Checker(kind, mapping, positions, emails)
            snapshot_id = await repo.add_snapshot(
                session,
                snapshot=ReportSnapshot(kind=kind.value, as_of=as_of, file_name=file_name[:300]),
            )
            batch: list[dict[str, Any]] = []
            rows = linked = 0
            for line, values in records:
                record = checker.row(line, values, snapshot_id)
                if record is None or checker.bad_rows:
                    continue  # after the first bad row only checking goes on
                batch.append(record)
                rows += 1
                linked += record["user_id"] is not None
                if len(batch) >= _CHUNK:
                    await repo.insert_report_rows(session, kind=kind, rows=batch)
                    batch = []
            if checker.bad_rows:
                raise ReportImportError(checker.problems, checker.bad_rows)
            await repo.insert_report_rows(session, kind=kind, rows=batch)
            await repo.set_snapshot_counts(
                session, snapshot_id=snapshot_id, rows=rows, linked=linked
            )
        return ImportSummary(snapshot_id, kind.value, as_of, rows, linked)


def _positions(kind: ReportKind, mapping: ReportMapping, header: list[str]) -> dict[str, int]:
    index = {name.strip().casefold(): position for position, name in enumerate(header)}
    positions: dict[str, int] = {}
    missing = []
    for name, (_, required) in FIELDS[kind].items():
        wanted = mapping.columns[name]
        position = index.get(wanted.strip().casefold())
        if position is None:
            if required:
                missing.append(wanted)
            continue
        positions[name] = position
    if missing:
        raise ReportImportError(
            [RowProblem(1, f"missing column(s): {', '.join(missing)} (use --mapping)")]
        )
    return positions
