"""The README names every command of every role's Telegram menu (a new command is documented)."""

from __future__ import annotations

from pathlib import Path

from handlers.menus import BOT_COMMANDS, STAFF_COMMANDS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_menu_command() -> None:
    text = README.read_text(encoding="utf-8")
    commands = {c.command for c in BOT_COMMANDS["en"]}
    for menus in STAFF_COMMANDS.values():
        commands |= {c.command for c in menus["en"]}
    assert sorted(c for c in commands if f"`/{c}" not in text) == []
