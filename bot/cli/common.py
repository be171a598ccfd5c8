"""What every `hecbot` sub-command shares: settings, running a coroutine, the database.

Cheap to import on purpose (Typer and hecbot's errors only; even pydantic waits): `hecbot --help`
imports this, so the database, the knowledge engine and aiogram are imported inside the helpers.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from bot.errors import HecbotError

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.i18n import Catalogue
    from bot.storage.db import Database
    from bot.telegram.container import AppServices

T = TypeVar("T")


@functools.cache
def _english() -> Catalogue:
    from bot.i18n import Catalogue

    return Catalogue.load()


def programme_catalogue() -> Catalogue:
    """The bot's texts as the bot loads them, with the operator's programme settings
    (PROGRAMME_NAME, PROGRAMME_OPERATOR, ...) in them: for what a command sends to people."""
    from bot.i18n import Catalogue

    return Catalogue.from_settings(settings_or_exit())


def shown_time(moment: datetime) -> str:
    """A time in a terminal line, written as the bot writes times: Pakistan time (bot.i18n)."""
    return _english().moment("en", moment)


def shown_day(day: date | datetime) -> str:
    """A date in a terminal line (a datetime: its day in Pakistan)."""
    return _english().day("en", day)


def settings_or_exit() -> Settings:
    """Load settings; a wrong value ends the program with one line naming the variable."""
    from bot.config import load_settings
    from bot.logging_setup import configure_logging

    try:
        settings = load_settings()
    except HecbotError as error:
        typer.echo(f"hecbot: configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.logging.level, settings.logging.format, salt=settings.user_hash_salt)
    return settings


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine, turning hecbot's own errors into one clear line and exit code 1."""
    try:
        return asyncio.run(coroutine)
    except HecbotError as error:
        typer.echo(f"hecbot: {error}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The configured database, migrated to the newest schema, closed on the way out."""
    from bot.storage.db import Database

    database = Database(settings.effective_database_url)
    try:
        await database.migrate()
        yield database
    finally:
        await database.close()


def run_with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the configured database (migrated to the newest schema), run `work`, close it."""
    settings = settings_or_exit()

    async def run() -> T:
        async with open_database(settings) as database:
            return await work(database)

    return run_async(run())


def run_with_services(work: Callable[[AppServices], Awaitable[T]]) -> T:
    """Build the bot's services (without the knowledge engine), run `work`, close them."""
    from bot.telegram.container import build_services
    from bot.telegram.runner import NoAnswerer

    settings = settings_or_exit()

    async def run() -> T:
        services = await build_services(settings, answerer=NoAnswerer())
        try:
            return await work(services)
        finally:
            await services.close()

    return run_async(run())
