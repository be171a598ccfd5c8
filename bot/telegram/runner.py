"""Long-running modes: polling, webhook, terminal chat; each builds services once, then closes."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TextIO

from aiogram import Bot, Dispatcher
from aiohttp import web

from bot.config import Settings
from bot.delivery.session import install_send_budget
from bot.delivery.telegram import TelegramSender
from bot.delivery.worker import DeliveryWorker
from bot.errors import ConfigurationError
from bot.metrics import MeteredSender
from bot.services.questions import Answerer
from bot.startup_clock import StartupClock
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.container import AppServices, build_services
from bot.telegram.startup_check import check_telegram
from bot.telegram.supervisor import supervise
from bot.telegram.terminal import TerminalChat, TerminalSession
from bot.telegram.webserver import create_web_app, start_dashboard_server, start_probe_server
from handlers.menus import publish_commands
from knowledge.answers import Answer

log = logging.getLogger(__name__)

# Seconds before the embedded delivery worker is restarted after a crash: first, at most.
WORKER_RESTART_BACKOFF = (1.0, 60.0)


@contextlib.asynccontextmanager
async def embedded_worker(services: AppServices, bot: Bot) -> AsyncIterator[None]:
    """Run the delivery worker beside the dispatcher unless `DELIVERY_EMBEDDED=false`."""
    if not services.settings.delivery.embedded:
        yield
        return
    stop = asyncio.Event()
    worker = DeliveryWorker(
        services.database,
        bot,
        services.settings,
        scheduler=services.scheduler,
        users=services.users,
        sender=MeteredSender(TelegramSender(bot), services.metrics),
        budget=services.send_budget,
    )
    services.metrics.worker_heartbeat.set_function(lambda: worker.heartbeat)
    # A crash of the worker is logged with its traceback and the worker restarted with backoff.
    task = asyncio.create_task(
        supervise(
            worker.run,
            stop,
            name="delivery worker",
            first_backoff=WORKER_RESTART_BACKOFF[0],
            max_backoff=WORKER_RESTART_BACKOFF[1],
        ),
        name="delivery-worker",
    )
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)


async def run_worker(settings: Settings) -> None:
    """`hecbot worker`: only the delivery worker and the scheduler, no dispatcher."""
    services = await build_services(settings, answerer=NoAnswerer())
    bot = create_bot(settings)
    install_send_budget(bot, services.send_budget, services.metrics)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    worker = DeliveryWorker(
        services.database,
        bot,
        settings,
        scheduler=services.scheduler,
        users=services.users,
        sender=MeteredSender(TelegramSender(bot), services.metrics),
        budget=services.send_budget,
    )
    probe = None
    if settings.delivery.worker_health_port is not None:
        probe = await start_probe_server(
            services, settings.telegram.webhook_host, settings.delivery.worker_health_port, worker
        )
    try:
        await worker.run(stop)
    finally:
        if probe is not None:
            await probe.cleanup()
        await bot.session.close()
        await services.close()


class NoAnswerer:
    """The worker answers no questions: spare it loading the knowledge engine."""

    async def ask(self, question: str) -> Answer:
        raise RuntimeError("the delivery worker does not answer questions")


async def run_dashboard(settings: Settings, host: str, port: int) -> None:
    """Serve the dashboard alone (deployments that poll have no webhook server to mount it on)."""
    if not settings.has_token:
        raise ConfigurationError("BOT_TOKEN: the dashboard checks Telegram's signatures with it")
    services = await build_services(settings, answerer=NoAnswerer())
    try:
        with stop_signals() as stop:
            runner = await start_dashboard_server(services, host, port)
            log.info("serving the dashboard on http://%s:%s/app/", host, port)
            try:
                await stop.wait()
            finally:
                await runner.cleanup()
    finally:
        await services.close()


async def run_polling(settings: Settings) -> None:
    bot = create_bot(settings)
    try:
        await check_telegram(bot, settings.telegram.api_base)
    except BaseException:
        await bot.session.close()
        raise
    services = await build_services(settings)
    install_send_budget(bot, services.send_budget, services.metrics)
    dispatcher = create_dispatcher(services)
    await warm_up(services.answerer)
    freeze_start_up_objects()
    # Build the course recommender in the background: instant with the bundled catalogue's
    # shipped vectors, minutes for a newly imported catalogue (then cached on disk), which
    # should not keep the rules questions waiting.
    courses_warm_up = asyncio.create_task(warm_up_courses(services))
    try:
        await publish_commands(
            bot,
            services.catalogue,
            await services.users.staff(),
            dashboard_url=settings.dashboard.url,
        )
        log.info("polling %s", settings.telegram.api_base)
        async with embedded_worker(services, bot):
            await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
        await bot.session.close()
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
    if settings.telegram.webhook_secret is None:
        raise ConfigurationError(
            "WEBHOOK_SECRET: required in webhook mode, so only Telegram can post updates"
        )
    clock = StartupClock()
    bot = create_bot(settings)
    if settings.telegram.webhook_url:  # without it, this instance never calls Telegram first
        try:
            await check_telegram(bot, settings.telegram.api_base)
        except BaseException:
            await bot.session.close()
            raise
    services = await build_services(settings, answerer=answerer)
    clock.mark("services")
    install_send_budget(bot, services.send_budget, services.metrics)
    dispatcher = create_dispatcher(services)
    if configure is not None:
        configure(dispatcher)
    app = create_web_app(services, dispatcher, bot)
    clock.mark("dispatcher")
    await warm_up(services.answerer)
    clock.mark("knowledge")
    # Before the port opens, unlike polling: a new instance takes its share of a busy webhook
    # at once, and embedding the catalogue there (seconds of CPU on a first start) would stall
    # every reply in flight. Later starts read the vectors from the disk cache.
    await warm_up_courses(services)
    clock.mark("courses")
    freeze_start_up_objects()
    # No access log: every update would add a line; the bot logs what matters, with context.
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=20, access_log=None)
    with stop_signals() as stop:
        try:
            await runner.setup()
            host, port = settings.telegram.webhook_host, settings.telegram.webhook_port
            await web.TCPSite(runner, host, port).start()
            clock.mark("listening")
            log.info("serving webhooks on %s:%s", host, port)
            log.info("%s", clock.summary())
            if settings.telegram.webhook_url:
                await publish_commands(
                    bot,
                    services.catalogue,
                    await services.users.staff(),
                    dashboard_url=settings.dashboard.url,
                )
                await bot.set_webhook(
                    settings.telegram.webhook_url,
                    secret_token=settings.telegram.webhook_secret.get_secret_value(),
                    allowed_updates=dispatcher.resolve_used_update_types(),
                    max_connections=settings.telegram.webhook_max_connections,
                )
                log.info("webhook registered with Telegram")
            async with embedded_worker(services, bot):
                await stop.wait()
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
        return
    report_knowledge_readiness(answerer)


def report_knowledge_readiness(answerer: Answerer) -> None:
    """One line when no rules index answers (missing or empty), saying how to build it.

    `make run` indexes first; an operator who starts `hecbot run` on a fresh data dir gets this
    instead of a bot that answers every question with "I don't know".
    """
    probe = getattr(answerer, "health", None)
    if probe is None:
        return
    try:
        health = probe()
    except Exception as error:  # a probe reports, it never stops the start
        log.warning("knowledge index not checked at start: %s: %s", type(error).__name__, error)
        return
    if not health.ok:
        log.error("knowledge base not ready: %s", health.detail)


def freeze_start_up_objects() -> None:
    """Exempt everything loaded at start-up from the garbage collector's full collections.

    The bot holds ~400,000 long-lived objects after start-up (aiogram, pydantic, SQLAlchemy,
    chromadb, the knowledge indexes); a full collection walks them all, ~300 ms with the event
    loop stopped, every few seconds under load: the slowest replies in the load benchmark.
    Frozen, they are never walked again; objects created later are collected as usual.
    """
    gc.collect()
    gc.freeze()


async def warm_up_courses(services: AppServices) -> None:
    """Build the course recommender; a failure is logged and left to the first request."""
    try:
        await services.courses.warm_up()
    except Exception as error:
        log.warning("course recommender not ready at start: %s: %s", type(error).__name__, error)


@contextlib.contextmanager
def stop_signals() -> Iterator[asyncio.Event]:
    """An event set on SIGTERM or SIGINT (a container stop, systemd stop, or Ctrl-C).

    Installed before the instance registers its webhook: a stop that arrives while it starts
    (a rolling deploy, a test) is a clean stop, not the default action that kills the process.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        yield stop
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


@contextlib.asynccontextmanager
async def terminal_chat(services: AppServices, output: TextIO) -> AsyncIterator[TerminalChat]:
    """The bot over `services` for one person at a terminal: the Dispatcher, with replies
    printed to `output`, and the embedded delivery worker (invitations and notices print too)."""
    session = TerminalSession(output, services.settings.data_dir / "terminal-files")
    bot = create_bot(services.settings, session=session)
    dispatcher = create_dispatcher(services)
    try:
        async with embedded_worker(services, bot):
            yield TerminalChat(dispatcher, bot, session)
    finally:
        await dispatcher.storage.close()


async def run_terminal_chat(settings: Settings, lines: TextIO, output: TextIO) -> None:
    # One local person, whose lines may come from a pipe: flood control is for Telegram.
    telegram = settings.telegram.model_copy(update={"throttle_seconds": 0})
    settings = settings.model_copy(update={"telegram": telegram})
    services = await build_services(settings)
    try:
        report_knowledge_readiness(services.answerer)
        output.write("Type a question, or a number to press a button. /quit ends the chat.\n")
        async with terminal_chat(services, output) as chat:
            await chat.run(lines)
    finally:
        await services.close()
