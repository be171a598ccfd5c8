"""/dashboard: open the Mini App, or get a one-time link for a desktop browser."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, WebAppInfo

from bot.config import Settings
from bot.i18n import Texts
from bot.services.dashboard import SIGN_IN_LINK_MINUTES, DashboardService
from bot.services.users import UserProfile
from handlers.commands import command


async def on_dashboard(
    message: Message,
    *,
    texts: Texts,
    user: UserProfile,
    settings: Settings,
    dashboard: DashboardService,
) -> None:
    """Staff only: a button that opens the dashboard inside Telegram, and a one-time link."""
    dashboard.require_staff(user)
    if not settings.dashboard.url:
        await message.answer(texts("dashboard-command-not-configured"))
        return
    token = await dashboard.create_sign_in_link(user)
    button = InlineKeyboardButton(
        text=texts("dashboard-command-open"), web_app=WebAppInfo(url=settings.dashboard.url)
    )
    await message.answer(
        "\n\n".join(
            [
                texts("dashboard-command-text"),
                texts(
                    "dashboard-command-link",
                    minutes=SIGN_IN_LINK_MINUTES,
                    link=f"{settings.dashboard.url}?login={token}",
                ),
            ]
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
    )


def create_router() -> Router:
    router = Router(name="dashboard")
    router.message.register(on_dashboard, command("dashboard"))
    return router
