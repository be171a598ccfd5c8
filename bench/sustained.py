"""The highest rate of new questions one instance sustains with p95 under 500 ms, as a share of
the encoder's limit measured in the same run (bench/encoder.py).

One webhook instance (real knowledge engine, query-vector cache off so every question is
encoded) is started for each send budget measured; questions then arrive open-loop (Poisson,
each from a new learner, as in bench/load.py) at rising rates, starting at `start_share` of the
limit and going up by `step_share` of it while p95 stays under the target and nothing is lost
(or, when the first rate fails, down by as much until one passes); one last step halves the gap
between the best passing rate and the nearest failing one. The limit is measured before the
first instance starts and after the last stops, on the same machine, and the two are averaged.

Two send budgets, one instance each:

- **the real one** (`SEND_RATE_PER_SECOND`, 27 a second): Telegram accepts about 30 messages a
  second from one bot token, whichever process sends them, so one bot's replies stop there
  whatever the CPU (~0.28 of the encoder's limit on a 2-core Xeon);
- **uncapped** (`UNCAPPED_SEND_RATE`, tests/production/instance.py): a budget far above any rate
  offered, so what is measured is the instance's own capacity, what the issue's row asks. The
  fake Bot API enforces no rate unless asked. In production that capacity is reachable behind
  several bot tokens, or is the headroom one instance leaves beside Telegram's cap.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.encoder import EncoderLimit, combine, measure_encoder_limit

if TYPE_CHECKING:
    from tests.fakebotapi import FakeTelegram
    from tests.production.cluster import Instance

P95_TARGET_MS = 500.0
# The uncapped run's send budget: far above any rate a 2-core instance can answer.
UNCAPPED_SEND_RATE = 1000.0
BUDGETS = ("real", "uncapped")


@dataclass(frozen=True)
class RateStep:
    offered: float
    achieved: float
    p50_ms: float
    p95_ms: float
    cpu_ms_per_question: float
    lost: int
    doubled: int
    machine_cpu_ms_per_question: float = 0.0
    driver_cpu_ms_per_question: float = 0.0

    @property
    def passed(self) -> bool:
        return self.p95_ms < P95_TARGET_MS and self.lost == 0 and self.doubled == 0

    @classmethod
    def from_drive(cls, rate: float, report: dict[str, Any]) -> RateStep:
        """The step a drive of the load benchmark (`bench.load._drive`) reported at `rate`."""
        seconds = float(report["seconds"])
        return cls(
            offered=rate,
            achieved=report["answered"] / seconds if seconds else 0.0,
            p50_ms=float(report["p50_ms"]),
            p95_ms=float(report["p95_ms"]),
            cpu_ms_per_question=float(report["cpu_ms_per_question"]),
            lost=int(report["lost"]),
            doubled=int(report["doubled"]),
            machine_cpu_ms_per_question=float(report["machine_cpu_ms_per_question"]),
            driver_cpu_ms_per_question=float(report["driver_cpu_ms_per_question"]),
        )


@dataclass(frozen=True)
class BudgetRun:
    """The rates tried against one instance with one send budget (messages a second)."""

    budget: str  # "real" or "uncapped"
    send_rate: float
    steps: list[RateStep] = field(default_factory=list)

    @property
    def best(self) -> RateStep | None:
        passing = [step for step in self.steps if step.passed]
        return max(passing, key=lambda step: step.achieved) if passing else None

    @property
    def measured(self) -> RateStep | None:
        """The step the CPU view is taken from: the best passing one, else the last tried."""
        return self.best or (self.steps[-1] if self.steps else None)

    def ratio(self, limit: EncoderLimit) -> float:
        best = self.best
        return best.achieved / limit.per_second if best and limit.per_second else 0.0

    def cpu_ratio(self, limit: EncoderLimit) -> float:
        """Encoding one question alone / the instance's CPU per answered question."""
        measured = self.measured
        if measured is None or not measured.cpu_ms_per_question:
            return 0.0
        return limit.cpu_ms_per_question / measured.cpu_ms_per_question

    def title(self) -> str:
        if self.budget == "real":
            return (
                f"**Real send budget** ({self.send_rate:g} replies/s, `SEND_RATE_PER_SECOND`: "
                "Telegram accepts ~30 messages/s from one bot token, so one bot's answers stop "
                "there whatever the CPU)"
            )
        return (
            f"**Send budget uncapped** ({self.send_rate:g}/s; the fake Bot API enforces no rate): "
            "the instance's own capacity. Telegram caps one bot token at ~30 replies/s, so this "
            "rate is reachable behind several tokens, or is the headroom an instance leaves"
        )

    def markdown(self, limit: EncoderLimit) -> list[str]:
        lines = [
            self.title(),
            "",
            "| offered/s | answered/s | p50 ms | p95 ms | CPU ms/question: instance "
            "| driver + fake Telegram | whole machine | lost | doubled | p95 < 500 |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *(
                f"| {s.offered:.1f} | {s.achieved:.1f} | {s.p50_ms:.0f} | {s.p95_ms:.0f} | "
                f"{s.cpu_ms_per_question:.1f} | {s.driver_cpu_ms_per_question:.1f} | "
                f"{s.machine_cpu_ms_per_question:.1f} | {s.lost} | {s.doubled} | "
                f"{'yes' if s.passed else 'no'} |"
                for s in self.steps
            ),
            "",
        ]
        best = self.best
        if best is None:
            lines.append("no rate tried kept p95 under 500 ms")
        else:
            lines.append(
                f"sustained: {best.achieved:.1f} new questions/s with p95 {best.p95_ms:.0f} ms "
                f"= **{self.ratio(limit):.2f}** of the encoder's limit"
            )
        measured = self.measured
        if measured is not None and measured.cpu_ms_per_question:
            capacity = limit.cores * 1000 / measured.cpu_ms_per_question
            lines.append(
                f"CPU view (steadier on a shared machine): at {measured.offered:.1f}/s offered "
                f"the instance spent {measured.cpu_ms_per_question:.1f} ms of CPU a question, "
                f"encoding one question alone costs {limit.cpu_ms_per_question:.1f} ms: "
                f"with both cores to itself it would answer {capacity:.0f}/s = "
                f"**{self.cpu_ratio(limit):.2f}** of the encoder's CPU limit"
            )
        lines.append("")
        return lines


@dataclass(frozen=True)
class SustainedRate:
    limit: EncoderLimit
    runs: list[BudgetRun]
    load_average: float
    load_average_before: float = 0.0

    def run(self, budget: str) -> BudgetRun | None:
        return next((run for run in self.runs if run.budget == budget), None)

    @property
    def capacity(self) -> BudgetRun | None:
        """The run the issue's row is read from: uncapped when measured, else the real one."""
        return self.run("uncapped") or self.run("real")

    @property
    def ratio(self) -> float:
        run = self.capacity
        return run.ratio(self.limit) if run else 0.0

    @property
    def cpu_ratio(self) -> float:
        run = self.capacity
        return run.cpu_ratio(self.limit) if run else 0.0

    def markdown(self) -> str:
        lines = [line for run in self.runs for line in run.markdown(self.limit)]
        lines.append(self.limit.describe())
        lines.append(
            f"load average {self.load_average_before:.1f} before, {self.load_average:.1f} after, "
            f"on {os.cpu_count()} cores"
        )
        for run in self.runs:
            best = run.best
            answered = f"{best.achieved:.1f}/s (p95 {best.p95_ms:.0f} ms)" if best else "none"
            lines.append(
                f"- {run.budget} budget ({run.send_rate:g}/s): answered/s with p95 < 500 ms "
                f"{answered} = **{run.ratio(self.limit):.2f}** of the encoder's limit; "
                f"CPU view **{run.cpu_ratio(self.limit):.2f}**"
            )
        return "\n".join(lines)


def new_questions(pool: list[str]) -> list[str]:
    """The questions the knowledge engine answers. A message the bot takes for content-free gets
    "please ask a full question" (25 of the 383 evaluation questions, Urdu-script ones, until
    is_content_free stopped ignoring Urdu words outside the glossary; none now), and one
    it takes for a course question goes to the recommender ("How do I become a mentor on
    Coursera?"), whose "tell me your goal" has no answer buttons: the count took both for lost
    replies, and neither is the engine's work this benchmark measures."""
    from bot.services.course_matching import is_course_question
    from knowledge.language import is_content_free

    return [q for q in pool if not is_content_free(q) and not is_course_question(q)]


def budget_env(budget: str) -> dict[str, str]:
    """The instance's environment for a send budget: the real one is the settings' own."""
    if budget == "uncapped":
        return {"UNCAPPED_SEND_RATE": f"{UNCAPPED_SEND_RATE:g}"}
    if budget == "real":
        return {}
    raise ValueError(f"unknown send budget {budget!r}: one of {', '.join(BUDGETS)}")


def real_send_rate() -> float:
    from bot.config import DeliverySettings

    return float(DeliverySettings.model_fields["send_rate_per_second"].default)


def first_share(budget: str, start_share: float, limit: EncoderLimit) -> float:
    """Where a run starts: under the real budget, just below it (a rate above it cannot pass)."""
    if budget != "real" or not limit.per_second:
        return start_share
    return min(start_share, 0.8 * real_send_rate() / limit.per_second)


async def find_sustained_rate(
    *,
    seconds_per_step: float = 6.0,
    start_share: float = 0.6,
    step_share: float = 0.1,
    max_steps: int = 6,
    concurrency: int = 40,
    budgets: Sequence[str] = BUDGETS,
    extra_env: dict[str, str] | None = None,
    postgres_admin_url: str = "postgresql://postgres@127.0.0.1:5432/test",
    redis_url: str = "redis://127.0.0.1:6379/0",
) -> SustainedRate:
    from bench.load import (
        _create_database,
        _delete_prefix,
        _drop_database,
        _index_bundled_kb,
        _learner_id,
        _source_root,
        _warm_up_users,
        bench_cluster_config,
        pick_questions,
        question_pool,
        seed_onboarded_learners,
    )
    from tests.fakebotapi import FakeTelegram
    from tests.production.cluster import (
        start_instance,
        stop_instance,
        wait_healthy,
    )

    for budget in budgets:
        budget_env(budget)  # an unknown name fails before anything is measured
    load_before = os.getloadavg()[0]
    pool = new_questions(question_pool(_source_root()))
    before = await asyncio.to_thread(measure_encoder_limit, pool)
    limit = before
    root = Path(tempfile.mkdtemp(prefix="hecbot-bench-sustained-"))
    database_url = await _create_database(postgres_admin_url)
    prefix = f"hecbot-bench-{uuid.uuid4().hex[:8]}"
    runs: list[BudgetRun] = []
    most = int(before.per_second * (start_share + step_share * max_steps) * seconds_per_step) + 1
    try:
        await asyncio.to_thread(_index_bundled_kb, root / "index")
        seeded = False
        async with FakeTelegram(strict_chats=False) as fake:
            for number, budget in enumerate(budgets):
                name = f"bot{number + 1}"
                config = bench_cluster_config(
                    database_url=database_url,
                    redis_url=redis_url,
                    redis_key_prefix=prefix,
                    root=root,
                    query_cache=False,
                    env={**budget_env(budget), **(extra_env or {})},
                )
                shutil.copytree(root / "index", config.data_dir / name, dirs_exist_ok=True)
                run = BudgetRun(
                    budget,
                    UNCAPPED_SEND_RATE if budget == "uncapped" else real_send_rate(),
                )
                runs.append(run)
                instance = start_instance(config, fake, name)
                try:
                    await wait_healthy(instance)
                    if not seeded:  # one database for every run: the first instance migrated it
                        await seed_onboarded_learners(
                            database_url,
                            [*_warm_up_users(concurrency), *(_learner_id(n) for n in range(most))],
                        )
                        seeded = True

                    async def step(
                        rate: float, instance: Instance = instance, run: BudgetRun = run
                    ) -> RateStep:
                        count = max(1, min(most, int(rate * seconds_per_step)))
                        questions = pick_questions(pool, count, "distinct")
                        result = await drive_rate(fake, instance, questions, rate, concurrency)
                        run.steps.append(result)
                        return result

                    await search_rates(
                        step,
                        per_second=before.per_second,
                        share=first_share(budget, start_share, before),
                        step_share=step_share,
                        max_steps=max_steps,
                    )
                finally:
                    await stop_instance(instance)
        after = await asyncio.to_thread(measure_encoder_limit, pool)
        limit = combine(before, after)
    finally:
        await _drop_database(postgres_admin_url, database_url)
        await _delete_prefix(redis_url, prefix)
        shutil.rmtree(root, ignore_errors=True)
    return SustainedRate(limit, runs, os.getloadavg()[0], load_before)


async def drive_rate(
    fake: FakeTelegram,
    instance: Instance,
    questions: Sequence[str],
    rate: float,
    concurrency: int,
) -> RateStep:
    """`questions` arriving at `rate` a second at one webhook process, each from a learner of
    its own (bench/load.py `_drive`), as a step of the rate search."""
    from bench.load import _drive
    from tests.production.cluster import SECRET

    report = await _drive(
        fake=fake,
        pids=[instance.process.pid],
        urls=[instance.webhook_url],
        secret=SECRET,
        questions=questions,
        learners=len(questions),
        rate=rate,
        concurrency=concurrency,
    )
    return RateStep.from_drive(rate, report)


async def search_rates(
    step: Callable[[float], Awaitable[RateStep]],
    *,
    per_second: float,
    share: float,
    step_share: float,
    max_steps: int,
) -> None:
    """Up by `step_share` of the limit while rates pass, down while the first ones fail, then one
    bisection between the best passing rate and the nearest failing one."""
    failed_at: float | None = None
    passed_at: float | None = None
    for _ in range(max_steps):
        rate = per_second * share
        if (await step(rate)).passed:
            passed_at = rate
            if failed_at is not None:
                break  # came down from a failing rate: the best is found
            share += step_share
        else:
            failed_at = rate
            if passed_at is not None or share - step_share <= 0:
                break
            # Not even the first rate held: come down until one does, so the ratio is a
            # figure rather than "below the start".
            share -= step_share
    if failed_at is not None and passed_at is not None:
        await step((failed_at + passed_at) / 2)
