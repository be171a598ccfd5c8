"""Choosing courses: the catalogue in the database, HEC's tracks, recommendations, learning plans.

No Telegram here: `handlers/courses.py` and `bot/cli/courses.py` are two faces over this service.

Completion hook: when a learner marks a saved course done, `on_course_completed(user_id,
course_id)` is awaited if set (constructor argument or `set_completion_hook`). The surveys
feature uses it to send a follow-up survey; a failing hook is logged and never undoes the mark.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InvalidInputError, NotFoundError
from bot.logging_setup import logged_user
from bot.services.access import CoursePlanPolicy
from bot.services.course_catalogue import (
    SAMPLE_CATALOGUE_PATH,
    CatalogueRowsError,
    ColumnMapping,
    CourseRecord,
    ParsedCatalogue,
    RowProblem,
    normalise_url,
    parse_catalogue_file,
)
from bot.services.course_embeddings import (
    COURSE_VECTOR_SEEDS,
    TextEmbedder,
    Vectors,
    load_seed_vectors,
    passage_hash,
)
from bot.services.course_matching import is_course_question
from bot.services.course_recommender import (
    CatalogueCourse,
    CourseRecommender,
    Recommendation,
)
from bot.services.course_tracks import DEFAULT_TRACKS_PATH, Track, parse_tracks
from bot.services.permissions import Actor
from bot.storage.courses_models import Course, CoursePlanEntry, CourseSetting, CourseVector
from bot.storage.db import Database
from bot.storage.types import utcnow

log = logging.getLogger(__name__)

CourseCompletedHook = Callable[[int, int], Awaitable[None]]
# Called with (courses embedded so far, courses to embed) while an import computes vectors.
EmbedProgress = Callable[[int, int], None]
EMBED_BATCH = 32
STORE_BATCH = 1000
# Rows per IN (...) query when reading stored vectors (SQLite allows 999 parameters in old
# builds).
HASHES_PER_QUERY = 900
CATALOGUE_KEY = "catalogue"
TRACKS_KEY = "tracks"
# A learner's Telegram id -> months left on their licence, or None when no record says.
LicenceMonthsLookup = Callable[[int], Awaitable[float | None]]
MAX_GOAL_CHARS = 300
# The hours a week a path is planned at: the buttons offer a few between; a forged button
# (or a replayed one edited) asked for 0, -3 or 999,999 and got "about 0 weeks at -3 h a week".
MIN_HOURS_PER_WEEK, MAX_HOURS_PER_WEEK = 1, 60


def checked_hours(hours_per_week: int) -> int:
    """`hours_per_week` if a week can hold it; InvalidInputError otherwise."""
    if not MIN_HOURS_PER_WEEK <= hours_per_week <= MAX_HOURS_PER_WEEK:
        raise InvalidInputError(
            f"{hours_per_week} hours a week: {MIN_HOURS_PER_WEEK} to {MAX_HOURS_PER_WEEK}"
        )
    return hours_per_week


__all__ = [
    "CourseCompletedHook",
    "CourseService",
    "ImportReport",
    "LicenceMonthsLookup",
    "PlanItem",
    "TrackView",
    "is_course_question",
]


@dataclass(frozen=True)
class ImportReport:
    """What an import did; `problems` are the skipped rows with their line numbers."""

    rows_read: int
    added: int
    updated: int
    unchanged: int
    problems: tuple[RowProblem, ...]
    encoding: str
    embedded: int = 0  # course vectors computed by this import
    reused_vectors: int = 0  # ... and found stored (unchanged text) or shipped


@dataclass(frozen=True)
class EmbedReport:
    """Vectors an import computed (`embedded`) and found already stored or shipped (`reused`)."""

    embedded: int
    reused: int


@dataclass(frozen=True)
class PlanItem:
    course: CatalogueCourse
    saved_at: datetime
    completed_at: datetime | None
    entry_id: int = 0  # the plan entry's own id: what its "done" button names

    @property
    def done(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class TrackView:
    track: Track
    courses: tuple[CatalogueCourse, ...]


def _parse_upload(data: bytes) -> ParsedCatalogue:
    """Parse uploaded bytes with the same parser as a file on disk (it streams from a path).

    Only UTF-8 or UTF-16 with a byte-order mark: an upload's sender can save it so, and a
    guessed encoding would store its titles garbled."""
    with tempfile.TemporaryDirectory(prefix="hecbot-catalogue-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        return parse_catalogue_file(path, ColumnMapping.load(), unicode_only=True)


def _to_catalogue_course(row: Course) -> CatalogueCourse:
    assert row.id is not None
    return CatalogueCourse(
        id=row.id,
        url=row.url,
        title=row.title,
        partner=row.partner,
        kind=row.kind,
        level=row.level,
        duration=row.duration,
        rating=row.rating,
        skills=tuple(row.skills or ()),
        description=row.description,
        language=row.language,
    )


class CourseService:
    def __init__(
        self,
        database: Database,
        *,
        embedder: TextEmbedder | None = None,
        embedder_factory: Callable[[], TextEmbedder] | None = None,
        passage_embedder_factory: Callable[[], TextEmbedder] | None = None,
        cache_dir: Path | None = None,
        seed_dir: Path | None = COURSE_VECTOR_SEEDS,
        tracks_path: Path = DEFAULT_TRACKS_PATH,
        on_course_completed: CourseCompletedHook | None = None,
    ) -> None:
        self._database = database
        self._embedder = embedder
        self._embedder_factory = embedder_factory
        self._passage_embedder_factory = passage_embedder_factory
        self._passage_embedder: TextEmbedder | None = None
        self._versions: tuple[int, int] | None = None
        self._cache_dir = cache_dir
        self._seed_dir = seed_dir
        self._tracks_path = tracks_path
        self._on_course_completed = on_course_completed
        self._licence_months: LicenceMonthsLookup | None = None
        self._recommender: CourseRecommender | None = None
        self._lock = asyncio.Lock()
        # The courses and the tracks checked against them, by (catalogue, tracks) version: a
        # command checks the tracks and then recommends, and both read the same rows.
        self._read: tuple[tuple[int, int], list[CatalogueCourse], list[Track]] | None = None

    def set_completion_hook(self, hook: CourseCompletedHook | None) -> None:
        """Called with (user_id, course_id) after a learner marks a course done."""
        self._on_course_completed = hook

    def set_licence_lookup(self, lookup: LicenceMonthsLookup | None) -> None:
        """Where a learner's licence record says how many months are left (the licences
        feature); without one, a path fits a whole licence as the programme rules state."""
        self._licence_months = lookup

    async def months_available(self, user_id: int | None) -> float | None:
        if user_id is None or self._licence_months is None:
            return None
        try:
            return await self._licence_months(user_id)
        except Exception:
            log.exception(
                "licence lookup failed for user %s; using the programme rules", logged_user(user_id)
            )
            return None

    # ---- catalogue ------------------------------------------------------------------------

    async def import_file(
        self,
        path: Path,
        mapping_path: Path | None = None,
        *,
        embed: bool = True,
        progress: EmbedProgress | None = None,
    ) -> ImportReport:
        """Import a CSV/JSON catalogue: new URLs are added, known URLs updated in place; then
        (with `embed`) every course whose text is new gets its vector, so the first
        recommendation after an import has nothing left to compute."""
        mapping = ColumnMapping.load(mapping_path) if mapping_path else ColumnMapping.load()
        parsed = await asyncio.to_thread(parse_catalogue_file, path, mapping)
        return await self._import_parsed(parsed, embed=embed, progress=progress)

    async def import_upload(
        self, data: bytes, *, by: str = "", progress: EmbedProgress | None = None
    ) -> ImportReport:
        """An uploaded CSV in the default (Coursera) layout, all or nothing: any bad row raises
        `CatalogueRowsError` with every problem by line and nothing is stored; a clean file is
        imported (and embedded) exactly as `import_file` does. Parsing and embedding run in
        threads, off the event loop."""
        parsed = await asyncio.to_thread(_parse_upload, data)
        if parsed.problems:
            raise CatalogueRowsError(parsed.problems)
        log.info("catalogue upload by %s: %d rows", by or "unknown", parsed.rows_read)
        return await self._import_parsed(parsed, embed=True, progress=progress)

    async def _import_parsed(
        self, parsed: ParsedCatalogue, *, embed: bool, progress: EmbedProgress | None
    ) -> ImportReport:
        added, updated, unchanged = await self._store(parsed.records)
        del parsed.records[:]  # a 50,000-course catalogue: free the records before embedding
        await self._bump(CATALOGUE_KEY)
        self._recommender = None
        embedded = (
            await self.embed_catalogue(progress) if embed else EmbedReport(embedded=0, reused=0)
        )
        return ImportReport(
            rows_read=parsed.rows_read,
            added=added,
            updated=updated,
            unchanged=unchanged,
            problems=tuple(parsed.problems),
            encoding=parsed.encoding,
            embedded=embedded.embedded,
            reused_vectors=embedded.reused,
        )

    # ---- vectors --------------------------------------------------------------------------

    async def _query_embedder(self) -> TextEmbedder | None:
        if self._embedder is None and self._embedder_factory is not None:
            self._embedder = await asyncio.to_thread(self._embedder_factory)
        return self._embedder

    async def _bulk_embedder(self) -> TextEmbedder | None:
        """Passages are embedded on every core (a replica per core) when a factory is given."""
        if self._passage_embedder is None and self._passage_embedder_factory is not None:
            self._passage_embedder = await asyncio.to_thread(self._passage_embedder_factory)
        return self._passage_embedder or await self._query_embedder()

    async def embed_catalogue(self, progress: EmbedProgress | None = None) -> EmbedReport:
        """Store a vector for every course whose passage text (under this embedder) has none:
        from the shipped vectors of the bundled sample, else computed in batches."""
        embedder = await self._bulk_embedder()
        if embedder is None:
            return EmbedReport(embedded=0, reused=0)
        wanted: dict[str, str] = {}
        for course in await self.courses():
            text = course.passage_text()
            wanted[passage_hash(embedder.name, text)] = text
        stored = set(await self._load_vectors(list(wanted), keys_only=True))
        missing = [key for key in wanted if key not in stored]
        seeds = load_seed_vectors(self._seed_dir)
        shipped = {key: seeds[key] for key in missing if key in seeds}
        await self._save_vectors(shipped)
        todo = [key for key in missing if key not in shipped]
        if progress is not None:
            progress(0, len(todo))
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            vectors = await asyncio.to_thread(
                embedder.embed_passages, [wanted[key] for key in batch]
            )
            await self._save_vectors(dict(zip(batch, vectors, strict=True)))
            if progress is not None:
                progress(start + len(batch), len(todo))
        return EmbedReport(embedded=len(todo), reused=len(wanted) - len(todo))

    async def _save_vectors(self, vectors: dict[str, Vectors]) -> None:
        if not vectors:
            return
        async with self._database.session() as session:
            for key, vector in vectors.items():
                session.add(
                    CourseVector(
                        content_hash=key, vector=np.asarray(vector, dtype=np.float32).tobytes()
                    )
                )

    async def _load_vectors(
        self, keys: list[str], *, keys_only: bool = False
    ) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        empty = np.zeros(0, dtype=np.float32)
        async with self._database.session() as session:
            for start in range(0, len(keys), HASHES_PER_QUERY):
                chunk = keys[start : start + HASHES_PER_QUERY]
                column = col(CourseVector.content_hash)
                if keys_only:
                    for key in (await session.exec(select(column).where(column.in_(chunk)))).all():
                        found[key] = empty
                    continue
                rows = (await session.exec(select(CourseVector).where(column.in_(chunk)))).all()
                for row in rows:
                    found[row.content_hash] = np.frombuffer(row.vector, dtype=np.float32)
        return found

    # ---- versions: running instances see imports and track changes without a restart ----

    async def _bump(self, key: str, *, content: str | None = None, by: str = "") -> int:
        async with self._database.session() as session:
            row = await session.get(CourseSetting, key)
            if row is None:
                row = CourseSetting(key=key)
            row.version += 1
            if content is not None:
                row.content = content
                row.updated_by = by[:128]
            row.updated_at = utcnow()
            session.add(row)
            return row.version

    async def versions(self) -> tuple[int, int]:
        """(catalogue version, tracks version): checked on every request, one small query."""
        async with self._database.session() as session:
            rows = (
                await session.exec(
                    select(CourseSetting.key, CourseSetting.version).where(
                        col(CourseSetting.key).in_([CATALOGUE_KEY, TRACKS_KEY])
                    )
                )
            ).all()
        by_key = dict(rows)
        return by_key.get(CATALOGUE_KEY, 0), by_key.get(TRACKS_KEY, 0)

    # ---- tracks: HEC edits them at run time -----------------------------------------------

    async def tracks_text(self) -> str:
        """The tracks YAML in force: HEC's upload if there is one, else the bundled file."""
        async with self._database.session() as session:
            row = await session.get(CourseSetting, TRACKS_KEY)
        if row is not None and row.content.strip():
            return row.content
        return self._tracks_path.read_text(encoding="utf-8")

    async def import_tracks(self, text: str, *, by: str = "") -> list[Track]:
        """Validate a tracks YAML against the catalogue (every problem, with its line) and, if
        it is clean, make it the tracks every instance uses from its next request."""
        courses = await self.courses()
        levels = {normalise_url(course.url): course.level for course in courses}
        tracks = parse_tracks(text, levels, strict=True, source="uploaded tracks")
        await self._bump(TRACKS_KEY, content=text, by=by)
        self._recommender = None
        return tracks

    async def _store(self, records: Sequence[CourseRecord]) -> tuple[int, int, int]:
        """Upsert by URL in batches (one transaction each), so a 50,000-course catalogue never
        holds every row as an ORM object at once."""
        added = updated = unchanged = 0
        async with self._database.session() as session:
            scan_all = await self._has_other_spellings(session)
        for start in range(0, len(records), STORE_BATCH):
            batch = records[start : start + STORE_BATCH]
            counts = await self._store_batch(batch, scan_all=scan_all)
            added, updated, unchanged = (
                added + counts[0],
                updated + counts[1],
                unchanged + counts[2],
            )
        return added, updated, unchanged

    async def _store_batch(
        self, records: Sequence[CourseRecord], *, scan_all: bool
    ) -> tuple[int, int, int]:
        added = updated = unchanged = 0
        async with self._database.session() as session:
            urls = {normalise_url(record.url) for record in records}
            spellings = {record.url for record in records} | urls
            existing = {
                normalise_url(row.url): row
                for row in (
                    await session.exec(select(Course).where(col(Course.url).in_(spellings)))
                ).all()
            }
            if len(existing) < len(urls) and scan_all:
                existing = {
                    key: row
                    for row in (await session.exec(select(Course))).all()
                    if (key := normalise_url(row.url)) in urls
                }
            for record in records:
                values = {
                    "url": record.url,
                    "title": record.title,
                    "partner": record.partner,
                    "kind": record.kind,
                    "level": record.level,
                    "duration": record.duration,
                    "rating": record.rating,
                    "skills": list(record.skills),
                    "description": record.description,
                    "language": record.language,
                }
                row = existing.get(normalise_url(record.url))
                if row is None:
                    session.add(Course.model_validate(values))
                    added += 1
                    continue
                if all(getattr(row, name) == value for name, value in values.items()):
                    unchanged += 1
                    continue
                for name, value in values.items():
                    setattr(row, name, value)
                row.imported_at = utcnow()
                session.add(row)
                updated += 1
        return added, updated, unchanged

    async def _has_other_spellings(self, session: AsyncSession) -> bool:
        """Whether stored URLs differ from their normal form (trailing slash, query, case):
        then matching by exact URL could miss a known course."""
        rows = (await session.exec(select(Course.url))).all()
        return any(url != normalise_url(url) for url in rows)

    async def count(self) -> int:
        async with self._database.session() as session:
            return int((await session.exec(select(func.count()).select_from(Course))).one())

    async def ensure_catalogue(self) -> int:
        """At start-up: import the bundled sample into an empty catalogue, then check the
        tracks against it (a malformed tracks.yaml stops start-up with every problem listed;
        courses missing from the catalogue are logged and skipped)."""
        count = await self.count()
        if count == 0:
            # Vectors come from the shipped ones when the recommender is first built, without
            # loading the model at start-up.
            report = await self.import_file(SAMPLE_CATALOGUE_PATH, embed=False)
            log.info("imported the bundled course sample: %d courses", report.added)
            count = report.added
        await self.load_tracks()
        return count

    async def courses(self) -> list[CatalogueCourse]:
        async with self._database.session() as session:
            rows = (await session.exec(select(Course).order_by(col(Course.id)))).all()
        return [_to_catalogue_course(row) for row in rows]

    async def load_tracks(self, *, strict: bool = False) -> list[Track]:
        """HEC's tracks checked against the catalogue; `strict` raises on any problem (the CLI),
        otherwise unknown courses are logged and left out (the running bot)."""
        if not strict:
            return list((await self._courses_and_tracks())[2])
        courses = await self.courses()
        levels = {normalise_url(course.url): course.level for course in courses}
        return parse_tracks(await self.tracks_text(), levels, strict=strict, source="tracks")

    async def _courses_and_tracks(
        self,
    ) -> tuple[tuple[int, int], list[CatalogueCourse], list[Track]]:
        """The stored courses and the tracks (checked leniently), read and parsed once for each
        catalogue and tracks version (an import or an upload from any instance bumps it)."""
        versions = await self.versions()
        if self._read is None or self._read[0] != versions:
            courses = await self.courses()
            levels = {normalise_url(course.url): course.level for course in courses}
            tracks = parse_tracks(await self.tracks_text(), levels, strict=False, source="tracks")
            self._read = (versions, courses, tracks)
        return self._read

    async def tracks(self) -> list[TrackView]:
        recommender = await self.recommender()
        by_url = {normalise_url(c.url): c for c in recommender.courses}
        return [
            TrackView(
                track=track,
                courses=tuple(by_url[normalise_url(u)] for u in track.course_urls),
            )
            for track in recommender.tracks
        ]

    # ---- recommending ---------------------------------------------------------------------

    async def recommender(self) -> CourseRecommender:
        """The in-memory recommender over the stored catalogue, tracks and vectors; rebuilt
        when an import or a tracks upload (from any instance) changed their version."""
        versions = await self.versions()
        if self._recommender is not None and versions == self._versions:
            return self._recommender
        async with self._lock:
            if self._recommender is None or versions != self._versions:
                versions, courses, tracks = await self._courses_and_tracks()
                embedder = await self._query_embedder()
                vectors = await self._catalogue_vectors(embedder, courses)
                self._recommender = await asyncio.to_thread(
                    CourseRecommender.build,
                    courses,
                    tracks,
                    embedder,
                    self._cache_dir,
                    self._seed_dir,
                    vectors=vectors,
                )
                self._versions = versions
            return self._recommender

    async def _catalogue_vectors(
        self, embedder: TextEmbedder | None, courses: Sequence[CatalogueCourse]
    ) -> Vectors | None:
        """The stored vectors in catalogue order; courses imported without an embedder get
        theirs now (once: they are stored)."""
        if embedder is None or not courses:
            return None
        keys = [passage_hash(embedder.name, course.passage_text()) for course in courses]
        found = await self._load_vectors(keys)
        if len(found) < len(set(keys)):
            await self.embed_catalogue()
            found = await self._load_vectors(keys)
        if len(found) < len(set(keys)):
            return None
        return np.stack([found[key] for key in keys]).astype(np.float32)

    async def stored_vectors(self) -> dict[str, Vectors]:
        """Every stored vector of the current catalogue by its key (for shipping seeds)."""
        embedder = await self._query_embedder()
        if embedder is None:
            return {}
        keys = [passage_hash(embedder.name, c.passage_text()) for c in await self.courses()]
        return await self._load_vectors(keys)

    async def warm_up(self) -> None:
        """Build the recommender now (embedding the catalogue) instead of on the first request."""
        await self.recommender()

    async def goal_is_clear(self, goal: str) -> bool:
        """Whether a goal can be worked with, or the learner should be asked again."""
        recommender = await self.recommender()
        return recommender.goal_is_clear(" ".join(goal.split())[:MAX_GOAL_CHARS])

    async def recommend(
        self,
        goal: str,
        *,
        level: str = "beginner",
        hours_per_week: int = 5,
        exclude_ids: Sequence[int] = (),
        user_id: int | None = None,
        months_available: float | None = None,
        language: str = "en",
    ) -> Recommendation:
        """A path for a goal; `months_available` (else the learner's licence record, else a
        whole licence) bounds its length at `hours_per_week`."""
        goal = " ".join(goal.split())[:MAX_GOAL_CHARS]
        checked_hours(hours_per_week)
        recommender = await self.recommender()
        if months_available is None:
            months_available = await self.months_available(user_id)
        started = time.perf_counter()
        result = await asyncio.to_thread(
            recommender.recommend,
            goal,
            level=level,
            hours_per_week=hours_per_week,
            exclude_ids=exclude_ids,
            months_available=months_available,
            language=language,
        )
        return _with_latency(result, started)

    async def more_like(
        self, course_ids: Sequence[int], *, level: str = "beginner", hours_per_week: int = 5
    ) -> Recommendation:
        checked_hours(hours_per_week)
        recommender = await self.recommender()
        started = time.perf_counter()
        result = await asyncio.to_thread(
            recommender.more_like, course_ids, level=level, hours_per_week=hours_per_week
        )
        return _with_latency(result, started)

    async def from_basics(
        self, course_ids: Sequence[int], *, hours_per_week: int = 5
    ) -> Recommendation:
        checked_hours(hours_per_week)
        recommender = await self.recommender()
        started = time.perf_counter()
        result = await asyncio.to_thread(
            recommender.from_basics, course_ids, hours_per_week=hours_per_week
        )
        return _with_latency(result, started)

    # ---- learning plans -------------------------------------------------------------------

    async def save_to_plan(self, user_id: int, course_ids: Sequence[int]) -> int:
        """Add courses to a learner's plan; returns how many were new (saving twice is fine)."""
        wanted = list(dict.fromkeys(course_ids))
        async with self._database.session() as session:
            known = set(
                (await session.exec(select(Course.id).where(col(Course.id).in_(wanted)))).all()
            )
            saved = set(
                (
                    await session.exec(
                        select(CoursePlanEntry.course_id).where(
                            CoursePlanEntry.user_id == user_id,
                            col(CoursePlanEntry.course_id).in_(wanted),
                        )
                    )
                ).all()
            )
            new = [course_id for course_id in wanted if course_id in known - saved]
            for course_id in new:
                session.add(CoursePlanEntry(user_id=user_id, course_id=course_id))
        if not known:
            raise NotFoundError(f"courses {wanted}")
        return len(new)

    async def plan(self, user_id: int) -> list[PlanItem]:
        """Saved courses, unfinished first, each group in the order they were saved."""
        async with self._database.session() as session:
            rows = (
                await session.exec(
                    select(CoursePlanEntry, Course)
                    .join(Course, col(Course.id) == col(CoursePlanEntry.course_id))
                    .where(CoursePlanEntry.user_id == user_id)
                    .order_by(col(CoursePlanEntry.saved_at), col(CoursePlanEntry.id))
                )
            ).all()
        items = [
            PlanItem(
                course=_to_catalogue_course(course),
                saved_at=entry.saved_at,
                completed_at=entry.completed_at,
                entry_id=entry.id or 0,
            )
            for entry, course in rows
        ]
        return sorted(items, key=lambda item: item.done)

    async def entry_for_course(self, user_id: int, course_id: int) -> int:
        """The id of `course_id`'s entry in `user_id`'s own plan (buttons that name a course)."""
        async with self._database.session() as session:
            entry_id = (
                await session.exec(
                    select(CoursePlanEntry.id).where(
                        CoursePlanEntry.user_id == user_id, CoursePlanEntry.course_id == course_id
                    )
                )
            ).first()
        if entry_id is None:
            raise NotFoundError(f"course {course_id} in the plan of user {logged_user(user_id)}")
        return entry_id

    async def mark_done(self, actor: Actor, entry_id: int) -> PlanItem:
        """Mark a plan entry done (idempotent) and call the completion hook the first time.

        Only the learner whose plan it is may (`CoursePlanPolicy`); anyone else, and an entry
        that does not exist, is refused alike and nothing changes.
        """
        async with self._database.session() as session:
            row = (
                await session.exec(
                    select(CoursePlanEntry, Course)
                    .join(Course, col(Course.id) == col(CoursePlanEntry.course_id))
                    .where(CoursePlanEntry.id == entry_id)
                )
            ).first()
            CoursePlanPolicy.require_touch(
                actor, entry_id, owner_id=row[0].user_id if row is not None else None
            )
            assert row is not None
            entry, course = row
            first_time = entry.completed_at is None
            if first_time:
                entry.completed_at = utcnow()
                session.add(entry)
            item = PlanItem(
                course=_to_catalogue_course(course),
                saved_at=entry.saved_at,
                completed_at=entry.completed_at,
                entry_id=entry_id,
            )
            user_id, course_id = entry.user_id, entry.course_id
        if first_time and self._on_course_completed is not None:
            try:
                await self._on_course_completed(user_id, course_id)
            except Exception:
                log.exception(
                    "course completion hook failed for user %s course %s",
                    logged_user(user_id),
                    course_id,
                )
        return item


def _with_latency(result: Recommendation, started: float) -> Recommendation:
    from dataclasses import replace

    return replace(result, latency_ms=round((time.perf_counter() - started) * 1000, 1))
