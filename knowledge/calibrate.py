"""How the abstention thresholds are chosen: one stated procedure, run on the dev split only.

Each question is retrieved once (retrieval does not depend on the thresholds); then every
setting of a small grid judges the same passages with :func:`judge_evidence`. A question
the redirect topics send elsewhere even when the rules could answer it (its words name a
topic the rules never mention) is declined whatever the floors, as the engine does; the
floors are chosen for the rest: an in-scope question redirected that way is a false abstention
under every setting, so when no setting meets the target on all in-scope questions, it is
checked on those the floors decide (``floor_false_rate``; the redirect gates are judged apart,
docs/benchmarks.md).
Among the
settings whose false abstention on the given questions is within the target (0.05, issue 2),
the one declining the most out-of-scope questions is chosen, then the one declining the fewest
in-scope ones, then the one nearest the current defaults. ``hecbot kb calibrate`` prints it.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.answering import judge_evidence
from knowledge.config import RetrievalThresholds
from knowledge.evaluate import EvalQuestion
from knowledge.language import normalise_query
from knowledge.redirects import RedirectMatcher
from knowledge.retrieval import HybridRetriever

# The target of issue 2: at most this share of in-scope questions declined.
MAX_FALSE_ABSTENTION = 0.05
# "Never": an unsupported word always withdraws the dense-only pass.
NEVER = 99.0

GRID: dict[str, tuple[float, ...]] = {
    "min_dense": (0.79, 0.80, 0.81),
    "strong_dense": (0.82, 0.83, 0.84, 0.85, 0.86, 0.87),
    "unsupported_min_z": (2.0, 2.5, 3.0, 3.5, NEVER),
    "min_coverage": (0.35, 0.40, 0.45, 0.50, 0.55, 0.60),
    # How much closer than every rule a topic of the redirect document must be to take a
    # question that names none of its phrases (NEVER: off).
    "topic_margin": (0.0, 0.004, 0.008, 0.012, NEVER),
}


@dataclass(frozen=True)
class SettingResult:
    thresholds: RetrievalThresholds
    out_of_scope: int
    oos_abstained: int
    in_scope: int
    false_abstained: int
    # In-scope questions a redirect topic takes under every setting (no floor can answer them).
    forced_false: int = 0

    @property
    def oos_rate(self) -> float:
        return self.oos_abstained / self.out_of_scope if self.out_of_scope else 0.0

    @property
    def false_rate(self) -> float:
        return self.false_abstained / self.in_scope if self.in_scope else 0.0

    @property
    def floor_false_rate(self) -> float:
        """False abstention among the in-scope questions the floors decide."""
        decided = self.in_scope - self.forced_false
        return (self.false_abstained - self.forced_false) / decided if decided else 0.0


def grid_settings(
    base: RetrievalThresholds, grid: dict[str, tuple[float, ...]] = GRID
) -> list[RetrievalThresholds]:
    names = list(grid)
    settings: list[RetrievalThresholds] = []
    for values in itertools.product(*(grid[name] for name in names)):
        knobs: dict[str, Any] = dict(zip(names, values, strict=True))
        settings.append(dataclasses.replace(base, **knobs))
    return settings


def evaluate_settings(
    retriever: HybridRetriever,
    questions: Sequence[EvalQuestion],
    settings: Sequence[RetrievalThresholds],
    top_k: int = 3,
) -> list[SettingResult]:
    """Out-of-scope and in-scope questions declined under each setting."""
    redirects = RedirectMatcher(retriever)
    retrieved = []
    for item in questions:
        query = normalise_query(item.question)
        passages = retriever.retrieve(query, top_k=top_k)
        # A topic chosen while the rules could answer is chosen under every setting; when
        # they cannot, the question is declined anyway (a redirect or the decline).
        redirected = redirects.choose(query, passages, answerable=True) is not None
        # How much closer the closest topic is than the best rule (for ``topic_margin``).
        rule = max((p.dense for p in passages if p.dense is not None), default=None)
        topics = retriever.redirect_similarities(query)
        closer = topics[0][1] - rule if topics and rule is not None else -1.0
        retrieved.append((item.in_scope, query, passages, redirected, closer))
    results: list[SettingResult] = []
    for thresholds in settings:
        oos = oos_declined = in_scope = in_declined = 0
        margin = thresholds.topic_margin
        for is_in_scope, query, passages, redirected, closer in retrieved:
            declined = (
                redirected
                or (margin is not None and closer >= margin)
                or not judge_evidence(query, passages, retriever, thresholds).answerable
            )
            if is_in_scope:
                in_scope += 1
                in_declined += declined
            else:
                oos += 1
                oos_declined += declined
        forced = sum(1 for is_in, _, _, redirected, _ in retrieved if is_in and redirected)
        results.append(SettingResult(thresholds, oos, oos_declined, in_scope, in_declined, forced))
    return results


def _distance(a: RetrievalThresholds, b: RetrievalThresholds) -> float:
    """How far two settings are apart, each knob in units of its grid step."""
    steps = {"min_dense": 0.01, "strong_dense": 0.01, "unsupported_min_z": 0.5}
    steps["min_coverage"] = 0.05
    total = 0.0
    for name, step in steps.items():
        first: float = min(getattr(a, name), 4.0)
        second: float = min(getattr(b, name), 4.0)
        total += abs(first - second) / step
    # Off (None or NEVER) is one step beyond the largest margin tried.
    margins = [0.016 if m is None else min(m, 0.016) for m in (a.topic_margin, b.topic_margin)]
    return total + abs(margins[0] - margins[1]) / 0.004


def choose(
    results: Sequence[SettingResult],
    current: RetrievalThresholds,
    max_false: float = MAX_FALSE_ABSTENTION,
) -> SettingResult | None:
    """The procedure: within the false-abstention target, most out-of-scope declined, then
    fewest in-scope declined, then nearest the current setting (None if none is within)."""
    feasible = [r for r in results if r.false_rate <= max_false + 1e-12] or [
        r for r in results if r.floor_false_rate <= max_false + 1e-12
    ]
    if not feasible:
        return None
    return min(
        feasible,
        key=lambda r: (-r.oos_rate, r.false_rate, _distance(r.thresholds, current)),
    )
