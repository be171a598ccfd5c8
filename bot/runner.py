"""Long-running modes: polling, webhook, terminal chat; each builds services once, then closes."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import TextIO

from aiogram import Dispatcher
from aiohttp import web

from bot.app import create_bot, create_dispatcher, publish_commands
from bot.config import Settings
from bot.container import build_services
from bot.errors import ConfigurationError
from bot.services.questions import Answerer
from bot.terminal import TerminalChat, TerminalSession
from bot.webserver import create_web_app

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


async def run_webhook(
    settings: Settings,
    *,
    answerer: Answerer | None = None,
    configure: Callable[[Dispatcher], None] | None = None,
) -> None:
    """Serve Telegram webhooks until SIGTERM/SIGINT; several instances may share one URL.

    `answerer` and `configure` (extra routers) exist for tests that run this very function in
    separate processes.
    """
    if settings.webhook_secret is None:
        raise ConfigurationError(
            "WEBHOOK_SECRET: required in webhook mode, so only Telegram can post updates"
        )
    services = await build_services(settings, answerer=answerer)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(services)
    if configure is not None:
        configure(dispatcher)
    app = create_web_app(services, dispatcher, bot)
    await warm_up(services.answerer)
    # No access log: every update would add a line; the bot logs what matters, with context.
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=20, access_log=None)
    try:
        await runner.setup()
        site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
        await site.start()
        log.info("serving webhooks on %s:%s", settings.webhook_host, settings.webhook_port)
        if settings.webhook_url:
            await publish_commands(bot)
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=dispatcher.resolve_used_update_types(),
                max_connections=settings.webhook_max_connections,
            )
            log.info("webhook registered with Telegram")
        await wait_for_stop_signal()
        log.info("stopping: finishing the updates in progress")
    finally:
        # The webhook stays registered: other instances keep serving it.
        await runner.cleanup()
        await dispatcher.storage.close()
        await dispatcher.fsm.events_isolation.close()
        await bot.session.close()
        await services.close()


async def warm_up(answerer: Answerer) -> None:
    """Load the model and indexes before the first learner waits for them.

    An unreachable index is not fatal: the instance starts, answers "try again shortly", and
    /healthz says what is wrong.
    """
    warm = getattr(answerer, "warm_up", None)
    if warm is None:
        return
    try:
        await warm()
    except Exception as error:
        log.warning("knowledge index not ready at start: %s: %s", type(error).__name__, error)


async def wait_for_stop_signal() -> None:
    """Return on SIGTERM or SIGINT (a container stop, systemd stop, or Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


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
