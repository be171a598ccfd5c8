"""The `hecbot` command line: run the bot, chat in the terminal, manage the knowledge base."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from bot import cli_bench  # noqa: F401  (adds knowledge, courses, delivery to `hecbot bench`)
from bot.cli_courses import courses_app
from bot.cli_faq import faq_app
from bot.cli_production import bench_app
from bot.cli_survey import survey_app
from bot.config import Settings, load_settings
from bot.errors import HecbotError
from bot.logging_setup import configure_logging
from knowledge.cli import ask_command, kb_app

if TYPE_CHECKING:
    from bot.storage.db import Database

T = TypeVar("T")

app = typer.Typer(
    name="hecbot",
    help="HEC × Coursera learners' assistant on Telegram.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(kb_app, name="kb")
app.add_typer(bench_app, name="bench")
app.command("ask")(ask_command)
app.add_typer(courses_app, name="courses")
app.add_typer(survey_app, name="survey")
app.add_typer(faq_app, name="faq")

log = logging.getLogger("hecbot")


def settings_or_exit() -> Settings:
    """Load settings; a wrong value ends the program with one line naming the variable."""
    try:
        settings = load_settings()
    except HecbotError as error:
        typer.echo(f"hecbot: configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, settings.log_format)
    return settings


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine, turning hecbot's own errors into one clear line and exit code 1."""
    try:
        return asyncio.run(coroutine)
    except HecbotError as error:
        typer.echo(f"hecbot: {error}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def run_with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the configured database (migrated to the newest schema), run `work`, close it."""
    from bot.storage.db import Database

    settings = settings_or_exit()

    async def run() -> T:
        database = Database(settings.effective_database_url)
        try:
            await database.migrate()
            return await work(database)
        finally:
            await database.close()

    return run_async(run())


@app.callback()
def main_options(ctx: typer.Context) -> None:
    """Load settings once; sub-commands (`kb`, `ask`) read the knowledge config from here."""
    from bot.knowledge_bridge import knowledge_config

    if ctx.resilient_parsing:
        return
    ctx.obj = {"knowledge": knowledge_config(settings_or_exit())}


@app.command()
def run(
    webhook: bool = typer.Option(False, "--webhook", help="Serve Telegram webhooks over HTTP."),
) -> None:
    """Start the bot: polling with BOT_TOKEN, otherwise a chat in this terminal."""
    settings = settings_or_exit()
    from bot import runner

    if not settings.has_token:
        typer.echo("BOT_TOKEN is not set: starting the terminal chat instead (see README).")
        run_async(runner.run_terminal_chat(settings, sys.stdin, sys.stdout))
        return
    if webhook:
        run_async(runner.run_webhook(settings))
    else:
        run_async(runner.run_polling(settings))


@app.command()
def chat() -> None:
    """Chat with the bot in this terminal, through the same handlers as on Telegram."""
    settings = settings_or_exit()
    from bot import runner

    run_async(runner.run_terminal_chat(settings, sys.stdin, sys.stdout))


@app.command()
def web(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8081, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the dashboard (Mini App) under /app/ on its own, for deployments that poll."""
    settings = settings_or_exit()
    from bot import runner

    run_async(runner.run_dashboard(settings, host, port))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    settings = settings_or_exit()
    from bot.storage.db import Database

    async def upgrade() -> None:
        database = Database(settings.effective_database_url)
        try:
            await database.migrate()
        finally:
            await database.close()

    run_async(upgrade())
    typer.echo("database is up to date")


from bot import cli_people  # noqa: E402  (the people feature's commands)

cli_people.register(app)
from bot import cli_licences  # noqa: E402  (licences, intake, nudges)

cli_licences.register(app)
from bot.cli_broadcast import broadcast_app, webinar_app  # noqa: E402
from bot.cli_delivery import outbox_app, worker_app  # noqa: E402  (needs `app` defined above)

app.add_typer(worker_app, name="worker")
app.add_typer(outbox_app, name="outbox")
app.add_typer(broadcast_app, name="broadcast")
app.add_typer(webinar_app, name="webinar")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
