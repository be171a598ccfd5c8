"""The command menu offers /surveys to everyone and /results to focal persons and HEC admins."""

from __future__ import annotations

from aiogram.types import BotCommand, BotCommandScopeChat

from bot.i18n import Catalogue
from bot.services.users import UserService
from bot.storage.db import Database
from bot.storage.models import Role
from handlers.menus import publish_commands
from tests.factories import make_user
from tests.fakebotapi import FakeTelegram

LEARNER, FOCAL, ADMIN, BLOCKED_FOCAL = 8101, 8102, 8103, 8104


async def test_staff_are_the_reachable_focal_persons_and_admins(database: Database) -> None:
    await make_user(database, LEARNER)
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=1, language="ur")
    await make_user(database, ADMIN, role=Role.ADMIN)
    await make_user(database, BLOCKED_FOCAL, role=Role.FOCAL_PERSON, blocked=True)

    staff = await UserService(database).staff()

    assert [(person.id, person.language) for person in staff] == [(FOCAL, "ur"), (ADMIN, "en")]


async def test_everyone_sees_surveys_and_only_staff_chats_see_results(database: Database) -> None:
    await make_user(database, LEARNER)
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=1, language="ur")
    await make_user(database, ADMIN, role=Role.ADMIN)
    async with FakeTelegram() as fake:
        bot = fake.make_bot()
        await publish_commands(bot, Catalogue.load(), await UserService(database).staff())

        def names(commands: list[BotCommand]) -> list[str]:
            return [command.command for command in commands]

        everyone = names(await bot.get_my_commands())
        in_urdu = names(await bot.get_my_commands(language_code="ur"))
        admin = names(await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=ADMIN)))
        focal = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=FOCAL))
        learner = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=LEARNER))

    assert "surveys" in everyone and "surveys" in in_urdu
    assert "results" not in everyone and "results" not in in_urdu
    assert "results" in admin and "surveys" in admin
    assert "results" in names(focal)
    assert "سروے کے نتائج اور چارٹ" in [command.description for command in focal]  # Urdu menu
    assert learner == []  # no chat menu of their own: Telegram shows them the default one


async def test_focal_persons_see_their_tools_and_admins_theirs_too(database: Database) -> None:
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=1)
    await make_user(database, ADMIN, role=Role.ADMIN, language="ur")
    async with FakeTelegram() as fake:
        bot = fake.make_bot()
        await publish_commands(bot, Catalogue.load(), await UserService(database).staff())
        focal = {
            c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=FOCAL))
        }
        admin = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=ADMIN))

    assert {"broadcast", "broadcasts", "webinars", "tickets", "results", "insights"} <= focal
    assert not focal & {"focals", "invite_focal", "faq", "survey_upload", "survey_send"}
    assert {"broadcast", "focals", "invite_focal", "faq", "survey_send"} <= {
        c.command for c in admin
    }
    assert "اپنے طلبہ کو اعلان بھیجیں" in [c.description for c in admin]  # Urdu, the admin's


async def test_the_admins_menu_names_the_operator_as_written(database: Database) -> None:
    """PROGRAMME_OPERATOR reaches the staff menu (it said "HEC's course tracks" whatever the
    setting), as plain text: Telegram shows a description as written, "&" and all."""
    await make_user(database, ADMIN, role=Role.ADMIN)
    catalogue = Catalogue.load(replaced={"en": {"-programme-operator": "Sindh HEC & Co"}})
    async with FakeTelegram() as fake:
        bot = fake.make_bot()
        await publish_commands(bot, catalogue, await UserService(database).staff())
        admin = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=ADMIN))
    described = {command.command: command.description for command in admin}
    assert described["tracks_upload"] == "Change Sindh HEC & Co's course tracks (YAML file)"
