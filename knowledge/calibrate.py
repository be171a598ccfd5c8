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
those declining the most out-of-scope questions, then the fewest in-scope ones, are the best
outcome. Among them the one in the middle of its plateau is chosen: along each knob, the run of
grid values over which no dev question flips, and the setting farthest (in grid steps, its most
fragile knob first) from the values where one does; then the one nearest the current defaults.
A setting at a plateau's edge is one question from flipping, and an edge chosen on dev does not
carry to new questions (issue 15). The grid's own edges count as an edge (what lies beyond is
unknown), unless no question flips anywhere along that knob. ``hecbot kb calibrate`` prints
the choice and, from a finer sweep of one knob at a time, each value's margin: how far it is
from the nearest value where a dev question flips.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.answering import judge_evidence
from knowledge.config import RetrievalThresholds
from knowledge.evaluate import EvalQuestion
from knowledge.language import NormalisedQuery
from knowledge.redirects import RedirectMatcher, RestOfQuestion, Topic
from knowledge.retrieval import HybridRetriever, ScoredPassage

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
    # Whether each question was declined, in question order (empty: only the counts are known).
    declined: tuple[bool, ...] = ()

    @property
    def outcome(self) -> tuple[int, ...]:
        """What two settings must share to be on one plateau: the same questions declined."""
        return self.declined or (self.oos_abstained, self.false_abstained)

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


@dataclass(frozen=True)
class RetrievedQuestion:
    """A question retrieved once, with what every setting judges it on."""

    in_scope: bool
    query: NormalisedQuery
    passages: Sequence[ScoredPassage]
    # A topic chosen while the rules could answer is chosen under every setting; when they
    # cannot, the question is declined anyway (a redirect or the decline).
    redirected: bool
    # How much closer the closest redirect topic is than the best rule (for ``topic_margin``).
    closer: float
    # When the topic is named only in a clause that gives the question's context, and the
    # clause that asks stands apart from it (knowledge/redirects.py): that clause and its
    # passages. The question is then answered under a setting whose floors answer the clause.
    asked: tuple[NormalisedQuery, Sequence[ScoredPassage]] | None = None
    # A topic named by a word of its own that no rule uses (``RedirectMatcher.word_topic``):
    # the rest of the question, which each setting's floors judge.
    word_topic: RestOfQuestion | None = None
    # When that word is said only in a clause that gives the context and the clause that asks
    # stands apart from the topic: that clause and its passages (judged like ``asked``).
    word_asked: tuple[NormalisedQuery, Sequence[ScoredPassage]] | None = None


def retrieve_questions(
    retriever: HybridRetriever, questions: Sequence[EvalQuestion], top_k: int = 3
) -> list[RetrievedQuestion]:
    """Retrieve each question once (retrieval does not depend on the thresholds)."""
    redirects = RedirectMatcher(retriever)

    def asked_apart(
        topic: Topic, question: str, by_words: frozenset[str] = frozenset()
    ) -> tuple[NormalisedQuery, Sequence[ScoredPassage]] | None:
        """The clause that asks and its passages, when the topic is named only in the context
        and that clause stands apart from it (``RedirectMatcher.clause_stands_apart``)."""
        clause = redirects.asked_clause(topic, question, by_words)
        if clause is None:
            return None
        clause_query = retriever.normalise(clause)
        clause_passages = retriever.retrieve(clause_query, top_k=top_k)
        if redirects.clause_stands_apart(topic, question, clause_query, clause_passages, by_words):
            return clause_query, clause_passages
        return None

    retrieved = []
    for item in questions:
        query = retriever.normalise(item.question)
        passages = retriever.retrieve(query, top_k=top_k)
        # A topic a word alone names is judged with each setting (``word_topic`` below).
        topic = redirects.choose(query, passages, answerable=True, by_words=False)
        lead = redirects.topic_lead(query, passages)
        closer = -1.0 if lead is None else lead
        asked = asked_apart(topic, item.question) if topic is not None else None
        by_words = redirects.named_by_words(query)
        word = redirects.word_topic(query, passages, by_words=by_words)
        word_asked = None
        if word is not None:
            word_asked = asked_apart(word[0], item.question, by_words[word[0].chunk.id])
        retrieved.append(
            RetrievedQuestion(
                item.in_scope,
                query,
                passages,
                topic is not None,
                closer,
                asked,
                word[1] if word is not None else None,
                word_asked,
            )
        )
    return retrieved


def judge_setting(
    retriever: HybridRetriever,
    retrieved: Sequence[RetrievedQuestion],
    thresholds: RetrievalThresholds,
) -> SettingResult:
    """Out-of-scope and in-scope questions declined under one setting."""
    margin = thresholds.topic_margin

    def declined_by(item: RetrievedQuestion) -> bool:
        if item.asked is not None:
            # The clause that asks decides, as in the engine: answered when the rules answer
            # it, redirected when they do not.
            return not judge_evidence(*item.asked, retriever, thresholds).answerable
        return (
            item.redirected
            or (margin is not None and item.closer >= margin)
            or _declined(item, retriever, thresholds)
        )

    declined = tuple(declined_by(item) for item in retrieved)
    in_scope = [d for item, d in zip(retrieved, declined, strict=True) if item.in_scope]
    out_of_scope = [d for item, d in zip(retrieved, declined, strict=True) if not item.in_scope]
    # A topic takes these under every setting.
    forced = sum(1 for item in retrieved if item.in_scope and item.redirected and not item.asked)
    return SettingResult(
        thresholds,
        len(out_of_scope),
        sum(out_of_scope),
        len(in_scope),
        sum(in_scope),
        forced,
        declined,
    )


def _declined(
    item: RetrievedQuestion, retriever: HybridRetriever, thresholds: RetrievalThresholds
) -> bool:
    """Declined by the floors, or sent to a topic one of its words names (as the engine does:
    unless the best rule stands out or the rules hold the rest of the question at the floor,
    or the word is only in the context clause and the floors answer the asked clause)."""
    evidence = judge_evidence(item.query, item.passages, retriever, thresholds)
    rest = item.word_topic
    if rest is None:
        return not evidence.answerable
    to_topic = not evidence.answerable or not (
        evidence.stands_out or rest.answered(thresholds.min_coverage)
    )
    if not to_topic:
        return False
    # Sent to the topic unless the word is only in the context and the asked clause answers.
    if item.word_asked is None:
        return True
    return not judge_evidence(*item.word_asked, retriever, thresholds).answerable


def evaluate_settings(
    retriever: HybridRetriever,
    questions: Sequence[EvalQuestion],
    settings: Sequence[RetrievalThresholds],
    top_k: int = 3,
) -> list[SettingResult]:
    """Out-of-scope and in-scope questions declined under each setting."""
    retrieved = retrieve_questions(retriever, questions, top_k)
    return [judge_setting(retriever, retrieved, thresholds) for thresholds in settings]


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


def _with_knob(thresholds: RetrievalThresholds, knob: str, value: float) -> RetrievalThresholds:
    knobs: dict[str, Any] = {knob: value}
    return dataclasses.replace(thresholds, **knobs)


def _knob_value(thresholds: RetrievalThresholds, knob: str) -> float:
    value: float | None = getattr(thresholds, knob)
    return NEVER if value is None else value  # topic_margin off is the grid's NEVER


def plateau_steps(
    result: SettingResult,
    results: Sequence[SettingResult],
    grid: Mapping[str, tuple[float, ...]] = GRID,
) -> dict[str, float]:
    """Per knob, how many grid steps the setting is from the nearest value where a question
    flips (the other knobs held), or from the grid's edge; ``inf`` when no question flips
    anywhere along that knob. A knob whose value is not on the grid is left out."""
    by_setting = {r.thresholds: r for r in results}
    steps: dict[str, float] = {}
    for knob, values in grid.items():
        value = _knob_value(result.thresholds, knob)
        if value not in values:
            continue
        position = values.index(value)
        ends: list[int] = []
        for direction in (-1, 1):
            index = position + direction
            while 0 <= index < len(values):
                neighbour = by_setting.get(_with_knob(result.thresholds, knob, values[index]))
                if neighbour is None or neighbour.outcome != result.outcome:
                    break
                index += direction
            ends.append(index)
        flips_nowhere = ends == [-1, len(values)] and len(values) > 1
        steps[knob] = math.inf if flips_nowhere else min(position - ends[0], ends[1] - position)
    return steps


def choose(
    results: Sequence[SettingResult],
    current: RetrievalThresholds,
    max_false: float = MAX_FALSE_ABSTENTION,
    grid: Mapping[str, tuple[float, ...]] = GRID,
) -> SettingResult | None:
    """The procedure: within the false-abstention target, most out-of-scope declined, then
    fewest in-scope declined; among those, the middle of the widest plateau (its most fragile
    knob first), then nearest the current setting (None if none is within)."""
    feasible = [r for r in results if r.false_rate <= max_false + 1e-12] or [
        r for r in results if r.floor_false_rate <= max_false + 1e-12
    ]
    if not feasible:
        return None
    best = min((-r.oos_rate, r.false_rate) for r in feasible)
    tied = [r for r in feasible if (-r.oos_rate, r.false_rate) == best]

    def fragility(r: SettingResult) -> tuple[float, ...]:
        return tuple(-steps for steps in sorted(plateau_steps(r, results, grid).values()))

    return min(tied, key=lambda r: (fragility(r), _distance(r.thresholds, current)))


@dataclass(frozen=True)
class KnobMargin:
    """How far one knob's value is from the nearest value where a dev question flips."""

    knob: str
    value: float
    # The plateau: the lowest and highest values swept with the same questions declined.
    low: float
    high: float
    # The nearest values where a question flips (None: none within the sweep).
    flip_below: float | None
    flip_above: float | None

    @property
    def margin(self) -> float | None:
        """Distance to the nearest flip (None: none within the sweep, or the knob is off)."""
        if self.value >= NEVER:
            return None
        gaps = [
            abs(self.value - flip)
            for flip in (self.flip_below, self.flip_above)
            if flip is not None
        ]
        return min(gaps, default=None)

    def describe(self) -> str:
        def shown(value: float | None) -> str:
            return "none swept" if value is None else "off" if value >= NEVER else f"{value:g}"

        margin = self.margin
        gap = (
            "- (off)"
            if self.value >= NEVER
            else "none swept"
            if margin is None
            else f"{margin:.3g}"
        )
        return (
            f"{self.knob}={shown(self.value)}: plateau {shown(self.low)}-{shown(self.high)}, "
            f"flips at {shown(self.flip_below)} / {shown(self.flip_above)}, margin {gap}"
        )


def knob_margins(
    thresholds: RetrievalThresholds,
    judge: Callable[[RetrievalThresholds], SettingResult],
    grid: Mapping[str, tuple[float, ...]] = GRID,
    resolution: int = 10,
) -> list[KnobMargin]:
    """Sweep each knob alone, ``resolution`` times finer than its grid and one grid step past
    each end, and find the nearest values on either side where a question flips."""
    margins: list[KnobMargin] = []
    for knob, values in grid.items():
        finite = sorted(v for v in values if v < NEVER)
        step = min((b - a for a, b in itertools.pairwise(finite)), default=0.0)
        value = _knob_value(thresholds, knob)
        swept = set(values) | {value}
        if step > 0:
            count = round((finite[-1] - finite[0]) / step * resolution) + 2 * resolution
            fine = step / resolution
            swept |= {round(finite[0] - step + i * fine, 6) for i in range(count + 1)}
        ordered = sorted(swept)
        outcomes = [judge(_with_knob(thresholds, knob, v)).outcome for v in ordered]
        position = ordered.index(value)
        below = next(
            (i for i in range(position - 1, -1, -1) if outcomes[i] != outcomes[position]), None
        )
        above = next(
            (i for i in range(position + 1, len(ordered)) if outcomes[i] != outcomes[position]),
            None,
        )
        margins.append(
            KnobMargin(
                knob,
                value,
                ordered[0 if below is None else below + 1],
                ordered[-1 if above is None else above - 1],
                None if below is None else ordered[below],
                None if above is None else ordered[above],
            )
        )
    return margins
