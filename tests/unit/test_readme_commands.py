"""The README names every command of every role's Telegram menu (a new command is documented)."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import Catalogue
from bot.storage.models import Role
from handlers.menus import bot_commands, staff_commands

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_menu_command() -> None:
    text = README.read_text(encoding="utf-8")
    catalogue = Catalogue.load()
    commands = {c.command for c in bot_commands(catalogue, "en")}
    for role in (Role.FOCAL_PERSON, Role.ADMIN):
        commands |= {c.command for c in staff_commands(catalogue, role, "en") or []}
    assert sorted(c for c in commands if f"`/{c}" not in text) == []
