"""`python -m bench knowledge|courses|delivery|load`: the benchmarks (`make bench` runs them all).

Each prints the Markdown table that goes into docs/benchmarks.md. Benchmarks are commands, never
timed assertions in tests. They run from a source checkout: some use the fake Bot API and the
cluster fixtures of tests/ (runtime code never imports tests; bench/ may).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run_async

app = typer.Typer(
    help="Benchmarks (figures for docs/benchmarks.md).", pretty_exceptions_enable=False
)

BUNDLED_COURSES = Path(__file__).parent.parent / "bot" / "data" / "courses_sample.csv"


@app.callback(invoke_without_command=True)
def bench(ctx: typer.Context) -> None:
    """Without a subcommand (`make bench`): the load benchmark with its defaults."""
    if ctx.invoked_subcommand is None:
        bench_load()


@app.command("load")
def bench_load(
    *,
    instances: Annotated[
        list[int] | None,
        typer.Option("--instances", "-n", help="Instance counts to measure (repeatable)."),
    ] = None,
    learners: Annotated[int, typer.Option(help="Learners asking at the same time.")] = 40,
    questions: Annotated[int, typer.Option(help="Questions each learner asks.")] = 10,
    concurrency: Annotated[int, typer.Option(help="Webhook requests in flight at most.")] = 40,
    answerer: Annotated[
        str, typer.Option(help="engine (the real knowledge engine) or stub (no retrieval).")
    ] = "engine",
    mix: Annotated[
        str,
        typer.Option(
            help="peak (Zipf-distributed questions, query cache on) or distinct (every "
            "question encoded, cache off)."
        ),
    ] = "peak",
    rate: Annotated[
        float,
        typer.Option(
            help="Questions arriving per second, each from a new learner (0: closed loop, "
            "every learner asks again once answered)."
        ),
    ] = 0.0,
    pin: Annotated[
        bool,
        typer.Option(
            "--pin",
            help="Pin instance n to core n-1 (one core each, one model replica): scaling "
            "across instances as if each had its own machine.",
        ),
    ] = False,
    postgres: Annotated[
        str, typer.Option(help="PostgreSQL admin URL; a scratch database is made and dropped.")
    ] = "postgresql://postgres@127.0.0.1:5432/test",
    redis: Annotated[str, typer.Option(help="Redis URL (a scratch key prefix is used).")] = (
        "redis://127.0.0.1:6379/0"
    ),
) -> None:
    """Questions per second and reply latency of 1 and 2 webhook instances on PostgreSQL+Redis."""
    import logging

    from bench.encoder import combine, measure_encoder_limit
    from bench.load import MIXES, TABLE_HEADER, _source_root, question_pool, run_load

    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # the fake's per-request lines
    if answerer not in {"engine", "stub"}:
        raise typer.BadParameter("engine or stub", param_hint="--answerer")
    if mix not in MIXES:
        raise typer.BadParameter(" or ".join(MIXES), param_hint="--mix")
    if rate < 0:
        raise typer.BadParameter("0 or more", param_hint="--rate")
    # The encoder's limit on this machine, before and after the runs (bench/encoder.py): the
    # answered rate is printed as a share of it, both measured in the same minutes.
    pool = question_pool(_source_root())
    before = measure_encoder_limit(pool) if answerer == "engine" else None
    typer.echo(TABLE_HEADER)
    reports = []
    for count in instances or [1, 2]:
        report = run_async(
            run_load(
                instances=count,
                learners=learners,
                questions_per_learner=questions,
                concurrency=concurrency,
                answerer=answerer,
                mix=mix,
                rate=rate,
                pin=pin,
                postgres_admin_url=postgres,
                redis_url=redis,
            )
        )
        reports.append(report)
        typer.echo(report.row())
    if before is not None:
        limit = combine(before, measure_encoder_limit(pool))
        typer.echo("\n" + limit.describe())
        for report in reports:
            typer.echo(
                f"{report.instances} instance(s), {report.mix}: {report.per_second:.1f} "
                f"answered/s (p95 {report.p95_ms:.0f} ms) = "
                f"{report.per_second / limit.per_second:.2f} of the encoder's limit"
            )


@app.command("knowledge")
def bench_knowledge(
    ctx: typer.Context,
    chunks: Annotated[int, typer.Option(help="Grow the index to this many chunks.")] = 20_000,
    courses_csv: Annotated[
        Path, typer.Option(help="Course catalogue whose texts make the extra chunks.")
    ] = BUNDLED_COURSES,
    rounds: Annotated[int, typer.Option(help="Passes over the sample questions.")] = 5,
) -> None:
    """Answer latency at sample size and at `--chunks`, indexing throughput, resident memory
    of the benchmark and of the bot process (`hecbot chat`) over the grown index."""
    import tempfile

    from bench.knowledge import SAMPLE_QUESTIONS, run_benchmark, to_markdown
    from bench.memory import bot_peak_rss_mb
    from knowledge.config import BUNDLED_KB_DIR

    with tempfile.TemporaryDirectory(prefix="hecbot-bench-") as data_dir:
        results = run_benchmark(
            BUNDLED_KB_DIR,
            courses_csv,
            target_chunks=chunks,
            rounds=rounds,
            log=lambda line: typer.echo(line, err=True),
            data_dir=Path(data_dir),
        )
        typer.echo(to_markdown(results))
        chunk_count = max(result.chunks for result in results.values())
        rss = bot_peak_rss_mb(Path(data_dir), SAMPLE_QUESTIONS)
        typer.echo(
            f"\nbot process (`hecbot chat` over the {chunk_count}-chunk index, answering "
            f"{len(SAMPLE_QUESTIONS)} questions): peak resident memory {rss:.0f} MB"
        )


@app.command("courses")
def bench_courses(
    catalogue: Annotated[Path, typer.Argument(help="Catalogue CSV/JSON.")] = BUNDLED_COURSES,
    cache_dir: Annotated[Path, typer.Option(help="Where course vectors are cached.")] = Path(
        "data/cache"
    ),
) -> None:
    """Skill coverage@5, level fit and latency of course recommendations."""
    from bench.courses import run_benchmark

    typer.echo(run_benchmark(catalogue, cache_dir=cache_dir, lexical_only=False).markdown())


@app.command("delivery")
def bench_delivery(
    recipients: Annotated[int, typer.Option(help="Learners the broadcast goes to.")] = 10_000,
    kills: Annotated[int, typer.Option(help="Times the worker is killed (kill -9).")] = 0,
    rate: Annotated[float, typer.Option(help="Configured sends per second.")] = 25.0,
) -> None:
    """One broadcast through the outbox worker against the fake Bot API enforcing 30/s."""
    from bench.delivery import main

    main(["--recipients", str(recipients), "--kills", str(kills), "--rate", str(rate)])


@app.command("licences")
def bench_licences(
    rows: Annotated[int, typer.Option(help="Rows of the usage report.")] = 300_000,
    learners: Annotated[
        int, typer.Option(help="Learners with a verified e-mail (linked rows).")
    ] = 20_000,
) -> None:
    """Import a Coursera usage report of `rows` rows and its membership report (seconds, peak
    memory), compute the funnel, plan an `inactive` nudge wave over the linked learners."""
    import asyncio
    import tempfile

    from bench.licences import run_benchmark, to_markdown

    with tempfile.TemporaryDirectory(prefix="hecbot-bench-licences-") as data_dir:
        figures = asyncio.run(run_benchmark(rows=rows, learners=learners, data_dir=Path(data_dir)))
    typer.echo(to_markdown(figures))


@app.command("startup")
def bench_startup(
    starts: Annotated[
        int, typer.Option(help="Starts with the retrieval snapshot (as many without, in turn).")
    ] = 2,
    postgres: Annotated[
        str, typer.Option(help="PostgreSQL admin URL; a scratch database is made and dropped.")
    ] = "postgresql://postgres@127.0.0.1:5432/test",
    redis: Annotated[str, typer.Option(help="Redis URL (a scratch key prefix is used).")] = (
        "redis://127.0.0.1:6379/0"
    ),
) -> None:
    """A webhook instance from start to ready, against a bare `import aiogram` (bench/startup)."""
    from bench.startup import TABLE_HEADER, run_startup, summary

    runs = run_async(run_startup(starts=starts, postgres_admin_url=postgres, redis_url=redis))
    typer.echo(TABLE_HEADER)
    for number, run in enumerate(runs, start=1):
        typer.echo(run.row(number))
    typer.echo("\n" + summary(runs))


# The rate search's options, shared by `sustained` and `ceiling` (`bench.sustained.search_rates`).
StepSeconds = Annotated[float, typer.Option(help="Seconds of questions at each rate.")]
StartShare = Annotated[
    float, typer.Option(help="The first rate offered, as a share of the encoder's limit.")
]
MaxSteps = Annotated[int, typer.Option(help="At most this many rates (then one bisection).")]


@app.command("sustained")
def bench_sustained(
    *,
    seconds: StepSeconds = 6.0,
    start: StartShare = 0.6,
    steps: MaxSteps = 6,
    budget: Annotated[
        list[str] | None,
        typer.Option(
            help="Send budgets to measure, one instance each (repeatable): real (27/s, "
            "SEND_RATE_PER_SECOND) and uncapped (the instance's capacity; Telegram caps one "
            "bot token at ~30 replies/s). Default: both."
        ),
    ] = None,
    batch_ms: Annotated[
        float | None,
        typer.Option(help="HECBOT_QUERY_BATCH_MS for the instance (default: the setting's)."),
    ] = None,
    postgres: Annotated[
        str, typer.Option(help="PostgreSQL admin URL; a scratch database is made and dropped.")
    ] = "postgresql://postgres@127.0.0.1:5432/test",
    redis: Annotated[str, typer.Option(help="Redis URL (a scratch key prefix is used).")] = (
        "redis://127.0.0.1:6379/0"
    ),
) -> None:
    """New questions/s one instance sustains with p95 < 500 ms, as a share of the encoder's
    limit measured in the same run, with the real send budget and uncapped (bench/sustained.py)."""
    import logging

    from bench.sustained import BUDGETS, find_sustained_rate

    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    extra = {"HECBOT_QUERY_BATCH_MS": f"{batch_ms:g}"} if batch_ms is not None else None
    result = run_async(
        find_sustained_rate(
            seconds_per_step=seconds,
            start_share=start,
            max_steps=steps,
            budgets=budget or BUDGETS,
            extra_env=extra,
            postgres_admin_url=postgres,
            redis_url=redis,
        )
    )
    typer.echo(result.markdown())


@app.command("ceiling")
def bench_ceiling(
    *,
    seconds: StepSeconds = 6.0,
    start: StartShare = 0.6,
    steps: MaxSteps = 6,
    instance: Annotated[
        bool,
        typer.Option(
            "--instance/--no-instance",
            help="Also run hecbot's instance (send budget uncapped) in the same minutes.",
        ),
    ] = True,
) -> None:
    """The ceiling any aiogram instance reaches here: the encoding pipeline alone, a minimal
    aiogram bot's CPU per update, and that bot encoding each question (bench/ceiling.py)."""
    import logging

    from bench.ceiling import measure_ceiling

    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    result = run_async(
        measure_ceiling(
            seconds_per_step=seconds,
            start_share=start,
            max_steps=steps,
            with_instance=instance,
        )
    )
    typer.echo(result.markdown())


@app.command("index")
def bench_index(
    files: Annotated[
        int, typer.Option(help="Index only the first N bundled documents (0: all of them).")
    ] = 0,
    rounds: Annotated[int, typer.Option(help="Alternations of one replica and all.")] = 1,
) -> None:
    """`kb index` with one model replica against one per core, in one run (bench/indexing.py)."""
    import tempfile

    from bench.indexing import run_index_scaling, sample_documents
    from knowledge.config import BUNDLED_KB_DIR

    with tempfile.TemporaryDirectory(prefix="hecbot-bench-") as scratch:
        documents = (
            sample_documents(BUNDLED_KB_DIR, files, Path(scratch) / "documents")
            if files
            else BUNDLED_KB_DIR
        )
        typer.echo(run_index_scaling(documents, rounds=rounds))


def main() -> None:
    app()
