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
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import numpy as np

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

    def passage_text(self) -> str:
        skills = ", ".join(self.skills[:12])
        kind = self.kind.replace("_", " ")
        return f"{self.title}. {kind}. Skills: {skills}. {self.description[:200]}"

    @property
    def total_hours(self) -> float:
        return estimated_hours(self.duration)


@dataclass(frozen=True)
class RecommendedCourse:
    course: CatalogueCourse
    matched_skills: tuple[str, ...]
    track_id: str | None
    score: float
    weeks_at_pace: int | None


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

    @property
    def course_ids(self) -> list[int]:
        return [item.course.id for item in self.courses]


@dataclass(frozen=True)
class _Request:
    goal: str
    level: str
    hours_per_week: int

    def answer(
        self,
        status: RecommendationStatus,
        *,
        courses: tuple[RecommendedCourse, ...] = (),
        track: TrackSuggestion | None = None,
        nearest_tracks: tuple[TrackSuggestion, ...] = (),
    ) -> Recommendation:
        return Recommendation(
            status,
            goal=self.goal,
            level=self.level,
            hours_per_week=self.hours_per_week,
            courses=courses,
            track=track,
            nearest_tracks=nearest_tracks,
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


class CourseRecommender:
    """The catalogue in memory (tokens, BM25 statistics, vectors) and the ranking over it."""

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
        self._build_lexical_index()
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
    ) -> CourseRecommender:
        """Embed every course (or reuse the on-disk cache or shipped vectors) and index it."""
        vectors = None
        if embedder is not None and courses:
            vectors = cached_passage_vectors(
                embedder, [course.passage_text() for course in courses], cache_dir, seed_dir
            )
        return cls(courses, tracks, embedder=embedder, vectors=vectors)

    # ---- indexing -------------------------------------------------------------------------

    def _build_lexical_index(self) -> None:
        self._doc_tokens: list[Counter[str]] = []
        document_frequency: Counter[str] = Counter()
        for course in self.courses:
            counts: Counter[str] = Counter()
            # Title and skills say what a course is about; the description only supports.
            for token in tokens(course.title):
                counts[token] += 3
            for skill in course.skills:
                for token in set(tokens(skill)):
                    counts[token] += 2
            for token in tokens(course.description[:400]):
                counts[token] += 1
            self._doc_tokens.append(counts)
            document_frequency.update(counts.keys())
        total = max(len(self.courses), 1)
        self._idf = {
            token: math.log(1 + (total - df + 0.5) / (df + 0.5))
            for token, df in document_frequency.items()
        }
        lengths = [sum(counts.values()) for counts in self._doc_tokens]
        self._average_length = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._lengths = lengths
        self.vocabulary = frozenset(document_frequency)

    def _lexical_scores(self, query_tokens: Iterable[str]) -> np.ndarray:
        k1, b = 1.2, 0.6
        scores = np.zeros(len(self.courses), dtype=np.float64)
        weights = Counter(query_tokens)
        for token, weight in weights.items():
            idf = self._idf.get(token)
            if idf is None:
                continue
            for index, counts in enumerate(self._doc_tokens):
                frequency = counts.get(token)
                if not frequency:
                    continue
                norm = k1 * (1 - b + b * self._lengths[index] / self._average_length)
                scores[index] += weight * idf * frequency * (k1 + 1) / (frequency + norm)
        return scores

    def _embed_query_uncached(self, text: str) -> Vectors | None:
        if self._embedder is None or self._vectors is None:
            return None
        return np.asarray(self._embedder.embed_queries([text])[0], dtype=np.float32)

    def _dense_scores(self, text: str) -> np.ndarray | None:
        query = self._embed_query(text)
        if query is None or self._vectors is None:
            return None
        return np.asarray(self._vectors @ query, dtype=np.float64)

    # ---- recommending ---------------------------------------------------------------------

    def recommend(
        self,
        goal: str,
        *,
        level: str = "beginner",
        hours_per_week: int = 5,
        exclude_ids: Iterable[int] = (),
        language: str = "en",
    ) -> Recommendation:
        """3-5 courses for a goal, fundamentals first, preferring an HEC track that fits."""
        level = level if level in LEVELS else "beginner"
        query = interpret_goal(goal)
        base = _Request(goal, level, hours_per_week)
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
        self, course_ids: Sequence[int], *, level: str = "beginner", hours_per_week: int = 5
    ) -> Recommendation:
        """Courses on the same skills as the given ones (which are left out)."""
        seeds = [self.courses[self._by_id[i]] for i in course_ids if i in self._by_id]
        goal = ", ".join(dict.fromkeys(skill for c in seeds for skill in c.skills[:5]))
        return self.recommend(
            goal or "", level=level, hours_per_week=hours_per_week, exclude_ids=course_ids
        )

    def from_basics(self, course_ids: Sequence[int], *, hours_per_week: int = 5) -> Recommendation:
        """A beginner path towards the skills of the given courses."""
        seeds = [self.courses[self._by_id[i]] for i in course_ids if i in self._by_id]
        goal = ", ".join(dict.fromkeys(skill for c in seeds for skill in c.skills[:5]))
        return self.recommend(goal or "", level="beginner", hours_per_week=hours_per_week)

    def course(self, course_id: int) -> CatalogueCourse | None:
        index = self._by_id.get(course_id)
        return self.courses[index] if index is not None else None

    def goal_is_clear(self, goal: str) -> bool:
        """False for an empty goal or keyboard noise: ask the learner again."""
        return self._is_clear(interpret_goal(goal))

    def _is_clear(self, query: GoalQuery) -> bool:
        return not query.is_empty and (self._understood(query) or query.has_language)

    def _understood(self, query: GoalQuery) -> bool:
        return bool(query.expanded_skills) or any(t in self.vocabulary for t in query.query_tokens)

    def _blended_scores(self, query: GoalQuery, text: str) -> np.ndarray | None:
        lexical = self._lexical_scores(query.query_tokens)
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
        wanted = path_length(hours_per_week)
        fit = LEVEL_FIT[level]
        adjusted: dict[int, float] = {}
        for index, course in enumerate(self.courses):
            if course.id in excluded or scores[index] <= 0:
                continue
            score = float(scores[index]) * fit.get(course.level, 0.5)
            if course.language != language:
                score *= 0.3
            if hours_per_week <= 3 and course.total_hours > 60:
                score *= 0.85  # a six-month certificate is a long road at two hours a week
            if course.rating is not None:
                score *= 1 + 0.1 * (course.rating - 4.5)
            adjusted[course.id] = score

        chosen: list[tuple[CatalogueCourse, str | None]] = []
        seen_titles: set[str] = set()

        def take(course: CatalogueCourse, track_id: str | None) -> None:
            title = course.title.lower().strip()
            if title in seen_titles or any(course.id == c.id for c, _ in chosen):
                return
            seen_titles.add(title)
            chosen.append((course, track_id))

        ranked = sorted(adjusted, key=lambda course_id: -adjusted[course_id])
        best = adjusted[ranked[0]] if ranked else 0.0
        if track is not None:
            for course in self._track_path(track, level, excluded):
                if len(chosen) >= max(wanted - 1, 2):
                    break
                # A track course must still be about the goal: "web developer" should not
                # get the freelancing track's negotiation course.
                if self._about_goal(course, query, adjusted.get(course.id, 0.0), best):
                    take(course, track.id)
        for course_id in ranked:
            if len(chosen) >= wanted:
                break
            course = self.courses[self._by_id[course_id]]
            if adjusted[course_id] < best * 0.2:
                break
            if not self._about_goal(course, query, adjusted[course_id], best):
                continue
            if level == "beginner" and course.level == "advanced" and len(ranked) > wanted:
                continue
            if level == "advanced" and course.level == "beginner" and len(ranked) > wanted:
                continue
            take(course, self._track_of_course.get(course.id))
        track_positions = {
            course.id: position
            for position, course in enumerate(
                self._track_courses.get(track.id, []) if track else []
            )
        }
        chosen.sort(
            key=lambda pair: (
                LEVEL_ORDER.get(pair[0].level, 0.5),
                track_positions.get(pair[0].id, len(track_positions)),
                -adjusted.get(pair[0].id, 0.0),
            )
        )
        recommended = tuple(
            RecommendedCourse(
                course=course,
                matched_skills=tuple(skills_matching(course.skills, query)[:4]),
                track_id=track_id,
                score=round(adjusted.get(course.id, 0.0), 4),
                weeks_at_pace=_weeks(course, hours_per_week),
            )
            for course, track_id in chosen
        )
        if not recommended:
            return base.answer(
                RecommendationStatus.NO_FIT, nearest_tracks=self._nearest_tracks(query)
            )
        return base.answer(
            RecommendationStatus.OK,
            courses=recommended,
            track=_suggestion(track) if track else None,
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


def _weeks(course: CatalogueCourse, hours_per_week: int) -> int | None:
    hours = course.total_hours
    if hours <= 0 or hours_per_week <= 0:
        return None
    return max(1, math.ceil(hours / hours_per_week))


def _suggestion(track: Track) -> TrackSuggestion:
    return TrackSuggestion(id=track.id, title=track.title, title_ur=track.title_ur)


def shown_fields(recommended: RecommendedCourse) -> dict[str, object]:
    """A JSON-friendly view (CLI --json, logs)."""
    course = recommended.course
    return {
        "id": course.id,
        "title": course.title,
        "partner": course.partner,
        "type": course.kind,
        "level": course.level,
        "duration": course.duration,
        "rating": course.rating,
        "url": course.url,
        "matched_skills": list(recommended.matched_skills),
        "track": recommended.track_id,
        "weeks_at_your_pace": recommended.weeks_at_pace,
    }


__all__ = [
    "LEVELS",
    "CatalogueCourse",
    "CourseRecommender",
    "Recommendation",
    "RecommendationStatus",
    "RecommendedCourse",
    "TrackSuggestion",
    "estimated_hours",
    "path_length",
    "shown_fields",
]
