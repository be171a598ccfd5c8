"""The `hecbot` command line: one Typer app (bot/cli/root.py), a module per command group."""

from bot.cli.root import app, main

__all__ = ["app", "main"]
