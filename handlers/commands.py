"""The one way a handler filters a command: `command("help")`."""

from __future__ import annotations

from aiogram.filters import Command


def command(*names: str) -> Command:
    """The filter for `/name` in any case: `/START` and `/Help` are the commands (a phone's caps
    lock or auto-capitalisation), not "I don't know that command"."""
    return Command(*names, ignore_case=True)
