"""`hecbot run` and `hecbot chat`: the bot on Telegram, or a chat in this terminal."""

from __future__ import annotations

import sys

import typer

from bot.cli.common import run_async, settings_or_exit

runtime_app = typer.Typer()


@runtime_app.command()
def run(
    webhook: bool = typer.Option(False, "--webhook", help="Serve Telegram webhooks over HTTP."),
) -> None:
    """Start the bot: polling with BOT_TOKEN, otherwise a chat in this terminal."""
    settings = settings_or_exit()
    from bot.telegram import runner

    if not settings.has_token:
        typer.echo("BOT_TOKEN is not set: starting the terminal chat instead (see README).")
        run_async(runner.run_terminal_chat(settings, sys.stdin, sys.stdout))
        return
    if webhook:
        run_async(runner.run_webhook(settings))
    else:
        run_async(runner.run_polling(settings))


@runtime_app.command()
def chat() -> None:
    """Chat with the bot in this terminal, through the same handlers as on Telegram."""
    settings = settings_or_exit()
    from bot.telegram import runner

    run_async(runner.run_terminal_chat(settings, sys.stdin, sys.stdout))


@runtime_app.command()
def web(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8081, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the dashboard (Mini App) under /app/ on its own, for deployments that poll."""
    settings = settings_or_exit()
    from bot.telegram import runner

    run_async(runner.run_dashboard(settings, host, port))
