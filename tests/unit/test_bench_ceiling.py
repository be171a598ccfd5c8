"""`bench ceiling`'s arithmetic and its encoding-pipeline driver (figures are the bench's, never
asserted here: only what it computes from them and that every question is encoded once)."""

import threading
from collections.abc import Sequence

from bench.ceiling import Ceiling, drive_pipeline
from bench.encoder import EncoderLimit
from bench.sustained import RateStep


def _step(offered: float, achieved: float, p95_ms: float, cpu_ms: float) -> RateStep:
    return RateStep(offered, achieved, p95_ms / 2, p95_ms, cpu_ms, lost=0, doubled=0)


def test_the_best_passing_rate_and_the_bound_from_the_parts() -> None:
    limit = EncoderLimit(ms_per_question=20.0, cores=2, cpu_ms_per_question=20.0)  # 100/s
    ceiling = Ceiling(
        limit=limit,
        pipeline=[
            _step(60, 60, 100, 18.0),
            _step(90, 88, 450, 18.0),
            _step(100, 80, 900, 18.0),  # fails p95: never the sustained rate
        ],
        minimal_bot=_step(50, 50, 10, 2.0),
        encoding_bot=[_step(60, 59, 200, 20.0), _step(70, 66, 700, 20.0)],
    )

    assert ceiling.ratio(ceiling.pipeline) == 0.88
    assert ceiling.ratio(ceiling.encoding_bot) == 0.59
    assert ceiling.cpu_view(ceiling.encoding_bot) == 1.0
    arithmetic = "\n".join(ceiling.arithmetic())
    # Encoding 20 ms alone; the pipeline's 18 ms and the bot's 2 ms: at most 20 / 20 = 1.00.
    assert "20.0 / 20.0 = **1.00**" in arithmetic
    # 0.88 of the limit, scaled by 18 / 20: 0.79.
    assert "**0.79** (estimate)" in arithmetic
    assert "no rate tried" not in ceiling.markdown()


def test_no_passing_rate_is_said_so() -> None:
    limit = EncoderLimit(20.0, 2, 20.0)
    ceiling = Ceiling(limit, [_step(60, 40, 900, 18.0)], None, [_step(60, 30, 800, 20.0)])
    assert ceiling.ratio(ceiling.pipeline) == 0.0
    assert ceiling.markdown().count("no rate tried kept p95 under 500 ms") == 2


def test_the_pipeline_driver_encodes_every_question_once() -> None:
    encoded: list[str] = []
    guard = threading.Lock()

    def embed(texts: Sequence[str]) -> None:
        with guard:
            encoded.extend(texts)

    questions = [f"question {n}" for n in range(40)]
    step = drive_pipeline(embed, questions, 400.0, threads=4)

    assert sorted(encoded) == sorted(questions)
    assert step.offered == 400.0 and step.achieved > 0
    assert 0 <= step.p50_ms <= step.p95_ms
    assert step.passed == (step.p95_ms < 500)


def test_a_drive_report_becomes_a_rate_step() -> None:
    report = {
        "answered": 90,
        "seconds": 3.0,
        "p50_ms": 40.0,
        "p95_ms": 120.0,
        "cpu_ms_per_question": 21.5,
        "lost": 0,
        "doubled": 1,
        "machine_cpu_ms_per_question": 23.0,
        "driver_cpu_ms_per_question": 1.1,
    }
    step = RateStep.from_drive(31.0, report)
    assert (step.offered, step.achieved, step.p95_ms) == (31.0, 30.0, 120.0)
    assert (step.cpu_ms_per_question, step.machine_cpu_ms_per_question) == (21.5, 23.0)
    assert step.doubled == 1 and not step.passed  # a doubled reply fails the rate
    assert RateStep.from_drive(31.0, {**report, "seconds": 0.0}).achieved == 0.0
