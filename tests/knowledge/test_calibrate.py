"""The threshold calibration procedure (knowledge/calibrate.py) on a synthetic corpus."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.calibrate import (
    NEVER,
    SettingResult,
    choose,
    evaluate_settings,
    grid_settings,
    knob_margins,
    plateau_steps,
)
from knowledge.chunking import Chunk
from knowledge.config import RetrievalThresholds
from knowledge.evaluate import EvalQuestion
from knowledge.retrieval import HybridRetriever
from tests.knowledge.test_abstention import RULES, FakeStore, chunk


def result(oos: int, false: int, **knobs: float) -> SettingResult:
    return SettingResult(RetrievalThresholds(**knobs), 10, oos, 100, false)  # type: ignore[arg-type]


def test_choose_keeps_false_abstention_within_target_then_maximises_oos() -> None:
    current = RetrievalThresholds()
    results = [
        result(10, 9, min_coverage=0.6),  # declines everything out of scope, too many in scope
        result(8, 5, min_coverage=0.5),
        result(8, 2, min_coverage=0.45),
        result(7, 0, min_coverage=0.4),
    ]
    chosen = choose(results, current)
    assert chosen is not None and chosen.thresholds.min_coverage == 0.45
    assert choose(results, current, max_false=0.0) == results[3]
    assert choose(results[:1], current) is None


def test_choose_breaks_ties_towards_the_current_setting() -> None:
    current = RetrievalThresholds(strong_dense=0.85)
    near, far = result(8, 2, strong_dense=0.84), result(8, 2, strong_dense=0.87)
    assert choose([far, near], current) == near


COVERAGE_GRID = {"min_coverage": (0.35, 0.40, 0.45, 0.50, 0.55, 0.60)}


def test_choose_takes_the_middle_of_the_plateau_not_its_edge_nearest_the_current_one() -> None:
    # The best dev outcome (8 out of scope, 2 in scope declined) holds from 0.40 to 0.55; at
    # 0.35 one out-of-scope question is answered, at 0.60 four more in scope are declined.
    outcomes = {0.35: (7, 2), 0.40: (8, 2), 0.45: (8, 2), 0.50: (8, 2), 0.55: (8, 2)}
    outcomes[0.60] = (9, 6)
    results = [result(oos, false, min_coverage=c) for c, (oos, false) in outcomes.items()]
    current = RetrievalThresholds(min_coverage=0.40)  # the edge: one step from a flip
    chosen = choose(results, current, grid=COVERAGE_GRID)
    # 0.45 and 0.50 are both two steps from a flip; the one nearer the current setting wins.
    assert chosen is not None and chosen.thresholds.min_coverage == 0.45
    assert plateau_steps(chosen, results, COVERAGE_GRID) == {"min_coverage": 2}
    assert plateau_steps(results[1], results, COVERAGE_GRID) == {"min_coverage": 1}
    # Beyond the grid is unknown, so its end is an edge too: 0.35 is not two steps from a flip.
    edge_first = [result(8, 2, min_coverage=c) for c in (0.35, 0.40, 0.45)]
    edge_first += [result(7, 9, min_coverage=c) for c in (0.50, 0.55, 0.60)]
    picked = choose(edge_first, RetrievalThresholds(min_coverage=0.35), grid=COVERAGE_GRID)
    assert picked is not None and picked.thresholds.min_coverage == 0.40


def test_a_plateau_is_the_same_questions_declined_not_the_same_counts() -> None:
    def declined(coverage: float, *flags: bool) -> SettingResult:
        return SettingResult(RetrievalThresholds(min_coverage=coverage), 1, 1, 2, 1, declined=flags)

    # The same counts everywhere, but from 0.50 up a different in-scope question is declined.
    results = [declined(c, True, True, False) for c in (0.35, 0.40, 0.45)]
    results += [declined(c, True, False, True) for c in (0.50, 0.55, 0.60)]
    current = RetrievalThresholds(min_coverage=0.45)
    chosen = choose(results, current, max_false=0.5, grid=COVERAGE_GRID)
    assert chosen is not None and chosen.thresholds.min_coverage in (0.40, 0.55)
    assert plateau_steps(results[2], results, COVERAGE_GRID) == {"min_coverage": 1}


def test_a_knob_no_question_depends_on_does_not_move_the_choice() -> None:
    grid = {"unsupported_min_z": (2.0, 2.5, 3.0, 3.5, NEVER)}
    results = [result(8, 2, unsupported_min_z=z) for z in grid["unsupported_min_z"]]
    assert plateau_steps(results[1], results, grid) == {"unsupported_min_z": float("inf")}
    chosen = choose(results, RetrievalThresholds(unsupported_min_z=2.5), grid=grid)
    assert chosen is results[1]


def test_margins_are_the_distance_to_the_nearest_flip_on_a_finer_sweep() -> None:
    # Two questions: the first declined above coverage 0.42, the second above 0.53 (between
    # grid values, which a sweep of the grid alone would place 0.05 apart).
    def judge(thresholds: RetrievalThresholds) -> SettingResult:
        flags = (thresholds.min_coverage > 0.42, thresholds.min_coverage > 0.53)
        return SettingResult(thresholds, 2, sum(flags), 0, 0, declined=flags)

    (margin,) = knob_margins(RetrievalThresholds(min_coverage=0.45), judge, COVERAGE_GRID)
    assert (margin.knob, margin.value) == ("min_coverage", 0.45)
    assert (margin.flip_below, margin.flip_above) == (0.42, 0.535)
    assert (margin.low, margin.high) == (0.425, 0.53)
    assert margin.margin == pytest.approx(0.03)
    assert margin.describe() == (
        "min_coverage=0.45: plateau 0.425-0.53, flips at 0.42 / 0.535, margin 0.03"
    )
    # A value that flips nothing within the sweep has no margin on that side; off has none.
    z_grid = {"unsupported_min_z": (2.0, 2.5, NEVER)}
    (flat,) = knob_margins(RetrievalThresholds(unsupported_min_z=NEVER), judge, z_grid)
    assert (flat.flip_below, flat.flip_above, flat.margin) == (None, None, None)
    assert flat.describe().endswith("flips at none swept / none swept, margin - (off)")
    (on,) = knob_margins(RetrievalThresholds(unsupported_min_z=2.5), judge, z_grid)
    assert on.margin is None and on.describe().endswith("margin none swept")


def test_every_setting_judges_the_same_retrieved_passages() -> None:
    retriever = HybridRetriever(FakeStore(RULES), RetrievalThresholds())  # type: ignore[arg-type]
    retriever.load()
    questions = [
        EvalQuestion("a", "How long does a licence last?", "en", True, ("rule-0.md",), None, "dev"),
        EvalQuestion("b", "Is there a scholarship for laptops?", "en", False, (), None, "dev"),
    ]
    lenient = RetrievalThresholds(min_dense=-1.0, strong_dense=-1.0, unsupported_min_z=-1.0)
    strict = RetrievalThresholds(min_dense=2.0)  # no cosine reaches 2: everything declined
    settings = grid_settings(RetrievalThresholds(), {"min_coverage": (0.3, 0.6)})
    assert [s.min_coverage for s in settings] == [0.3, 0.6]
    loose, tight = evaluate_settings(retriever, questions, [lenient, strict])
    assert (loose.out_of_scope, loose.in_scope) == (1, 1)
    assert (loose.oos_abstained, loose.false_abstained) == (0, 0)
    assert (tight.oos_abstained, tight.false_abstained) == (1, 1)
    assert tight.oos_rate == 1.0 and tight.false_rate == 1.0
    assert (loose.declined, tight.declined) == ((False, False), (True, True))


def test_each_language_has_its_own_floors_and_others_use_the_shared_ones() -> None:
    from knowledge.config import KnowledgeConfig

    config = KnowledgeConfig()
    assert set(config.language_thresholds) == {"en", "roman_ur", "ur"}
    assert config.thresholds_for("roman_ur") != config.thresholds_for("en")
    assert config.thresholds_for("xx") == config.thresholds


def _with_redirect_topic(text: str) -> HybridRetriever:
    """A retriever over RULES plus one redirect topic ("not ours, here is where to go")."""
    topic = dataclasses.replace(chunk(9, text), kind="redirect", source="not-covered.md")

    class WithTopics(FakeStore):
        def all_chunks(self) -> list[Chunk]:
            return [*super().all_chunks(), topic]

    retriever = HybridRetriever(WithTopics(RULES), RetrievalThresholds())  # type: ignore[arg-type]
    retriever.load()
    return retriever


def test_a_question_a_redirect_topic_takes_is_declined_under_every_setting() -> None:
    retriever = _with_redirect_topic(
        "Where to go: the laptop scheme office.\nAsked as: laptop; free laptop"
    )
    questions = [
        EvalQuestion(
            "a", "Can students apply for a licence?", "en", True, ("rule-0.md",), None, "dev"
        ),
        EvalQuestion("b", "Can students apply for a free laptop?", "en", False, (), None, "dev"),
    ]
    lenient = RetrievalThresholds(min_dense=-1.0, strong_dense=-1.0, unsupported_min_z=-1.0)
    (loose,) = evaluate_settings(retriever, questions, [lenient])
    assert (loose.oos_abstained, loose.false_abstained) == (1, 0)


def test_a_topic_named_only_as_context_leaves_the_question_to_the_floors() -> None:
    retriever = _with_redirect_topic(
        "Where to go: the laptop scheme office.\nAsked as: laptop; free laptop"
    )
    # "laptop" is in the clause that gives the context; the clause that asks is the rules'.
    question = EvalQuestion(
        "a",
        "My laptop is old, can students apply for a licence?",
        "en",
        True,
        ("rule-0.md",),
        None,
        "dev",
    )
    lenient = RetrievalThresholds(min_dense=-1.0, strong_dense=-1.0, unsupported_min_z=-1.0)
    strict = dataclasses.replace(lenient, min_dense=2.0)
    loose, tight = evaluate_settings(retriever, [question], [lenient, strict])
    assert loose.false_abstained == 0 and tight.false_abstained == 1
    assert loose.forced_false == tight.forced_false == 0


def test_questions_a_topic_always_takes_are_excused_only_when_nothing_meets_the_target() -> None:
    current = RetrievalThresholds()
    # Two of 100 in-scope questions are redirected under every setting (a topic their words
    # name): 6 false is 4 of the 98 the floors decide.
    forced = [
        SettingResult(RetrievalThresholds(min_coverage=0.4), 10, 9, 100, 6, 2),
        SettingResult(RetrievalThresholds(min_coverage=0.5), 10, 10, 100, 8, 2),
    ]
    chosen = choose(forced, current)
    assert chosen is forced[0] and chosen.false_rate > 0.05 >= chosen.floor_false_rate
    # When some setting meets the target on every in-scope question, it is required.
    within = SettingResult(RetrievalThresholds(min_coverage=0.35), 10, 7, 100, 5, 2)
    assert choose([*forced, within], current) is within


def test_the_closest_topic_margin_is_one_knob_of_the_grid() -> None:
    retriever = _with_redirect_topic(
        "Where to go: the laptop scheme office gives computers.\nAsked as: laptop"
    )
    # Names no phrase of the topic ("laptop"), but shares its words, not the rules'.
    question = EvalQuestion("b", "Which office gives computers?", "en", False, (), None, "dev")
    lenient = RetrievalThresholds(min_dense=-1.0, strong_dense=-1.0, unsupported_min_z=-1.0)
    closest = dataclasses.replace(lenient, topic_margin=-1.0)  # any topic closer than -1
    off, on = evaluate_settings(retriever, [question], [lenient, closest])
    assert off.oos_abstained == 0 and on.oos_abstained == 1
    assert [s.topic_margin for s in grid_settings(RetrievalThresholds())][:5] == [
        0.0,
        0.004,
        0.008,
        0.012,
        99.0,
    ]


def test_a_topic_named_by_one_word_of_its_own_is_judged_with_each_setting() -> None:
    # "tuition" is in no rule and in no phrase of the topic, but in its "Where to go" text.
    retriever = _with_redirect_topic(
        "Where to go: tuition and semester charges are the university's own.\nAsked as: refund"
    )
    question = EvalQuestion("b", "Who pays my tuition?", "en", False, (), None, "dev")
    # Answered by the floors under both settings (coverage floor 0); without a paraphrase
    # that stands out, the topic's word takes it, as the engine does; with one, the rule.
    plain = RetrievalThresholds(min_dense=-1.0, strong_dense=2.0, min_coverage=0.0)
    paraphrase = dataclasses.replace(plain, strong_dense=-1.0, unsupported_min_z=-9.0)
    taken, kept = evaluate_settings(retriever, [question], [plain, paraphrase])
    assert taken.oos_abstained == 1 and kept.oos_abstained == 0


def test_a_topic_one_word_names_only_as_context_leaves_the_question_to_the_floors() -> None:
    # "tuition" names the topic by a word of its own (no phrase), in the clause that gives the
    # context; the clause that asks is the rules': the floors judge it, as the engine does.
    retriever = _with_redirect_topic(
        "Where to go: tuition and semester charges are the university's own.\nAsked as: refund"
    )
    question = EvalQuestion(
        "a",
        "My tuition is paid, can students apply for a licence?",
        "en",
        True,
        ("rule-0.md",),
        None,
        "dev",
    )
    # The whole question's floors decline it (coverage), so the topic would take it.
    lenient = RetrievalThresholds(
        min_dense=-1.0, strong_dense=2.0, unsupported_min_z=-1.0, min_coverage=0.99
    )
    strict = dataclasses.replace(lenient, min_dense=2.0)
    loose, tight = evaluate_settings(retriever, [question], [lenient, strict])
    assert loose.false_abstained == 0 and tight.false_abstained == 1
