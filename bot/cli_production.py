"""`hecbot bench load`: the multi-instance load benchmark (see bot/bench_load.py)."""

from __future__ import annotations

from typing import Annotated

import typer

bench_app = typer.Typer(help="Benchmarks (figures for docs/benchmarks.md).")


@bench_app.callback(invoke_without_command=True)
def bench(ctx: typer.Context) -> None:
    """Without a subcommand (`make bench`): the load benchmark with its defaults."""
    if ctx.invoked_subcommand is None:
        bench_load()


@bench_app.command("load")
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

    from bot.bench_load import MIXES, TABLE_HEADER, run_load
    from bot.cli import run_async

    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # the fake's per-request lines
    if answerer not in {"engine", "stub"}:
        raise typer.BadParameter("engine or stub", param_hint="--answerer")
    if mix not in MIXES:
        raise typer.BadParameter(" or ".join(MIXES), param_hint="--mix")
    if rate < 0:
        raise typer.BadParameter("0 or more", param_hint="--rate")
    typer.echo(TABLE_HEADER)
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
        typer.echo(report.row())
