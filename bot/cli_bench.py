"""`hecbot bench knowledge|courses|delivery`, beside `hecbot bench load` (bot/cli_production.py).

Each prints the Markdown table that goes into docs/benchmarks.md. Benchmarks are separate
commands, never timed assertions in tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_production import bench_app

BUNDLED_COURSES = Path(__file__).parent / "data" / "courses_sample.csv"


@bench_app.command("knowledge")
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

    from bot.bench_memory import bot_peak_rss_mb
    from knowledge.bench import SAMPLE_QUESTIONS, run_benchmark, to_markdown
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


@bench_app.command("courses")
def bench_courses(
    catalogue: Annotated[Path, typer.Argument(help="Catalogue CSV/JSON.")] = BUNDLED_COURSES,
    cache_dir: Annotated[Path, typer.Option(help="Where course vectors are cached.")] = Path(
        "data/cache"
    ),
) -> None:
    """Skill coverage@5, level fit and latency of course recommendations."""
    from bot.bench_courses import run_benchmark

    typer.echo(run_benchmark(catalogue, cache_dir=cache_dir, lexical_only=False).markdown())


@bench_app.command("delivery")
def bench_delivery(
    recipients: Annotated[int, typer.Option(help="Learners the broadcast goes to.")] = 10_000,
    kills: Annotated[int, typer.Option(help="Times the worker is killed (kill -9).")] = 0,
    rate: Annotated[float, typer.Option(help="Configured sends per second.")] = 25.0,
) -> None:
    """One broadcast through the outbox worker against the fake Bot API enforcing 30/s."""
    from bot.bench_delivery import main

    main(["--recipients", str(recipients), "--kills", str(kills), "--rate", str(rate)])


@bench_app.command("licences")
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

    from bot.bench_licences import run_benchmark, to_markdown

    with tempfile.TemporaryDirectory(prefix="hecbot-bench-licences-") as data_dir:
        figures = asyncio.run(run_benchmark(rows=rows, learners=learners, data_dir=Path(data_dir)))
    typer.echo(to_markdown(figures))
