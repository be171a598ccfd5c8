"""HEC-recognised universities: loading the bundled list, importing HEC's file, fuzzy search."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlmodel import col, func, select

from bot.errors import InvalidInputError, NotFoundError
from bot.storage.db import Database
from bot.storage.people_models import University

BUNDLED_UNIVERSITIES_CSV = Path(__file__).resolve().parent.parent / "data" / "universities.csv"
CSV_COLUMNS = ("code", "name", "name_ur", "short_name", "city", "province", "sector", "aliases")
REQUIRED_COLUMNS = ("code", "name")
SECTORS = frozenset({"public", "private"})
_CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MATCH_LIMIT = 5
MATCH_CUTOFF = 70.0
GENERIC_WORDS_PATH = (
    Path(__file__).resolve().parent.parent / "data" / "university_generic_words.txt"
)
# A typed word and a word of a name are one when this alike (a typo: "cmsats", "comsats").
WORD_CUTOFF = 80.0

# Arabic-script letters that Urdu keyboards and Arabic keyboards type differently.
_ARABIC_TO_URDU = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh -> Farsi/Urdu yeh
        "\u0649": "\u06cc",  # alef maksura -> yeh
        "\u0643": "\u06a9",  # Arabic kaf -> keheh
        "\u0629": "\u06c1",  # teh marbuta -> heh goal
        "\u0647": "\u06c1",  # heh -> heh goal
        "\u06be": "\u06c1",  # heh doachashmee compared loosely
        "\u0623": "\u0627",  # alef with hamza -> alef
        "\u0622": "\u0627",  # alef madda -> alef
        "\u0625": "\u0627",
        "\u06d2": "\u06cc",  # yeh barree -> yeh
        "\u200c": " ",  # zero-width non-joiner
    }
)
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_NON_WORD = re.compile(r"[^\w]+")


def normalise_name(text: str) -> str:
    """Fold case, punctuation, Arabic/Urdu letter variants and diacritics for matching."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_ARABIC_TO_URDU)
    text = _DIACRITICS.sub("", text).replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", text).split())


@cache
def generic_words() -> frozenset[str]:
    """Words many universities' names hold (bot/data/university_generic_words.txt)."""
    lines = GENERIC_WORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(
        normalise_name(line) for line in lines if line.strip() and not line.startswith("#")
    )


def _word_matches(typed: str, word: str) -> bool:
    if typed == word:
        return True
    if len(typed) < 3:  # "at", "pu": only as written
        return False
    if word.startswith(typed) or fuzz.ratio(typed, word) >= WORD_CUTOFF:
        return True
    # Words run together ("comsatsuniversity", "nustian"): a telling word of the name begins it.
    return len(word) >= 3 and word not in generic_words() and typed.startswith(word)


def telling_words(query: str) -> list[str]:
    """The words of `query` (normalised) that tell one university from another: neither generic
    ("university") nor a letter alone."""
    return [word for word in query.split() if len(word) > 1 and word not in generic_words()]


def shares_a_word(telling: Sequence[str], key: str) -> bool:
    """Whether `key` (a normalised name) holds one of a query's `telling` words, as typed,
    begun or misspelt; True when the query has none ("university"). WRatio alone matched "no
    such place at all" with "uchs" and "xyzzy university" with every university."""
    if not telling:
        return True
    words = key.split()
    return any(_word_matches(typed, word) for typed in telling for word in words)


@dataclass(frozen=True)
class UniversityInfo:
    id: int
    code: str
    name: str
    name_ur: str
    short_name: str
    city: str
    sector: str

    def display_name(self, language: str = "en") -> str:
        name = self.name_ur if language == "ur" and self.name_ur else self.name
        return f"{name} ({self.city})" if self.city and self.city not in name else name


@dataclass(frozen=True)
class UniversityMatch:
    university: UniversityInfo
    score: float


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _info(row: University) -> UniversityInfo:
    assert row.id is not None
    return UniversityInfo(
        id=row.id,
        code=row.code,
        name=row.name,
        name_ur=row.name_ur,
        short_name=row.short_name,
        city=row.city,
        sector=row.sector,
    )


def _search_keys(row: University) -> list[str]:
    names = [row.name, row.name_ur, row.short_name, *row.aliases.split(";")]
    if row.short_name and row.city:
        names.append(f"{row.short_name} {row.city}")
    return [key for key in (normalise_name(name) for name in names) if key]


def parse_universities_csv(text: str) -> tuple[list[University], list[tuple[int, str]]]:
    """Rows of a universities CSV, and (line number, problem) for each row that is wrong."""
    # strict: a stray or unclosed quote is an error with its line, never a silently merged row.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        return [], [(reader.line_num or 1, f"malformed CSV: {error}")]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return [], [(1, f"missing column(s): {', '.join(missing)}")]
    rows: list[University] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as error:
            # DictReader's own line_num lags a failed row; its inner reader's does not.
            errors.append((reader.reader.line_num, f"malformed CSV: {error}"))
            break
        line = reader.line_num
        values = {name: (record.get(name) or "").strip() for name in CSV_COLUMNS}
        problem = _row_problem(values, seen)
        if problem:
            errors.append((line, problem))
            continue
        seen[values["code"]] = line
        rows.append(
            University(
                code=values["code"],
                name=values["name"],
                name_ur=values["name_ur"],
                short_name=values["short_name"],
                city=values["city"],
                province=values["province"],
                sector=values["sector"].lower(),
                aliases=";".join(a.strip() for a in values["aliases"].split(";") if a.strip()),
            )
        )
    return rows, errors


def _row_problem(values: dict[str, str], seen: dict[str, int]) -> str | None:
    code = values["code"]
    if not code:
        return "empty code"
    if not _CODE_PATTERN.match(code):
        return f"code {code!r} must be lowercase letters, digits and hyphens"
    if code in seen:
        return f"code {code!r} repeats line {seen[code]}"
    if not values["name"]:
        return "empty name"
    if values["sector"] and values["sector"].lower() not in SECTORS:
        return f"sector {values['sector']!r} is not public or private"
    for name, limit in (("name", 200), ("name_ur", 200), ("short_name", 64), ("aliases", 1000)):
        if len(values[name]) > limit:
            return f"{name} longer than {limit} characters"
    return None


class UniversityService:
    """Universities in the database, with an in-memory search index rebuilt after each import."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._index: list[tuple[str, UniversityInfo]] | None = None

    async def ensure_loaded(self, csv_path: Path = BUNDLED_UNIVERSITIES_CSV) -> int:
        """Load the bundled list on first start (empty table); returns how many were added."""
        async with self._database.session() as session:
            count = (await session.exec(select(func.count()).select_from(University))).one()
        if count:
            return 0
        text = await asyncio.to_thread(csv_path.read_text, encoding="utf-8")
        report = await self.import_text(text)
        return report.added

    async def import_file(self, path: Path, *, replace: bool = False) -> ImportReport:
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInputError(f"cannot read {path}: {error}") from error
        return await self.import_text(text, replace=replace)

    async def import_text(self, text: str, *, replace: bool = False) -> ImportReport:
        """Add or update universities by code; nothing is written when any row is wrong.

        With `replace`, universities missing from the file are deactivated (never deleted:
        learners and focal persons still refer to them).
        """
        rows, errors = parse_universities_csv(text)
        report = ImportReport(errors=errors)
        if errors:
            return report
        async with self._database.session() as session:
            existing = {u.code: u for u in (await session.exec(select(University))).all()}
            for row in rows:
                current = existing.pop(row.code, None)
                if current is None:
                    session.add(row)
                    report.added += 1
                    continue
                fields = ("name", "name_ur", "short_name", "city", "province", "sector", "aliases")
                changed = not current.is_active or any(
                    getattr(current, name) != getattr(row, name) for name in fields
                )
                if changed:
                    for name in fields:
                        setattr(current, name, getattr(row, name))
                    current.is_active = True
                    session.add(current)
                    report.updated += 1
                else:
                    report.unchanged += 1
            if replace:
                for leftover in existing.values():
                    if leftover.is_active:
                        leftover.is_active = False
                        session.add(leftover)
                        report.deactivated += 1
        self._index = None
        return report

    async def place_names(self) -> list[str]:
        """Every name, short name, other name, city and province of the active universities:
        the names a learner may mention that the programme's rules never list."""
        async with self._database.session() as session:
            query = select(University).where(col(University.is_active).is_(True))
            rows = (await session.exec(query)).all()
        names: set[str] = set()
        for row in rows:
            names.update((row.name, row.short_name, row.city, row.province))
            names.update(alias.strip() for alias in row.aliases.split(";"))
        return sorted(name for name in names if name)

    async def list_all(self, *, include_inactive: bool = False) -> list[UniversityInfo]:
        async with self._database.session() as session:
            query = select(University).order_by(col(University.name))
            if not include_inactive:
                query = query.where(col(University.is_active).is_(True))
            return [_info(row) for row in (await session.exec(query)).all()]

    async def get(self, university_id: int) -> UniversityInfo:
        async with self._database.session() as session:
            row = await session.get(University, university_id)
        if row is None:
            raise NotFoundError(f"university {university_id}")
        return _info(row)

    async def names(self, university_ids: set[int]) -> dict[int, UniversityInfo]:
        if not university_ids:
            return {}
        async with self._database.session() as session:
            rows = await session.exec(
                select(University).where(col(University.id).in_(university_ids))
            )
            return {info.id: info for info in (_info(row) for row in rows.all())}

    async def search(self, text: str, *, limit: int = MATCH_LIMIT) -> list[UniversityMatch]:
        """The universities whose name, short name, alias or Urdu name best match `text`."""
        query = normalise_name(text)
        if not query:
            return []
        index = await self._search_index()
        if not index:
            return []
        exact = [info for key, info in index if key == query]
        # Many candidates per university, some without a telling word of the query: all
        # above the cutoff (a few hundred at most), then each university's best score.
        found = process.extract(
            query,
            [key for key, _ in index],
            scorer=fuzz.WRatio,
            limit=None,
            score_cutoff=MATCH_CUTOFF,
        )
        best: dict[int, UniversityMatch] = {info.id: UniversityMatch(info, 100.0) for info in exact}
        telling = telling_words(query)
        for key, score, position in found:
            if not shares_a_word(telling, key):
                continue
            info = index[position][1]
            if info.id not in best or best[info.id].score < score:
                best[info.id] = UniversityMatch(info, float(score))
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.university.name))
        return ranked[:limit]

    async def _search_index(self) -> list[tuple[str, UniversityInfo]]:
        if self._index is None:
            async with self._database.session() as session:
                rows = (
                    await session.exec(
                        select(University).where(col(University.is_active).is_(True))
                    )
                ).all()
            self._index = [(key, _info(row)) for row in rows for key in _search_keys(row)]
        return self._index
