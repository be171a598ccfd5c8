"""`python -m bot.delivery`: the bare sender, without features' scheduled jobs.

Starts fast (no handlers, no knowledge engine): the benchmark and the crash tests run it as a
subprocess and kill it. Production runs `hecbot worker`, which adds the scheduler's jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.config import load_settings
from bot.delivery.budget import close_send_budget, create_send_budget
from bot.delivery.session import install_send_budget
from bot.delivery.worker import DeliveryWorker
from bot.storage.db import Database


async def main() -> None:
    settings = load_settings()
    logging.basicConfig(
        level=settings.logging.level, format="%(asctime)s %(levelname)s %(message)s"
    )
    if not settings.telegram.bot_token:
        raise SystemExit("BOT_TOKEN is not set")
    # The pool and timeouts of `hecbot worker`: this sender claims the same rows the same way.
    database = Database.from_settings(settings)
    await database.migrate()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram.api_base))
    bot = Bot(
        settings.telegram.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    budget = create_send_budget(settings)  # shared with every other sender when REDIS_URL is set
    install_send_budget(bot, budget)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await DeliveryWorker(database, bot, settings, budget=budget).run(stop)
    finally:
        await close_send_budget(budget)
        await session.close()
        await database.close()


if __name__ == "__main__":
    asyncio.run(main())
