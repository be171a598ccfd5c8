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
