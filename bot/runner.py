"""Long-running modes: polling, webhook, terminal chat; each builds services once, then closes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import TextIO

from aiogram import Bot

from bot.app import create_bot, create_dispatcher, publish_commands
from bot.config import Settings
from bot.container import AppServices, build_services
from bot.delivery.worker import DeliveryWorker
from bot.services.questions import AnswerLike
from bot.terminal import TerminalChat, TerminalSession

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def embedded_worker(services: AppServices, bot: Bot) -> AsyncIterator[None]:
    """Run the delivery worker beside the dispatcher unless `DELIVERY_EMBEDDED=false`."""
    if not services.settings.delivery_embedded:
        yield
        return
    stop = asyncio.Event()
    worker = DeliveryWorker(
        services.database,
        bot,
        services.settings,
        scheduler=services.scheduler,
        users=services.users,
    )
    task = asyncio.create_task(worker.run(stop), name="delivery-worker")
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)


async def run_worker(settings: Settings) -> None:
    """`hecbot worker`: only the delivery worker and the scheduler, no dispatcher."""
    services = await build_services(settings, answerer=NoAnswerer())
    bot = create_bot(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    worker = DeliveryWorker(
        services.database, bot, settings, scheduler=services.scheduler, users=services.users
    )
    try:
        await worker.run(stop)
    finally:
        await bot.session.close()
        await services.close()


class NoAnswerer:
    """The worker answers no questions: spare it loading the knowledge engine."""

    async def ask(self, question: str) -> AnswerLike:
        raise RuntimeError("the delivery worker does not answer questions")


async def run_polling(settings: Settings) -> None:
    services = await build_services(settings)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(services)
    try:
        await publish_commands(bot)
        log.info("polling %s", settings.telegram_api_base)
        async with embedded_worker(services, bot):
            await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
        await bot.session.close()
    finally:
        await services.close()


async def run_webhook(settings: Settings) -> None:
    raise NotImplementedError("webhook mode arrives with the production issue")


async def run_terminal_chat(settings: Settings, lines: TextIO, output: TextIO) -> None:
    services = await build_services(settings)
    session = TerminalSession(output, settings.data_dir / "terminal-files")
    bot = create_bot(settings, session=session)
    dispatcher = create_dispatcher(services)
    output.write("Type a question, or a number to press a button. /quit ends the chat.\n")
    try:
        async with embedded_worker(services, bot):
            await TerminalChat(dispatcher, bot, session).run(lines)
    finally:
        await dispatcher.storage.close()
        await services.close()
