"""Reading course catalogues (CSV or JSON) into clean records, with a YAML column mapping.

Pure parsing: no database, no Telegram. `CourseService.import_file` stores what this returns.
Each problem row is reported by its line (CSV) or record number (JSON) and skipped; problems
with the file as a whole (unknown format, missing columns, unreadable mapping) raise
`CatalogueFileError` with a message an operator can act on.
"""

from __future__ import annotations

import ast
import codecs
import csv
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.errors import InvalidInputError
from bot.storage.courses_models import CourseKind, CourseLevel

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_MAPPING_PATH = DATA_DIR / "course_import_coursera.yaml"
SAMPLE_CATALOGUE_PATH = DATA_DIR / "courses_sample.csv"

FIELDS = ("title", "partner", "kind", "level", "duration", "rating", "skills", "description")
FIELDS_WITH_LANGUAGE = (*FIELDS, "url", "language")
REQUIRED_FIELDS = ("title", "url")
# Tried in order, after UTF-16 when a file starts with its byte-order mark (`encodings_to_try`).
# utf-8-sig also reads plain UTF-8; cp1252 is what Excel on Windows writes; latin-1 maps every
# byte, so it is the last resort that always decodes. An upload is read in UTF-8 or UTF-16 only.
UNICODE_ENCODINGS = ("utf-8-sig",)
ENCODINGS = (*UNICODE_ENCODINGS, "cp1252", "latin-1")
MAX_DESCRIPTION_CHARS = 1000

_KIND_ALIASES = {
    "course": CourseKind.COURSE,
    "specialization": CourseKind.SPECIALIZATION,
    "specialisation": CourseKind.SPECIALIZATION,
    "professional certificate": CourseKind.PROFESSIONAL_CERTIFICATE,
    "professional_certificate": CourseKind.PROFESSIONAL_CERTIFICATE,
    "certificate": CourseKind.PROFESSIONAL_CERTIFICATE,
    "guided project": CourseKind.GUIDED_PROJECT,
    "guided_project": CourseKind.GUIDED_PROJECT,
    "project": CourseKind.GUIDED_PROJECT,
}
_LEVEL_ALIASES = {
    "beginner": CourseLevel.BEGINNER,
    "introductory": CourseLevel.BEGINNER,
    "intermediate": CourseLevel.INTERMEDIATE,
    "advanced": CourseLevel.ADVANCED,
    "mixed": CourseLevel.MIXED,
    "all levels": CourseLevel.MIXED,
}


class CatalogueFileError(InvalidInputError):
    """The catalogue file or its mapping cannot be imported at all."""


class CatalogueEncodingError(CatalogueFileError):
    """An uploaded catalogue is neither UTF-8 nor UTF-16 with a byte-order mark: guessing
    (cp1252, latin-1) would import its titles garbled."""


class CatalogueRowsError(InvalidInputError):
    """An all-or-nothing import (the Telegram upload) found bad rows; nothing was stored."""

    def __init__(self, problems: Iterable[RowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(self.problems)} row(s) to fix; nothing was imported")


@dataclass(frozen=True)
class CourseRecord:
    """One clean catalogue row, ready to store."""

    url: str
    title: str
    partner: str = ""
    kind: str = CourseKind.COURSE.value
    level: str = CourseLevel.MIXED.value
    duration: str = ""
    rating: float | None = None
    skills: tuple[str, ...] = ()
    description: str = ""
    language: str = "en"


@dataclass(frozen=True)
class RowProblem:
    """A skipped row: `line` is the file line where the row starts (CSV) or the record number."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ParsedCatalogue:
    records: list[CourseRecord] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    encoding: str = "utf-8"
    rows_read: int = 0


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column(s) feed each field, and defaults for unmapped or empty cells."""

    columns: Mapping[str, tuple[str, ...]]
    defaults: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = DEFAULT_MAPPING_PATH) -> ColumnMapping:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise CatalogueFileError(f"cannot read mapping {path}: {error}") from None
        return cls.from_dict(raw, source=str(path))

    @classmethod
    def from_dict(cls, raw: object, *, source: str = "mapping") -> ColumnMapping:
        if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
            raise CatalogueFileError(f"{source}: expected a 'columns:' section")
        columns: dict[str, tuple[str, ...]] = {}
        for name, value in raw["columns"].items():
            if name not in FIELDS_WITH_LANGUAGE:
                known = ", ".join(FIELDS_WITH_LANGUAGE)
                raise CatalogueFileError(f"{source}: unknown field {name!r} (known: {known})")
            sources = [value] if isinstance(value, str) else value
            if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
                raise CatalogueFileError(f"{source}: field {name!r} must name a column or a list")
            columns[name] = tuple(sources)
        missing = [name for name in REQUIRED_FIELDS if name not in columns]
        if missing:
            raise CatalogueFileError(f"{source}: map the required field(s) {', '.join(missing)}")
        defaults = raw.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise CatalogueFileError(f"{source}: 'defaults:' must be a mapping")
        return cls(columns=columns, defaults={str(k): str(v) for k, v in defaults.items()})


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def encodings_to_try(start: bytes, *, unicode_only: bool = False) -> tuple[str, ...]:
    """The encodings a catalogue file starting with `start` is tried in, in order: UTF-16 if it
    starts with its byte-order mark (Excel's and Notepad's "Unicode": read as cp1252 its header
    was "ÿþ..."), then ENCODINGS, or only UTF-8 when `unicode_only`."""
    rest = UNICODE_ENCODINGS if unicode_only else ENCODINGS
    return ("utf-16", *rest) if start[:2] in UTF16_BOMS else rest


def _named(encoding: str) -> str:
    """The encoding as a report names it (utf-8-sig reads UTF-8 with or without the mark)."""
    return "utf-8" if encoding == "utf-8-sig" else encoding


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a catalogue file in the first of `encodings_to_try` that reads it whole."""
    for encoding in encodings_to_try(data):
        try:
            return data.decode(encoding), _named(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def parse_catalogue_file(
    path: Path, mapping: ColumnMapping | None = None, *, unicode_only: bool = False
) -> ParsedCatalogue:
    """Read a `.csv` or `.json` catalogue into records, reporting and skipping bad rows; with
    `unicode_only`, a CSV neither UTF-8 nor UTF-16 is refused (`CatalogueEncodingError`).

    A CSV is streamed row by row (a 50,000-course export is ~100 MB: holding its text and every
    row at once took over a gigabyte)."""
    mapping = mapping or ColumnMapping.load()
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            text, encoding = decode_bytes(path.read_bytes())
            parsed = parse_rows(_json_rows(text, path), mapping)
        elif suffix in (".csv", ".txt", ""):
            encoding = detect_encoding(path, unicode_only=unicode_only)
            with path.open(
                encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
            ) as file:
                parsed = parse_rows(_csv_rows(file, path, mapping), mapping)
        else:
            raise CatalogueFileError(f"{path.name}: use a .csv or .json file (got {suffix})")
    except OSError as error:
        raise CatalogueFileError(f"cannot read {path}: {error.strerror or error}") from None
    parsed.encoding = encoding
    return parsed


def detect_encoding(path: Path, chunk: int = 1 << 20, *, unicode_only: bool = False) -> str:
    """The first of `encodings_to_try` that decodes the whole file, read in chunks (nothing
    kept); with `unicode_only`, `CatalogueEncodingError` when neither UTF-8 nor UTF-16 does
    (guessing cp1252 or latin-1 would import an upload's titles garbled)."""
    with path.open("rb") as file:
        start = file.read(2)
    for encoding in encodings_to_try(start, unicode_only=unicode_only):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as file:
                while block := file.read(chunk):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return _named(encoding)
    if unicode_only:
        raise CatalogueEncodingError("the file is not UTF-8 text")
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]], mapping: ColumnMapping
) -> ParsedCatalogue:
    """Turn (line, row) pairs into records; duplicates of an earlier URL are reported."""
    parsed = ParsedCatalogue()
    seen_urls: dict[str, int] = {}
    for line, row in rows:
        parsed.rows_read += 1
        try:
            record = _record_from_row(row, mapping)
        except ValueError as error:
            parsed.problems.append(RowProblem(line, str(error)))
            continue
        key = normalise_url(record.url)
        if key in seen_urls:
            parsed.problems.append(
                RowProblem(line, f"duplicate URL {record.url} (first on line {seen_urls[key]})")
            )
            continue
        seen_urls[key] = line
        parsed.records.append(record)
    return parsed


def _strict_rows(reader: Iterator[list[str]], path: Path) -> Iterator[list[str]]:
    line_of: Any = getattr(reader, "line_num", 0)
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line_of = getattr(reader, "line_num", line_of)
            raise CatalogueFileError(f"{path.name}:{line_of}: malformed CSV: {error}") from None


def _csv_rows(
    file: TextIO, path: Path, mapping: ColumnMapping
) -> Iterator[tuple[int, dict[str, Any]]]:
    # newline="" semantics: quoted fields keep their embedded LF while rows end in CRLF.
    # strict: a stray or unclosed quote stops the import with its line (nothing is imported).
    reader = csv.reader(file, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogueFileError(f"{path.name}: the file is empty") from None
    except csv.Error as error:
        raise CatalogueFileError(f"{path.name}:{reader.line_num}: malformed CSV: {error}") from None
    header = [name.strip() for name in header]
    # A field is satisfied when any of its columns is present (the sample has no
    # course_description, the full export has both).
    absent = {
        name: columns for name, columns in mapping.columns.items() if not set(columns) & set(header)
    }
    if absent:
        found = ", ".join(name or "(unnamed)" for name in header)
        described = "; ".join(
            f"{name} ({' or '.join(columns)}{', required' if name in REQUIRED_FIELDS else ''})"
            for name, columns in absent.items()
        )
        raise CatalogueFileError(
            f"{path.name}: missing column(s) for {described}; found: {found}. "
            "Fix the file or pass --mapping with its column names."
        )
    start = reader.line_num + 1
    for cells in _strict_rows(reader, path):
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield line, {"__error__": f"{len(cells)} cells, the header has {len(header)}"}
            continue
        yield line, dict(zip(header, cells, strict=True))


def _json_rows(text: str, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueFileError(f"{path.name}: not valid JSON ({error})") from None
    if isinstance(data, dict):
        data = data.get("courses")
    if not isinstance(data, list):
        raise CatalogueFileError(f"{path.name}: expected a list of courses or {{'courses': [...]}}")
    for number, item in enumerate(data, start=1):
        if isinstance(item, dict):
            yield number, item
        else:
            yield number, {"__error__": "not an object"}


def _record_from_row(row: Mapping[str, Any], mapping: ColumnMapping) -> CourseRecord:
    if "__error__" in row:
        raise ValueError(str(row["__error__"]))

    def value(name: str) -> Any:
        for column in mapping.columns.get(name, ()):
            cell = row.get(column)
            if cell not in (None, "", [], "[]"):
                return cell.strip() if isinstance(cell, str) else cell
        return mapping.defaults.get(name)

    title = _clean_text(value("title"))
    url = _clean_text(value("url"))
    if not title:
        raise ValueError("no title")
    if not url:
        raise ValueError("no URL")
    if not re.match(r"^https?://\S+$", url, re.IGNORECASE):
        raise ValueError(f"URL {url[:80]!r} does not start with http:// or https://")
    description = _join_text(value("description"))[:MAX_DESCRIPTION_CHARS]
    language = _clean_text(value("language")) or "auto"
    skills = parse_skills(value("skills"))
    if language == "auto":
        language = guess_language(f"{title} {description} {' '.join(skills)}", title=title, url=url)
    return CourseRecord(
        url=url,
        title=title[:300],
        partner=_clean_text(value("partner"))[:200],
        kind=_parse_kind(value("kind")),
        level=_parse_level(value("level")),
        duration=_clean_text(value("duration"))[:64],
        rating=_parse_rating(value("rating")),
        skills=skills,
        description=description,
        language=language[:8].lower(),
    )


def _clean_text(raw: Any) -> str:
    if raw is None:
        return ""
    return " ".join(str(raw).split())


def _join_text(raw: Any) -> str:
    """A description may be plain text or a list of bullets (Coursera's summary); a list that
    does not parse is kept as text rather than losing the row."""
    try:
        items = _as_list(raw)
    except ValueError:
        items = [str(raw).strip("[]")]
    return " ".join(_clean_text(item) for item in items if _clean_text(item))


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        return list(raw)
    text = str(raw).strip()
    if text.startswith("["):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ValueError(f"cannot read the list {text[:40]!r}") from None
        if isinstance(value, list | tuple):
            return list(value)
    return [text]


def parse_skills(raw: Any) -> tuple[str, ...]:
    """Skills as a Python/JSON list literal, a list, or a ';'/'|'/','-separated string."""
    items = _as_list(raw)
    if len(items) == 1 and isinstance(items[0], str):
        items = re.split(r"[;|,]", items[0])
    skills: list[str] = []
    seen: set[str] = set()
    for item in items:
        skill = _clean_text(item)
        if skill and skill.lower() not in seen:
            seen.add(skill.lower())
            skills.append(skill[:80])
    return tuple(skills)


def parse_number(raw: Any) -> float | None:
    """'4.7', '1,080,159', '39.2k', '1.2M' -> float; empty -> None; anything else -> ValueError."""
    if raw is None:
        return None
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip().lower().replace(",", "")
    if not text:
        return None
    multiplier = 1.0
    if text[-1:] in ("k", "m"):
        multiplier = 1_000.0 if text[-1] == "k" else 1_000_000.0
        text = text[:-1]
    try:
        return float(text) * multiplier
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None


def _parse_rating(raw: Any) -> float | None:
    rating = parse_number(raw)
    if rating is not None and not 0 <= rating <= 5:
        raise ValueError(f"rating {raw!r} is not between 0 and 5")
    return rating


def _parse_kind(raw: Any) -> str:
    text = _clean_text(raw).lower()
    if not text:
        return CourseKind.COURSE.value
    kind = _KIND_ALIASES.get(text)
    if kind is None:
        known = ", ".join(sorted({k.value for k in CourseKind}))
        raise ValueError(f"unknown course type {raw!r} (known: {known})")
    return kind.value


def _parse_level(raw: Any) -> str:
    text = _clean_text(raw).lower()
    if not text:
        return CourseLevel.MIXED.value
    level = _LEVEL_ALIASES.get(text)
    if level is None:
        raise ValueError(f"unknown level {raw!r} (beginner, intermediate, advanced or mixed)")
    return level.value


def normalise_url(url: str) -> str:
    """Two spellings of one course page count as the same course."""
    return url.strip().rstrip("/").split("?", 1)[0].split("#", 1)[0].lower()


_STOPWORDS = {
    "es": {"de", "la", "el", "y", "para", "los", "las", "en", "del", "con", "una", "un", "por"},
    "fr": {"de", "la", "le", "et", "les", "des", "du", "pour", "une", "un", "sur", "en"},
    "de": {"der", "die", "das", "und", "sie", "mit", "für", "ein", "eine", "von", "zu", "ist"},
    "pt": {"de", "da", "do", "e", "para", "os", "as", "em", "com", "uma", "um", "dos"},
    "id": {"dan", "yang", "untuk", "dengan", "dari", "dalam", "anda", "ini", "akan", "ke", "pada"},
    "en": {"the", "and", "of", "to", "for", "in", "with", "a", "an", "your", "you", "how"},
}
# A language named in a title ("Google UX Design (PT)") or at the end of a URL slug
# (".../google-it-arabic"): Coursera's translated certificates keep the English title.
_TITLE_TAGS = {
    "de": "de",
    "deutsch": "de",
    "pt": "pt",
    "português": "pt",
    "es": "es",
    "español": "es",
    "fr": "fr",
    "français": "fr",
    "ar": "ar",
    "ja": "ja",
    "jp": "ja",
    "id": "id",
}
_SLUG_TAGS = {
    "de": "de",
    "pt": "pt",
    "es": "es",
    "fr": "fr",
    "arabic": "ar",
    "jp": "ja",
    "japanese": "ja",
    "ua": "uk",
    "id": "id",
    "indonesian": "id",
    "espanol": "es",
}


def guess_language(text: str, *, title: str = "", url: str = "") -> str:
    """A rough language code from a language tag in the title or URL, letters and stopwords;
    'en' when unsure.

    Good enough to keep Spanish, Indonesian, Arabic or Chinese courses (and English-titled
    translations, "Google Data Analytics (DE)") from reaching learners who asked in English;
    a catalogue with a language column should map it instead.
    """
    tag = re.search(r"\(([^)]{2,10})\)\s*$", title)
    if tag and tag.group(1).lower() in _TITLE_TAGS:
        return _TITLE_TAGS[tag.group(1).lower()]
    slug = normalise_url(url).rsplit("/", 1)[-1] if url else ""
    if "-" in slug and slug.rsplit("-", 1)[1] in _SLUG_TAGS:
        return _SLUG_TAGS[slug.rsplit("-", 1)[1]]
    if re.search(r"[\u0600-\u06ff]", text):
        return "ar"
    if re.search(r"[\u0400-\u04ff]", text):
        return "uk" if re.search(r"[іїєґ]", text) else "ru"
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    counts = Counter(re.findall(r"[a-zà-ÿ]+", text[:1500].lower()))
    if not counts:
        return "en"
    scores = {lang: sum(counts[word] for word in stops) for lang, stops in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if best != "en" and scores[best] > scores["en"] * 1.5 and scores[best] >= 2:
        return best
    if re.search(r"[áéíóúñ¿¡]", text) and scores["es"] >= scores["en"]:
        return "es"
    return "en"
