"""Long-running modes: polling, webhook, terminal chat; each builds services once, then closes."""

from __future__ import annotations

import asyncio
import logging
from typing import TextIO

from bot.app import create_bot, create_dispatcher, publish_commands
from bot.config import Settings
from bot.container import build_services
from bot.terminal import TerminalChat, TerminalSession

log = logging.getLogger(__name__)


async def run_polling(settings: Settings) -> None:
    services = await build_services(settings)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(services)
    # Embed the course catalogue now (cached on disk after the first run) rather than making
    # the first /courses user wait for it.
    courses_warm_up = asyncio.create_task(services.extras["courses"].warm_up())
    try:
        await publish_commands(bot)
        log.info("polling %s", settings.telegram_api_base)
        await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=True)
    finally:
        courses_warm_up.cancel()
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
        await TerminalChat(dispatcher, bot, session).run(lines)
    finally:
        await dispatcher.storage.close()
        await services.close()
