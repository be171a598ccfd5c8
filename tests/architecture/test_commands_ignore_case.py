"""Every command filter ignores case: `/START` and `/Help` are the commands (a phone's caps
lock or auto-capitalisation), not "I don't know that command". Handlers build their command
filters with `handlers.commands.command`, the one place that says so."""

from __future__ import annotations

import ast
from pathlib import Path

from handlers.commands import command

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
FACTORY = HANDLERS / "commands.py"


def test_the_command_filter_ignores_case() -> None:
    assert command("help").ignore_case is True


def test_every_command_filter_is_built_by_the_command_factory() -> None:
    """aiogram's `Command` and `CommandStart` match case unless told: built anywhere but the
    factory, a filter could forget to."""
    elsewhere: list[str] = []
    for path in sorted(HANDLERS.glob("*.py")):
        if path == FACTORY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else None
            )
            if named in {"Command", "CommandStart"}:
                elsewhere.append(f"{path.name}:{node.lineno}")
    assert elsewhere == []
