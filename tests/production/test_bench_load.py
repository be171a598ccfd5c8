"""The load benchmark's arithmetic, and one small real run (1 instance, stub answerer)."""

from __future__ import annotations

import pytest

from bot.bench_load import LoadReport, percentile, run_load
from tests import real_services


def test_percentiles_pick_from_the_sorted_values():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) in {50.0, 51.0}
    assert percentile(values, 0.95) == 95.0
    assert percentile([], 0.95) == 0.0


def test_a_report_row_has_every_column():
    report = LoadReport(2, "stub", 100, 98, 2, 0, 4.0, 120.0, 480.0)
    assert report.per_second == 24.5
    assert report.row() == "| 2 | stub | 100 | 24.5 | 120 | 480 | 2 | 0 |"


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
