"""The dashboard from the chat: /dashboard and the staff chats' menu button."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.types import MenuButtonWebApp

from bot.config import Settings
from bot.i18n import Catalogue
from bot.services.users import UserService
from bot.storage.db import Database
from bot.storage.models import Role
from bot.telegram.container import AppServices, build_services
from handlers.menus import publish_commands, withdraw_staff_menu
from tests.e2e.harness import Learner, running_bot
from tests.factories import make_user
from tests.fakebotapi import FakeTelegram
from tests.production.doubles import EchoAnswerer

DASHBOARD_URL = "https://hecbot.example.org/app/"
FOCAL, LEARNER = 8201, 8202


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[AppServices]:
    settings.dashboard.url = DASHBOARD_URL
    built = await build_services(settings, answerer=EchoAnswerer())
    yield built
    await built.close()


async def test_focal_person_gets_the_mini_app_button_and_a_one_time_link(
    services: AppServices,
) -> None:
    await make_user(services.database, FOCAL, role=Role.FOCAL_PERSON, university_id=1)
    await make_user(services.database, LEARNER, university_id=1)
    async with FakeTelegram() as fake, running_bot(fake, services):
        (reply,) = await Learner(fake, FOCAL).says("/dashboard")
        (button,) = reply.reply_markup["inline_keyboard"][0]  # type: ignore[index]
        assert button["web_app"]["url"] == DASHBOARD_URL
        assert f"{DASHBOARD_URL}?login=" in reply.text
        token = reply.text.split("?login=")[1].split()[0]
        assert await services.dashboard.redeem_sign_in_link(token) == FOCAL
        assert await services.dashboard.redeem_sign_in_link(token) is None

        (refusal,) = await Learner(fake, LEARNER).says("/dashboard")
        assert "?login=" not in refusal.text
        assert not (refusal.reply_markup or {}).get("inline_keyboard")


async def test_staff_chats_get_a_dashboard_menu_button_learners_do_not(
    database: Database,
) -> None:
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=1, language="ur")
    await make_user(database, LEARNER)
    async with FakeTelegram() as fake:
        bot = fake.make_bot()
        await publish_commands(
            bot, Catalogue.load(), await UserService(database).staff(), dashboard_url=DASHBOARD_URL
        )
        button = await bot.get_chat_menu_button(chat_id=FOCAL)
        assert isinstance(button, MenuButtonWebApp)
        assert button.web_app.url == DASHBOARD_URL
        assert button.text == "ڈیش بورڈ"
        assert (await bot.get_chat_menu_button(chat_id=LEARNER)).type == "default"

        await withdraw_staff_menu(bot, FOCAL)
        assert (await bot.get_chat_menu_button(chat_id=FOCAL)).type == "default"
