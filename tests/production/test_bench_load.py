"""The load benchmark's arithmetic, and one small real run (1 instance, stub answerer)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bench.load import (
    TABLE_HEADER,
    LoadReport,
    cpu_seconds,
    percentile,
    pick_questions,
    question_pool,
    repeat_share,
    run_load,
)
from tests import real_services


def test_percentiles_pick_from_the_sorted_values():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) in {50.0, 51.0}
    assert percentile(values, 0.95) == 95.0
    assert percentile([], 0.95) == 0.0


def test_a_report_row_has_every_column():
    report = LoadReport(2, "stub", "peak", 50.0, 100, 0.8, 98, 2, 0, 4.0, 120.0, 480.0, 9.25)
    assert report.per_second == 24.5
    assert report.row() == (
        "| 2 | stub | peak | 0.80 | 50 | 100 | 24.5 | 120 | 480 | 9.2 | 2 | 0 |"
    )
    assert TABLE_HEADER.count("|") == report.row().count("|") * 2  # header and rule lines
    closed = LoadReport(1, "engine", "distinct", 0.0, 10, 0.0, 10, 0, 0, 1.0, 5.0, 9.0)
    assert "| distinct | cache off | closed |" in closed.row()
    pinned = LoadReport(2, "engine", "peak", 0.0, 10, 0.5, 10, 0, 0, 1.0, 5.0, 9.0, 20.0, True)
    assert pinned.row().startswith("| 2 pinned | engine |")


def test_the_question_pool_is_every_evaluation_question_once():
    pool = question_pool(Path(__file__).resolve().parents[2])
    assert len(pool) == len(set(pool)) > 200
    assert any(re.search(r"[\u0600-\u06ff]", text) for text in pool)  # Urdu script too


def test_distinct_questions_repeat_only_when_the_pool_is_used_up():
    pool = ["a", "b", "c"]
    assert pick_questions(pool, 7, "distinct") == ["a", "b", "c", "a", "b", "c", "a"]
    assert repeat_share(pick_questions(pool, 3, "distinct")) == 0.0


def test_a_peak_mix_favours_the_first_questions_of_the_pool():
    pool = [f"q{n}" for n in range(200)]
    drawn = pick_questions(pool, 2000, "peak")
    counts = Counter(drawn)
    assert counts["q0"] > counts["q9"] > counts["q150"]  # Zipf: rank 1 ~10x rank 10
    assert 0.5 < repeat_share(drawn) < 1.0
    assert drawn == pick_questions(pool, 2000, "peak")  # seeded: runs are comparable
    with pytest.raises(ValueError):
        pick_questions(pool, 1, "uniform")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_a_small_run_answers_every_question_once(tmp_path):
    await real_services.require("postgres")
    await real_services.require("redis")
    report = await run_load(
        instances=1,
        learners=4,
        questions_per_learner=3,
        concurrency=4,
        answerer="stub",
        postgres_admin_url=real_services.POSTGRES_ADMIN_URL,
        redis_url=real_services.REDIS_TEST_URL,
        work_dir=tmp_path,
    )
    assert (report.questions, report.answered, report.lost, report.doubled) == (12, 12, 0, 0)
    assert 0 < report.p50_ms <= report.p95_ms


def test_cpu_seconds_of_a_process_grow_as_it_works():
    import os

    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))
    assert cpu_seconds(os.getpid()) > before
    assert cpu_seconds(2**22 + 12345) == 0.0  # no such process
