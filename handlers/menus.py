"""The bot's command menus: everyone's, per language, and the staff menu in staff chats.

Telegram keeps a menu per chat scope; a person who becomes (or stops being) a focal person gets
theirs changed at once, not at the next start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)

from bot.services.users import UserProfile
from bot.storage.models import Role

log = logging.getLogger(__name__)

__all__ = [
    "BOT_COMMANDS",
    "STAFF_COMMANDS",
    "publish_commands",
    "show_staff_menu",
    "staff_commands",
    "withdraw_staff_menu",
]

BOT_COMMANDS = {
    "en": [
        BotCommand(command="start", description="Start: privacy, language, university"),
        BotCommand(command="help", description="How to use the bot"),
        BotCommand(command="language", description="Change language"),
        BotCommand(command="courses", description="Find courses for your goal"),
        BotCommand(command="myplan", description="My saved courses"),
        BotCommand(command="apply", description="Apply for a Coursera licence"),
        BotCommand(command="mylicence", description="My licence: status, days left, progress"),
        BotCommand(command="surveys", description="Turn survey invitations on or off"),
        BotCommand(command="cancel", description="Stop what you are doing"),
        BotCommand(command="privacy", description="What is stored about you"),
        BotCommand(command="mydata", description="Receive your data as a file"),
        BotCommand(command="forget", description="Delete your data"),
    ],
    "ur": [
        BotCommand(command="start", description="شروع کریں اور زبان منتخب کریں"),
        BotCommand(command="help", description="بوٹ کیسے استعمال کریں"),
        BotCommand(command="language", description="زبان تبدیل کریں"),
        BotCommand(command="courses", description="اپنے مقصد کے لیے کورس تلاش کریں"),
        BotCommand(command="myplan", description="میرے محفوظ کورس"),
        BotCommand(command="apply", description="کورسیرا لائسنس کے لیے درخواست دیں"),
        BotCommand(command="mylicence", description="میرا لائسنس: صورتحال، باقی دن، پیش رفت"),
        BotCommand(command="surveys", description="سروے کے دعوت نامے آن یا آف کریں"),
        BotCommand(command="cancel", description="جاری کام روکیں"),
        BotCommand(command="privacy", description="آپ کے بارے میں کیا محفوظ ہے"),
        BotCommand(command="mydata", description="اپنا ڈیٹا فائل میں حاصل کریں"),
        BotCommand(command="forget", description="اپنا ڈیٹا مٹا دیں"),
    ],
}

# Focal persons' tools, then HEC admins' on top, each in a menu set for their chat only.
_FOCAL_EXTRA = {
    "en": [
        BotCommand(command="broadcast", description="Send a notice to your learners"),
        BotCommand(command="broadcasts", description="Your notices and how delivery went"),
        BotCommand(command="webinars", description="Webinars and who will attend"),
        BotCommand(command="tickets", description="Learners' questions waiting for you"),
        BotCommand(command="results", description="Survey results with charts"),
        BotCommand(command="insights", description="What learners ask, where rules are silent"),
        BotCommand(command="dashboard", description="Dashboard: figures, gaps, surveys"),
        BotCommand(command="funnel", description="Licences: applied to completed, with a chart"),
    ],
    "ur": [
        BotCommand(command="broadcast", description="اپنے طلبہ کو اعلان بھیجیں"),
        BotCommand(command="broadcasts", description="آپ کے اعلانات اور ان کی ترسیل"),
        BotCommand(command="webinars", description="ویبینار اور شرکت کرنے والے"),
        BotCommand(command="tickets", description="آپ کے منتظر طلبہ کے سوالات"),
        BotCommand(command="results", description="سروے کے نتائج اور چارٹ"),
        BotCommand(command="insights", description="طلبہ کیا پوچھتے ہیں، قواعد کہاں خاموش ہیں"),
        BotCommand(command="dashboard", description="ڈیش بورڈ: اعداد و شمار، کمی، سروے"),
        BotCommand(command="funnel", description="لائسنس: درخواست سے تکمیل تک، چارٹ کے ساتھ"),
    ],
}
_ADMIN_EXTRA = {
    "en": [
        BotCommand(command="focals", description="Focal persons of every university"),
        BotCommand(command="invite_focal", description="Invite a university's focal person"),
        BotCommand(command="faq", description="Answers added to the knowledge base"),
        BotCommand(command="survey_upload", description="Add or update a survey (YAML file)"),
        BotCommand(command="survey_send", description="Send a survey wave"),
        BotCommand(command="tracks_upload", description="Change HEC's course tracks (YAML file)"),
        BotCommand(command="catalogue_upload", description="Import Coursera courses (CSV file)"),
        BotCommand(command="nudgereport", description="Does a nudge work? Nudge vs holdout"),
    ],
    "ur": [
        BotCommand(command="focals", description="تمام جامعات کے فوکل پرسن"),
        BotCommand(command="invite_focal", description="جامعہ کے فوکل پرسن کو مدعو کریں"),
        BotCommand(command="faq", description="علمی ذخیرے میں شامل کیے گئے جوابات"),
        BotCommand(command="survey_upload", description="سروے شامل یا تبدیل کریں (YAML فائل)"),
        BotCommand(command="survey_send", description="سروے کی لہر بھیجیں"),
        BotCommand(
            command="tracks_upload", description="ایچ ای سی کے کورس ٹریک تبدیل کریں (YAML فائل)"
        ),
        BotCommand(command="catalogue_upload", description="کورسیرا کے کورس شامل کریں (CSV فائل)"),
        BotCommand(command="nudgereport", description="کیا یاد دہانی کام کرتی ہے؟ موازنہ"),
    ],
}
STAFF_COMMANDS = {
    Role.FOCAL_PERSON: {
        language: [*BOT_COMMANDS[language], *_FOCAL_EXTRA[language]] for language in BOT_COMMANDS
    },
    Role.ADMIN: {
        language: [*BOT_COMMANDS[language], *_FOCAL_EXTRA[language], *_ADMIN_EXTRA[language]]
        for language in BOT_COMMANDS
    },
}


def staff_commands(role: Role, language: str) -> list[BotCommand] | None:
    """The menu of a focal person or HEC admin in their language; None for everyone else."""
    menus = STAFF_COMMANDS.get(role)
    if menus is None:
        return None
    return menus.get(language, menus["en"])


DASHBOARD_BUTTON = {"en": "Dashboard", "ur": "ڈیش بورڈ"}


async def publish_commands(
    bot: Bot, staff: Iterable[UserProfile] = (), *, dashboard_url: str | None = None
) -> None:
    """The command menu: one per language for everyone, and the staff menu in staff chats."""
    for language, commands in BOT_COMMANDS.items():
        await bot.set_my_commands(commands, language_code=None if language == "en" else language)
    for person in staff:
        await show_staff_menu(
            bot, person.id, person.language, person.role, dashboard_url=dashboard_url
        )


async def show_staff_menu(
    bot: Bot, user_id: int, language: str, role: Role, *, dashboard_url: str | None = None
) -> None:
    """Give one person the menu of their role (they just became a focal person, say).

    With a dashboard URL, their chat's menu button opens the dashboard as a Mini App.
    """
    commands = staff_commands(role, language)
    if commands is None:
        return
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=user_id))
        if dashboard_url:
            button = MenuButtonWebApp(
                text=DASHBOARD_BUTTON.get(language, DASHBOARD_BUTTON["en"]),
                web_app=WebAppInfo(url=dashboard_url),
            )
            await bot.set_chat_menu_button(chat_id=user_id, menu_button=button)
    except TelegramAPIError as error:  # e.g. they never opened the chat: no menu, no harm
        log.warning("no staff menu for user %s: %s", user_id, error.message)


async def withdraw_staff_menu(bot: Bot, user_id: int) -> None:
    """Back to everyone's menu (their role was revoked)."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=user_id))
        await bot.set_chat_menu_button(chat_id=user_id, menu_button=MenuButtonDefault())
    except TelegramAPIError as error:
        log.warning("could not withdraw the staff menu of user %s: %s", user_id, error.message)
