"""The bot's command menus: everyone's, per language, and the staff menu in staff chats.

Telegram keeps a menu per chat scope; a person who becomes (or stops being) a focal person gets
theirs changed at once, not at the next start-up.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from pathlib import Path

import yaml
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)

from bot.i18n import SUPPORTED_LANGUAGES, Catalogue
from bot.logging_setup import logged_user
from bot.services.users import UserProfile
from bot.storage.models import Role

log = logging.getLogger(__name__)

__all__ = [
    "bot_commands",
    "publish_commands",
    "show_staff_menu",
    "staff_commands",
    "withdraw_staff_menu",
]

MENUS_FILE = Path(__file__).resolve().parents[1] / "bot" / "data" / "menus.yaml"


@functools.cache
def _menus() -> dict[str, list[str]]:
    """Which commands each menu lists (bot/data/menus.yaml); their texts are the catalogue's."""
    with MENUS_FILE.open(encoding="utf-8") as file:
        menus: dict[str, list[str]] = yaml.safe_load(file)
    return menus


def _commands(catalogue: Catalogue, names: Iterable[str], language: str) -> list[BotCommand]:
    # A command's description is plain text: Telegram shows it as written.
    return [
        BotCommand(command=name, description=catalogue.plain(language, f"menu-{name}"))
        for name in names
    ]


def bot_commands(catalogue: Catalogue, language: str) -> list[BotCommand]:
    """Everyone's menu in one language."""
    return _commands(catalogue, _menus()["everyone"], language)


def staff_commands(catalogue: Catalogue, role: Role, language: str) -> list[BotCommand] | None:
    """The menu of a focal person or HEC admin in their language; None for everyone else."""
    menus = _menus()
    if role is Role.FOCAL_PERSON:
        names = [*menus["everyone"], *menus["focal_person"]]
    elif role is Role.ADMIN:
        names = [*menus["everyone"], *menus["focal_person"], *menus["admin"]]
    else:
        return None
    return _commands(catalogue, names, language if language in SUPPORTED_LANGUAGES else "en")


async def publish_commands(
    bot: Bot,
    catalogue: Catalogue,
    staff: Iterable[UserProfile] = (),
    *,
    dashboard_url: str | None = None,
) -> None:
    """The command menu: one per language for everyone, and the staff menu in staff chats.
    The texts are `catalogue`'s: the bot's, with the operator's programme settings in them."""
    for language in SUPPORTED_LANGUAGES:
        commands = bot_commands(catalogue, language)
        await bot.set_my_commands(commands, language_code=None if language == "en" else language)
    for person in staff:
        await show_staff_menu(
            bot, catalogue, person.id, person.language, person.role, dashboard_url=dashboard_url
        )


async def show_staff_menu(
    bot: Bot,
    catalogue: Catalogue,
    user_id: int,
    language: str,
    role: Role,
    *,
    dashboard_url: str | None = None,
) -> None:
    """Give one person the menu of their role (they just became a focal person, say).

    With a dashboard URL, their chat's menu button opens the dashboard as a Mini App.
    """
    commands = staff_commands(catalogue, role, language)
    if commands is None:
        return
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=user_id))
        if dashboard_url:
            button = MenuButtonWebApp(
                text=catalogue.text(language, "menu-dashboard-button"),
                web_app=WebAppInfo(url=dashboard_url),
            )
            await bot.set_chat_menu_button(chat_id=user_id, menu_button=button)
    except TelegramAPIError as error:  # e.g. they never opened the chat: no menu, no harm
        log.warning("no staff menu for user %s: %s", logged_user(user_id), error.message)


async def withdraw_staff_menu(bot: Bot, user_id: int) -> None:
    """Back to everyone's menu (their role was revoked)."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=user_id))
        await bot.set_chat_menu_button(chat_id=user_id, menu_button=MenuButtonDefault())
    except TelegramAPIError as error:
        log.warning(
            "could not withdraw the staff menu of user %s: %s", logged_user(user_id), error.message
        )
