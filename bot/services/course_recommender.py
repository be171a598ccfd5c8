"""Goal -> an ordered path of 3-5 courses, by hybrid retrieval over the in-memory catalogue.

Lexical: BM25 over title, skills and description tokens, with the goal translated from Roman
Urdu and expanded to the skills a career needs (course_matching). Dense: cosine similarity of
e5 vectors (kept in a numpy matrix). The two are blended, weighted by level and weekly hours,
HEC's tracks are preferred where their keywords fit, and the path is ordered fundamentals first.
Pure and synchronous: no database, no Telegram.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property, lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml

from bot.services.course_embeddings import (
    COURSE_VECTOR_SEEDS,
    TextEmbedder,
    Vectors,
    cached_passage_vectors,
)
from bot.services.course_matching import (
    GoalQuery,
    interpret_goal,
    skills_matching,
    tokens,
)
from bot.services.course_structure import CONTAINER_KINDS, CatalogueStructure
from bot.services.course_tracks import Track

LEVELS = ("beginner", "intermediate", "advanced")
# Where a course sits on the way from fundamentals to advanced ("mixed" suits beginners too).
LEVEL_ORDER = {"beginner": 0.0, "mixed": 0.5, "intermediate": 1.0, "advanced": 2.0}
# How well a course level suits a learner level (learner -> course -> weight).
LEVEL_FIT = {
    "beginner": {"beginner": 1.0, "mixed": 0.9, "intermediate": 0.55, "advanced": 0.15},
    "intermediate": {"intermediate": 1.0, "mixed": 0.85, "advanced": 0.75, "beginner": 0.6},
    "advanced": {"advanced": 1.0, "intermediate": 0.85, "mixed": 0.6, "beginner": 0.25},
}
# Coursera states durations at its suggested pace; we assume about 6 hours a week.
REFERENCE_HOURS_PER_WEEK = 6
LEXICAL_WEIGHT = 0.65
WEEKS_PER_MONTH = 4.345
# How many of the best-scored courses path assembly looks at (the rest cannot make a path).
CANDIDATES = 300
# Path assembly: how many of the best-ranked relevant courses compete for a place; how much a
# goal skill the path lacks adds to a course's value; how much taking the whole of the
# learner's time takes away from it.
POOL = 80
SKILL_GAIN = 0.5
TIME_COST = 0.5
TRACK_BONUS = 2.0
PATH_RULES_PATH = Path(__file__).resolve().parents[1] / "data" / "course_paths.yaml"


@cache
def licence_months() -> float:
    """How long a licence runs, from the programme rules as bot/data/course_paths.yaml states
    them (a learner's own licence record, where one exists, says how much of it is left)."""
    raw = yaml.safe_load(PATH_RULES_PATH.read_text(encoding="utf-8"))
    return float(raw["licence_months"])


class RecommendationStatus(StrEnum):
    OK = "ok"
    UNCLEAR_GOAL = "unclear_goal"
    NO_FIT = "no_fit"


@dataclass(frozen=True)
class CatalogueCourse:
    """A course as the recommender sees it (loaded from the `courses` table)."""

    id: int
    url: str
    title: str
    partner: str
    kind: str
    level: str
    duration: str
    rating: float | None
    skills: tuple[str, ...]
    description: str = ""
    language: str = "en"
    part_of: str = ""  # the catalogue's own grouping: title or URL of a certificate, if given

    def passage_text(self) -> str:
        """Short and information-dense (embedding cost grows with length): title, kind, the
        first skills and the start of the description, about 300 characters."""
        skills = ", ".join(dict.fromkeys(self.skills[:10]))
        kind = self.kind.replace("_", " ")
        description = " ".join(self.description.split())[:160]
        return f"{self.title}. {kind}. Skills: {skills}. {description}"

    @cached_property
    def total_hours(self) -> float:
        return estimated_hours(self.duration)


class ReasonKind(StrEnum):
    SKILLS = "skills"  # adds these skills toward the goal
    TRACK = "track"  # a course of the HEC track that fits the goal
    FOUNDATION = "foundation"  # teaches what a later course of the path needs
    RELATED = "related"  # about the goal's topic (its title or skills)


@dataclass(frozen=True)
class Reason:
    """Why a course is in a path; rendered in the learner's language by the caller."""

    kind: ReasonKind
    skills: tuple[str, ...] = ()
    track_title: str = ""
    track_title_ur: str = ""
    position: int = 0


@dataclass(frozen=True)
class RecommendedCourse:
    course: CatalogueCourse
    matched_skills: tuple[str, ...]
    track_id: str | None
    score: float
    weeks_at_pace: int | None
    reason: Reason = field(default_factory=lambda: Reason(ReasonKind.RELATED))
    part_of: str = ""  # title of the certificate this course belongs to
    contains: tuple[str, ...] = ()  # titles of its courses known to the catalogue


@dataclass(frozen=True)
class TrackSuggestion:
    id: str
    title: str
    title_ur: str


@dataclass(frozen=True)
class Recommendation:
    status: RecommendationStatus
    goal: str
    level: str
    hours_per_week: int
    courses: tuple[RecommendedCourse, ...] = ()
    track: TrackSuggestion | None = None
    nearest_tracks: tuple[TrackSuggestion, ...] = ()
    latency_ms: float = 0.0
    weeks_available: float = 0.0
    # Better-ranked courses were left out because they would not fit the time available.
    trimmed_for_time: bool = False

    @property
    def course_ids(self) -> list[int]:
        return [item.course.id for item in self.courses]

    @property
    def total_weeks(self) -> int:
        return sum(item.weeks_at_pace or 0 for item in self.courses)

    @property
    def fits(self) -> bool:
        """The whole path fits the learner's time (weeks at their hours a week)."""
        return self.weeks_available <= 0 or self.total_weeks <= self.weeks_available


@dataclass(frozen=True)
class _Request:
    goal: str
    level: str
    hours_per_week: int
    weeks_available: float

    def answer(
        self,
        status: RecommendationStatus,
        *,
        courses: tuple[RecommendedCourse, ...] = (),
        track: TrackSuggestion | None = None,
        nearest_tracks: tuple[TrackSuggestion, ...] = (),
        trimmed_for_time: bool = False,
    ) -> Recommendation:
        return Recommendation(
            status,
            goal=self.goal,
            level=self.level,
            hours_per_week=self.hours_per_week,
            courses=courses,
            track=track,
            nearest_tracks=nearest_tracks,
            weeks_available=self.weeks_available,
            trimmed_for_time=trimmed_for_time,
        )


def estimated_hours(duration: str) -> float:
    """'3 - 6 Months' -> hours at Coursera's pace (midpoint); 'Less Than 2 Hours' -> 2."""
    text = duration.lower()
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    if not numbers:
        return 0.0
    middle = sum(numbers) / len(numbers) if "less than" not in text else numbers[0]
    if "hour" in text:
        return middle
    if "week" in text:
        return middle * REFERENCE_HOURS_PER_WEEK
    if "month" in text:
        return middle * 4.3 * REFERENCE_HOURS_PER_WEEK
    return 0.0


def path_length(hours_per_week: int) -> int:
    """Fewer courses for fewer hours: 3 for up to 3 h, 4 up to 7 h, else 5."""
    if hours_per_week <= 3:
        return 3
    if hours_per_week <= 7:
        return 4
    return 5


_SKILL_WORD = re.compile(r"[a-z][a-z+#]{2,}")


class LexicalIndex:
    """BM25 over title, skills and description tokens as an inverted index: per token, the
    courses that hold it and their precomputed term weights (numpy arrays), so a query costs
    one vector addition per query word instead of a scan of the catalogue."""

    K1 = 1.2
    B = 0.6

    def __init__(self, courses: Sequence[CatalogueCourse]) -> None:
        # Every (token, course, frequency) in three flat arrays, weighted in one pass and cut
        # into postings after one sort: per-token numpy calls on tiny arrays cost most of the
        # recommender's build (~0.6 s of CPU at 1,000 courses), the arithmetic almost nothing.
        token_ids: dict[str, int] = {}
        row_tokens: list[int] = []
        row_courses: list[int] = []
        row_frequencies: list[int] = []
        lengths = np.zeros(len(courses), dtype=np.float32)
        for index, course in enumerate(courses):
            counts: Counter[str] = Counter()
            # Title and skills say what a course is about; the description only supports.
            for token in tokens(course.title):
                counts[token] += 3
            for skill in course.skills:
                for token in set(tokens(skill)):
                    counts[token] += 2
            for token in tokens(course.description[:400]):
                counts[token] += 1
            lengths[index] = sum(counts.values())
            for token, frequency in counts.items():
                row_tokens.append(token_ids.setdefault(token, len(token_ids)))
                row_courses.append(index)
                row_frequencies.append(frequency)
        total = max(len(courses), 1)
        average = float(lengths.mean()) if len(courses) else 1.0
        self.size = len(courses)
        token_of_row = np.asarray(row_tokens, dtype=np.int64)
        course_of_row = np.asarray(row_courses, dtype=np.int32)
        tf = np.asarray(row_frequencies, dtype=np.float32)
        frequencies = np.bincount(token_of_row, minlength=len(token_ids))
        # The same float32 arithmetic, element by element, as weighting each token on its own.
        idf = np.array(
            [math.log(1 + (total - df + 0.5) / (df + 0.5)) for df in frequencies.tolist()],
            dtype=np.float32,
        )
        norm = self.K1 * (1 - self.B + self.B * lengths[course_of_row] / max(average, 1e-6))
        weights = (idf[token_of_row] * tf * (self.K1 + 1) / (tf + norm)).astype(np.float32)
        order = np.argsort(token_of_row, kind="stable")  # courses stay in catalogue order
        course_of_row, weights = course_of_row[order], weights[order]
        ends = np.cumsum(frequencies).tolist()
        self._postings: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]] = {}
        for token, token_id in token_ids.items():
            start = ends[token_id] - int(frequencies[token_id])
            end = ends[token_id]
            self._postings[token] = (course_of_row[start:end], weights[start:end])
        self.vocabulary = frozenset(self._postings)

    def scores(self, query_tokens: Iterable[str]) -> npt.NDArray[np.float64]:
        scores = np.zeros(self.size, dtype=np.float64)
        for token, weight in Counter(query_tokens).items():
            posting = self._postings.get(token)
            if posting is not None:
                scores[posting[0]] += weight * posting[1]
        return scores


class CourseRecommender:
    """The catalogue in memory (inverted index, vectors, structure) and the ranking over it."""

    def __init__(
        self,
        courses: Sequence[CatalogueCourse],
        tracks: Sequence[Track] = (),
        *,
        embedder: TextEmbedder | None = None,
        vectors: Vectors | None = None,
    ) -> None:
        self.courses = list(courses)
        self.tracks = list(tracks)
        self._by_id = {course.id: index for index, course in enumerate(self.courses)}
        self._by_url = {course.url.rstrip("/").lower(): course for course in self.courses}
        self._embedder = embedder
        self._vectors = vectors
        self._lexical = LexicalIndex(self.courses)
        self.vocabulary = self._lexical.vocabulary
        # The catalogue's own words: misspellings and Urdu loanwords are read against them.
        # (One search per course: a word never spans the space that joins two skills.)
        self.known_words = frozenset(
            word
            for course in self.courses
            for word in _SKILL_WORD.findall(" ".join(course.skills).lower())
        )
        self.structure = CatalogueStructure(self.courses)
        self._levels = np.array([c.level for c in self.courses], dtype=object)
        self._languages = np.array([c.language for c in self.courses], dtype=object)
        self._language_masks: dict[str, npt.NDArray[np.bool_]] = {}
        self._hours = np.array([c.total_hours for c in self.courses], dtype=np.float64)
        ratings = np.array(
            [c.rating if c.rating is not None else 4.5 for c in self.courses], dtype=np.float64
        )
        self._rating_factor = 1 + 0.1 * (ratings - 4.5)
        self._level_fit = {
            learner: np.array([fit.get(c.level, 0.5) for c in self.courses], dtype=np.float64)
            for learner, fit in LEVEL_FIT.items()
        }
        self._track_courses = {
            track.id: [
                self._by_url[url.rstrip("/").lower()]
                for url in track.course_urls
                if url.rstrip("/").lower() in self._by_url
            ]
            for track in self.tracks
        }
        self._track_of_course: dict[int, str] = {}
        for track_id, members in self._track_courses.items():
            for course in members:
                self._track_of_course.setdefault(course.id, track_id)
        self._embed_query = lru_cache(maxsize=512)(self._embed_query_uncached)

    @classmethod
    def build(
        cls,
        courses: Sequence[CatalogueCourse],
        tracks: Sequence[Track],
        embedder: TextEmbedder | None,
        cache_dir: Path | None = None,
        seed_dir: Path | None = COURSE_VECTOR_SEEDS,
        *,
        vectors: Vectors | None = None,
    ) -> CourseRecommender:
        """Index the catalogue with the given vectors (stored at import), or embed every course
        (reusing the on-disk cache or shipped vectors)."""
        if vectors is None and embedder is not None and courses:
            vectors = cached_passage_vectors(
                embedder, [course.passage_text() for course in courses], cache_dir, seed_dir
            )
        return cls(courses, tracks, embedder=embedder, vectors=vectors)

    def _embed_query_uncached(self, text: str) -> Vectors | None:
        if self._embedder is None or self._vectors is None:
            return None
        return np.asarray(self._embedder.embed_queries([text])[0], dtype=np.float32)

    def _dense_scores(self, text: str) -> np.ndarray | None:
        query = self._embed_query(text)
        if query is None or self._vectors is None:
            return None
        return np.asarray(self._vectors @ query, dtype=np.float64)

    def interpret(self, goal: str) -> GoalQuery:
        return interpret_goal(goal, self.known_words)

    # ---- recommending ---------------------------------------------------------------------

    def recommend(
        self,
        goal: str,
        *,
        level: str = "beginner",
        hours_per_week: int = 5,
        exclude_ids: Iterable[int] = (),
        language: str = "en",
        months_available: float | None = None,
    ) -> Recommendation:
        """3-5 courses for a goal, fundamentals first, preferring an HEC track that fits, within
        the months the learner has (default: a whole licence) at their hours a week."""
        level = level if level in LEVELS else "beginner"
        months = licence_months() if months_available is None else max(months_available, 0.0)
        query = self.interpret(goal)
        base = _Request(goal, level, hours_per_week, round(months * WEEKS_PER_MONTH, 1))
        if not self._is_clear(query):
            return base.answer(RecommendationStatus.UNCLEAR_GOAL)
        scores = self._blended_scores(query, query.embedding_text())
        if scores is None:  # no word of the goal occurs anywhere in the catalogue
            return base.answer(
                RecommendationStatus.NO_FIT, nearest_tracks=self._nearest_tracks(query)
            )
        track = self._best_track(query)
        return self._assemble(
            query=query,
            scores=scores,
            level=level,
            hours_per_week=hours_per_week,
            excluded=set(exclude_ids),
            track=track,
            language=language,
            base=base,
        )

    def more_like(
        self,
        course_ids: Sequence[int],
        *,
        level: str = "beginner",
        hours_per_week: int = 5,
        months_available: float | None = None,
    ) -> Recommendation:
        """Courses on the same skills as the given ones (which are left out)."""
        seeds = [self.courses[self._by_id[i]] for i in course_ids if i in self._by_id]
        goal = ", ".join(dict.fromkeys(skill for c in seeds for skill in c.skills[:5]))
        return self.recommend(
            goal or "",
            level=level,
            hours_per_week=hours_per_week,
            exclude_ids=course_ids,
            months_available=months_available,
        )

    def from_basics(
        self,
        course_ids: Sequence[int],
        *,
        hours_per_week: int = 5,
        months_available: float | None = None,
    ) -> Recommendation:
        """A beginner path towards the skills of the given courses."""
        seeds = [self.courses[self._by_id[i]] for i in course_ids if i in self._by_id]
        goal = ", ".join(dict.fromkeys(skill for c in seeds for skill in c.skills[:5]))
        return self.recommend(
            goal or "",
            level="beginner",
            hours_per_week=hours_per_week,
            months_available=months_available,
        )

    def course(self, course_id: int) -> CatalogueCourse | None:
        index = self._by_id.get(course_id)
        return self.courses[index] if index is not None else None

    def goal_is_clear(self, goal: str) -> bool:
        """False for an empty goal or keyboard noise: ask the learner again."""
        return self._is_clear(self.interpret(goal))

    def _is_clear(self, query: GoalQuery) -> bool:
        return not query.is_empty and (self._understood(query) or query.has_language)

    def _understood(self, query: GoalQuery) -> bool:
        return bool(query.expanded_skills) or any(t in self.vocabulary for t in query.query_tokens)

    def _blended_scores(self, query: GoalQuery, text: str) -> np.ndarray | None:
        lexical = self._lexical.scores(query.query_tokens)
        top = float(lexical.max(initial=0.0))
        if top <= 0:
            return None
        lexical_norm = lexical / top
        dense = self._dense_scores(text)
        if dense is None:
            return lexical_norm
        # e5 cosines crowd into a narrow band: rescale from the catalogue median to the best.
        median, best = float(np.median(dense)), float(dense.max())
        dense_norm = np.clip((dense - median) / max(best - median, 1e-6), 0.0, 1.0)
        # Dense similarity alone must not pull in courses with no lexical link at all.
        dense_norm = np.where(lexical > 0, dense_norm, dense_norm * 0.5)
        blended: np.ndarray = LEXICAL_WEIGHT * lexical_norm + (1 - LEXICAL_WEIGHT) * dense_norm
        return blended

    def _track_scores(self, query: GoalQuery) -> list[tuple[float, Track]]:
        """Keyword hits: full weight in the learner's own words, half in the skill expansions
        (so "start a business" -> entrepreneurship -> marketing does not pick Marketing)."""
        said = f" {query.english} "
        expanded = f" {' '.join(query.expanded_skills)} "
        goal_tokens = set(query.goal_tokens)
        scored: list[tuple[float, Track]] = []
        for track in self.tracks:
            score = 0.0
            for keyword in track.keywords:
                keyword_tokens = tokens(keyword)
                if f" {keyword} " in said or (
                    keyword_tokens and set(keyword_tokens) <= goal_tokens
                ):
                    score += len(keyword_tokens) + 0.5
                elif f" {keyword} " in expanded:
                    score += (len(keyword_tokens) + 0.5) / 2
            scored.append((score, track))
        scored.sort(key=lambda pair: -pair[0])
        return scored

    def _best_track(self, query: GoalQuery) -> Track | None:
        scored = self._track_scores(query)
        if not scored or scored[0][0] < 1.5:
            return None
        return scored[0][1]

    def _nearest_tracks(self, query: GoalQuery, count: int = 3) -> tuple[TrackSuggestion, ...]:
        """Tracks closest to a goal nothing fits: by dense similarity when we can embed."""
        ranked: list[Track] = [track for score, track in self._track_scores(query) if score > 0]
        dense = self._dense_scores(query.embedding_text()) if query.english else None
        if dense is not None:
            means = []
            for track in self.tracks:
                members = [self._by_id[c.id] for c in self._track_courses.get(track.id, [])]
                means.append((float(dense[members].mean()) if members else -1.0, track))
            means.sort(key=lambda pair: -pair[0])
            ranked.extend(track for _, track in means if track not in ranked)
        ranked.extend(track for track in self.tracks if track not in ranked)
        return tuple(_suggestion(track) for track in ranked[:count])

    def _adjusted(
        self, scores: np.ndarray, level: str, hours_per_week: int, language: str
    ) -> npt.NDArray[np.float64]:
        """Scores weighted by level fit, rating and length, in one pass over numpy arrays;
        courses in a language the learner did not choose are left out (English courses suit
        Urdu speakers too: the catalogue has no Urdu courses)."""
        adjusted = scores * self._level_fit[level] * self._rating_factor
        if hours_per_week <= 3:
            # A six-month certificate is a long road at two hours a week.
            adjusted = np.where(self._hours > 60, adjusted * 0.85, adjusted)
        allowed = {"en", language.split("-", maxsplit=1)[0]}
        language_ok = np.isin(self._languages, list(allowed))
        result: npt.NDArray[np.float64] = np.where(language_ok, adjusted, 0.0)
        return result

    def _assemble(
        self,
        *,
        query: GoalQuery,
        scores: np.ndarray,
        level: str,
        hours_per_week: int,
        excluded: set[int],
        track: Track | None,
        language: str,
        base: _Request,
    ) -> Recommendation:
        adjusted_array = self._adjusted(scores, level, hours_per_week, language)
        count = min(CANDIDATES, len(self.courses))
        top = np.argpartition(-adjusted_array, count - 1)[:count] if count else np.array([])
        top = top[np.argsort(-adjusted_array[top], kind="stable")]
        adjusted: dict[int, float] = {}
        for index in top.tolist():
            value = float(adjusted_array[index])
            if value <= 0:
                break
            course_id = self.courses[index].id
            if course_id not in excluded:
                adjusted[course_id] = value
        path = _PathBuilder(
            recommender=self,
            query=query,
            adjusted=adjusted,
            level=level,
            hours_per_week=hours_per_week,
            weeks_available=base.weeks_available,
        )
        if track is not None:
            path.add_track(track, self._track_path(track, level, excluded))
        path.add_ranked()
        chosen = path.ordered()
        if not chosen:
            return base.answer(
                RecommendationStatus.NO_FIT, nearest_tracks=self._nearest_tracks(query)
            )
        return base.answer(
            RecommendationStatus.OK,
            courses=path.explained(chosen),
            track=_suggestion(track) if track and any(t for _, t in chosen) else None,
            trimmed_for_time=path.trimmed,
        )

    @staticmethod
    def _about_goal(course: CatalogueCourse, query: GoalQuery, score: float, best: float) -> bool:
        """Has a skill the goal asks for, or ranks close to the best match."""
        return bool(skills_matching(course.skills, query)) or score >= best * 0.5

    def _track_path(self, track: Track, level: str, excluded: set[int]) -> list[CatalogueCourse]:
        """The part of a track that suits a level: all of it for beginners; from the first
        intermediate course for intermediates; intermediate and advanced for advanced."""
        members = [c for c in self._track_courses.get(track.id, []) if c.id not in excluded]
        if level == "beginner":
            return members
        later = [c for c in members if LEVEL_ORDER.get(c.level, 0.5) >= 1.0]
        if level == "advanced":
            later.sort(key=lambda c: -LEVEL_ORDER.get(c.level, 0.5))
            later = sorted(later[:3], key=lambda c: LEVEL_ORDER.get(c.level, 0.5))
        return later or members[-2:]

    def track_title(self, track_id: str) -> Track | None:
        return next((track for track in self.tracks if track.id == track_id), None)


class _PathBuilder:
    """Chooses a path: relevant, each course once, no two overlapping certificates, no near-
    duplicate, within the learner's weeks; then orders it foundations first."""

    def __init__(
        self,
        *,
        recommender: CourseRecommender,
        query: GoalQuery,
        adjusted: dict[int, float],
        level: str,
        hours_per_week: int,
        weeks_available: float,
    ) -> None:
        self.r = recommender
        self.structure = recommender.structure
        self.query = query
        self.adjusted = adjusted
        self.level = level
        self.hours_per_week = hours_per_week
        self.weeks_available = weeks_available
        self.wanted = path_length(hours_per_week)
        self.best = max(adjusted.values(), default=0.0)
        self.chosen: list[tuple[CatalogueCourse, str | None]] = []
        self.weeks = 0
        self.trimmed = False
        self.too_long: list[CatalogueCourse] = []
        self.covered: set[str] = set()
        self.track_courses: dict[int, str] = {}
        self._matched_cache: dict[int, frozenset[str]] = {}
        self._weeks_cache: dict[int, int] = {}

    def _weeks(self, course: CatalogueCourse) -> int:
        weeks = self._weeks_cache.get(course.id)
        if weeks is None:
            weeks = self._weeks_cache[course.id] = _weeks(course, self.hours_per_week) or 0
        return weeks

    def _conflicts(self, course: CatalogueCourse) -> bool:
        structure = self.structure
        for other, _ in self.chosen:
            if other.id == course.id or structure.near_duplicate(other.id, course.id):
                return True
            if structure.covered_by(course.id, other.id) or structure.covered_by(
                other.id, course.id
            ):
                return True  # a course and the certificate that holds it: the same content
            if (
                course.kind in CONTAINER_KINDS
                and other.kind in CONTAINER_KINDS
                and structure.overlapping(course.id, other.id)
            ):
                return True
        return False

    def take(self, course: CatalogueCourse, track_id: str | None) -> bool:
        if len(self.chosen) >= self.wanted or self._conflicts(course):
            return False
        weeks = self._weeks(course)
        if self.weeks_available > 0 and self.weeks + weeks > self.weeks_available:
            self.trimmed = True
            self.too_long.append(course)
            return False
        self.chosen.append((course, track_id))
        self.weeks += weeks
        self.covered.update(self._matched(course))
        return True

    def add_track(self, track: Track, members: list[CatalogueCourse]) -> None:
        """HEC's track for the goal: its courses compete first, with a bonus. A track course
        must still be about the goal ("web developer" should not get the freelancing track's
        negotiation course)."""
        for course in members:
            score = self.adjusted.get(course.id, 0.0)
            if score > 0 and self.r._about_goal(course, self.query, score, self.best):
                self.track_courses[course.id] = track.id

    def _eligible(self, course: CatalogueCourse, score: float, ranked_count: int) -> bool:
        if score < self.best * 0.2:
            return False
        # About the goal: has a skill it asks for, or ranks close to the best match.
        if not self._matched(course) and score < self.best * 0.5:
            return False
        if self.level == "beginner" and course.level == "advanced" and ranked_count > 5:
            return False
        return not (self.level == "advanced" and course.level == "beginner" and ranked_count > 5)

    def _matched(self, course: CatalogueCourse) -> frozenset[str]:
        found = self._matched_cache.get(course.id)
        if found is None:
            found = frozenset(s.lower() for s in skills_matching(course.skills, self.query))
            self._matched_cache[course.id] = found
        return found

    def _new_skills(self, course: CatalogueCourse) -> int:
        return len(self._matched(course) - self.covered)

    def add_ranked(self) -> None:
        """Greedy by value: the blended score, raised by the goal skills a course adds that the
        path does not cover yet, lowered by the share of the learner's time it takes."""
        ranked = list(self.adjusted)
        pool = [self.r.courses[self.r._by_id[course_id]] for course_id in self.track_courses]
        pool += [
            self.r.courses[self.r._by_id[course_id]]
            for course_id in ranked[:POOL]
            if course_id not in self.track_courses
            and self._eligible(
                self.r.courses[self.r._by_id[course_id]], self.adjusted[course_id], len(ranked)
            )
        ]
        budget = self.weeks_available if self.weeks_available > 0 else 10_000.0
        while len(self.chosen) < self.wanted and pool:
            best: tuple[float, CatalogueCourse] | None = None
            for course in pool:
                weeks = self._weeks(course)
                value = (
                    self.adjusted[course.id]
                    * (TRACK_BONUS if course.id in self.track_courses else 1.0)
                    * (1 + SKILL_GAIN * self._new_skills(course))
                    * (1 - TIME_COST * min(weeks / budget, 1.0))
                )
                if best is None or value > best[0]:
                    best = (value, course)
            assert best is not None
            course = best[1]
            pool.remove(course)
            track_id = self.track_courses.get(course.id) or self.r._track_of_course.get(course.id)
            self.take(course, track_id)
        if not self.chosen and self.too_long:
            self._shortest_useful()

    def _shortest_useful(self) -> None:
        """Nothing relevant fits the time: offer the shortest useful start instead (the first
        courses of the best certificate, else the shortest relevant course), flagged as not
        fitting when even that is too long."""
        best = self.too_long[0]
        starts = [
            self.r.courses[self.r._by_id[i]]
            for i in self.structure.members.get(best.id, [])
            if i in self.r._by_id
        ]
        relevant = [c for c in self.too_long if c.kind not in CONTAINER_KINDS]
        options = starts or sorted(relevant or self.too_long, key=self._weeks)
        budget, self.weeks_available = self.weeks_available, 0.0
        for course in options:
            if self.chosen and self.weeks + self._weeks(course) > budget:
                break
            self.take(course, None)
        self.weeks_available = budget

    def ordered(self) -> list[tuple[CatalogueCourse, str | None]]:
        """Level first, then prerequisites: a course that teaches what another needs comes
        first; a course whose prerequisite in the path is harder than itself is dropped
        (TensorFlow for beginners does not come before the Machine Learning it needs)."""
        track_positions: dict[int, int] = {}
        for course, track_id in self.chosen:
            if track_id is not None:
                track = self.r.track_title(track_id)
                urls = [u.rstrip("/").lower() for u in track.course_urls] if track else []
                key = course.url.rstrip("/").lower()
                track_positions[course.id] = urls.index(key) if key in urls else len(urls)
        items = sorted(
            self.chosen,
            key=lambda pair: (
                LEVEL_ORDER.get(pair[0].level, 0.5),
                track_positions.get(pair[0].id, 99),
                -self.adjusted.get(pair[0].id, 0.0),
            ),
        )
        structure = self.structure
        changed = True
        rounds = len(items) ** 2  # bounded: a cycle of prerequisites must not spin forever
        while changed and rounds > 0:
            changed = False
            rounds -= 1
            for i, (course, _) in enumerate(items):
                for j in range(i + 1, len(items)):
                    later = items[j][0]
                    if not structure.needs_first(course.id, later.id):
                        continue
                    if LEVEL_ORDER.get(later.level, 0.5) <= LEVEL_ORDER.get(course.level, 0.5):
                        items.insert(i, items.pop(j))
                    elif structure.founds(course.id, later.id):
                        # Its foundation is harder than itself: one of the two must go. The
                        # dependent course goes, unless the path would then start above the
                        # learner's level; then the harder foundation goes.
                        rest = [c for k, (c, _) in enumerate(items) if k != i]
                        start = LEVEL_ORDER.get(rest[0].level, 0.5) if rest else 0.0
                        items.pop(i if start <= max(LEVEL_ORDER[self.level], 0.5) else j)
                    else:
                        continue  # a skill listed in passing: the level order stands
                    changed = True
                    break
                if changed:
                    break
        return items

    def explained(
        self, chosen: list[tuple[CatalogueCourse, str | None]]
    ) -> tuple[RecommendedCourse, ...]:
        structure = self.structure
        covered: set[str] = set()
        result: list[RecommendedCourse] = []
        for position, (course, track_id) in enumerate(chosen):
            matched = skills_matching(course.skills, self.query)
            new = [s for s in matched if s.lower() not in covered] or matched
            covered.update(s.lower() for s in matched)
            reason = self._reason(course, track_id, new, chosen[position + 1 :])
            container = structure.container_of(course.id)
            container_course = self.r.course(container) if container is not None else None
            contains = tuple(
                member.title
                for member_id in structure.members.get(course.id, [])
                if (member := self.r.course(member_id)) is not None
            )
            result.append(
                RecommendedCourse(
                    course=course,
                    matched_skills=tuple(matched[:4]),
                    track_id=track_id,
                    score=round(self.adjusted.get(course.id, 0.0), 4),
                    weeks_at_pace=_weeks(course, self.hours_per_week),
                    reason=reason,
                    part_of=container_course.title if container_course else "",
                    contains=contains,
                )
            )
        return tuple(result)

    def _reason(
        self,
        course: CatalogueCourse,
        track_id: str | None,
        new_skills: list[str],
        later: list[tuple[CatalogueCourse, str | None]],
    ) -> Reason:
        if new_skills:
            return Reason(ReasonKind.SKILLS, skills=tuple(new_skills[:4]))
        track = self.r.track_title(track_id) if track_id else None
        if track is not None:
            urls = [u.rstrip("/").lower() for u in track.course_urls]
            key = course.url.rstrip("/").lower()
            return Reason(
                ReasonKind.TRACK,
                track_title=track.title,
                track_title_ur=track.title_ur,
                position=urls.index(key) + 1 if key in urls else 0,
            )
        needs = [other for other, _ in later if self.structure.needs_first(other.id, course.id)]
        if needs:
            provided = self.structure.provides(course.id) & self.structure.requires(needs[0].id)
            return Reason(ReasonKind.FOUNDATION, skills=tuple(sorted(provided))[:3])
        words = set(self.query.query_tokens)
        related = [s for s in course.skills if set(tokens(s)) & words] or [
            w for w in tokens(course.title) if w in words
        ]
        return Reason(ReasonKind.RELATED, skills=tuple(related[:3] or course.skills[:2]))


def _weeks(course: CatalogueCourse, hours_per_week: int) -> int | None:
    hours = course.total_hours
    if hours <= 0 or hours_per_week <= 0:
        return None
    return max(1, math.ceil(hours / hours_per_week))


def _suggestion(track: Track) -> TrackSuggestion:
    return TrackSuggestion(id=track.id, title=track.title, title_ur=track.title_ur)


def shown_fields(recommended: RecommendedCourse) -> dict[str, object]:
    """A JSON-friendly view (CLI --json, logs): what other tools need to use a path."""
    course = recommended.course
    reason = recommended.reason
    return {
        "id": course.id,
        "title": course.title,
        "partner": course.partner,
        "type": course.kind,
        "level": course.level,
        "language": course.language,
        "duration": course.duration,
        "hours": round(course.total_hours, 1),
        "weeks": recommended.weeks_at_pace,
        "weeks_at_your_pace": recommended.weeks_at_pace,
        "rating": course.rating,
        "url": course.url,
        "skills": list(course.skills),
        "matched_skills": list(recommended.matched_skills),
        "group": recommended.part_of or None,
        "contains": list(recommended.contains),
        "reason": {
            "kind": reason.kind.value,
            "skills": list(reason.skills),
            "track": reason.track_title or None,
            "position": reason.position or None,
        },
        "track": recommended.track_id,
    }


__all__ = [
    "LEVELS",
    "CatalogueCourse",
    "CourseRecommender",
    "Reason",
    "ReasonKind",
    "Recommendation",
    "RecommendationStatus",
    "RecommendedCourse",
    "TrackSuggestion",
    "estimated_hours",
    "licence_months",
    "path_length",
    "shown_fields",
]
