"""`hecbot worker` (the delivery worker as its own process) and `hecbot outbox ...`."""

from __future__ import annotations

import typer

from bot.cli.common import (
    open_database,
    run_async,
    settings_or_exit,
)

worker_app = typer.Typer(help="Run the delivery worker (outbox sender and scheduler) alone.")
outbox_app = typer.Typer(help="Inspect and cancel outbox delivery jobs.", no_args_is_help=True)


@worker_app.callback(invoke_without_command=True)
def worker() -> None:
    """Send queued messages and run scheduled jobs, without answering chats.

    In production set DELIVERY_EMBEDDED=false for the bot processes and run this once (or a few
    times on PostgreSQL: rows are claimed with SKIP LOCKED; the rate is per worker).
    """
    from bot.telegram import runner

    settings = settings_or_exit()
    if not settings.has_token:
        typer.echo("hecbot: BOT_TOKEN is not set: the worker has nobody to send as.", err=True)
        raise typer.Exit(2)
    run_async(runner.run_worker(settings))


@outbox_app.command("list")
def list_jobs(kind: str | None = typer.Option(None, help="Only jobs of this kind.")) -> None:
    """The newest delivery jobs with their counts."""
    from bot.delivery import Outbox

    settings = settings_or_exit()

    async def show() -> None:
        async with open_database(settings) as database:
            for job in await Outbox(database).jobs(kind):
                p = job.progress
                typer.echo(
                    f"{job.id}\t{job.kind}\t{job.status}\tsent {p.sent}/{p.total}\t"
                    f"failed {p.failed}\tblocked {p.blocked}\tuncertain {p.uncertain}\t"
                    f"{job.reference or ''}"
                )

    run_async(show())


@outbox_app.command("cancel")
def cancel_job(job_id: int) -> None:
    """Stop a job: its unsent rows are cancelled."""
    from bot.delivery import Outbox

    settings = settings_or_exit()

    async def cancel() -> bool:
        async with open_database(settings) as database:
            return await Outbox(database).cancel_job(job_id)

    if not run_async(cancel()):
        typer.echo(f"job {job_id} is unknown or already over", err=True)
        raise typer.Exit(1)
    typer.echo(f"job {job_id} cancelled")
