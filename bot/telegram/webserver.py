"""The webhook HTTP server: Telegram's updates, `/healthz` and `/metrics` on one aiohttp app.

Updates are handled before the response is sent (not in the background): an update that fails
because PostgreSQL or Redis is down gets a 503, and Telegram delivers it again later, so a
learner's message survives an outage instead of being acknowledged and dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.delivery.store import DeliveryStore
from bot.delivery.worker import DeliveryWorker
from bot.metrics import BotMetrics
from bot.outages import Outages
from bot.storage.types import utcnow
from bot.telegram.container import AppServices
from bot.telegram.middlewares.handled import UPDATE_HANDLED, HandledMarker
from bot.transient import REDELIVER_ON_OUTAGE, is_transient, report_outage
from bot.web.app import WebConfig, WebDependencies, mount_dashboard

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_CHECK_TIMEOUT_SECONDS = 3.0


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler with the checks Telegram's webhook contract needs.

    A missing or wrong secret token is refused with 403 (the request did not come from Telegram);
    a body that is not an Update is refused with 400 and logged, never a 500.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        secret: str,
        metrics: BotMetrics,
        outages: Outages | None = None,
    ) -> None:
        super().__init__(
            dispatcher,
            bot,
            handle_in_background=False,
            secret_token=secret,
            **{REDELIVER_ON_OUTAGE: True},
        )
        self._metrics = metrics
        self._outages = outages

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        # An empty expected secret never matches: the webhook always requires one.
        return bool(self.secret_token) and secrets.compare_digest(
            telegram_secret_token.encode(), str(self.secret_token).encode()
        )

    async def handle(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        self._metrics.webhook_in_flight.inc()
        try:
            return await self._handle(request)
        finally:
            self._metrics.webhook_in_flight.dec()
            self._metrics.webhook_seconds.observe(time.monotonic() - started)

    async def _handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            self._metrics.webhook_rejected("secret")
            log.warning("webhook request without the right secret token from %s", request.remote)
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        update = await _read_update(request, bot)
        if update is None:
            self._metrics.webhook_rejected("malformed")
            return web.json_response({"ok": False, "error": "malformed update"}, status=400)
        marker = HandledMarker()
        data: dict[str, Any] = {**self.data, UPDATE_HANDLED: marker}
        try:
            result: Any = await self.dispatcher.feed_webhook_update(bot, update, **data)
        except Exception as error:
            # A PostgreSQL or Redis outage is logged once by its watch (bot.outages), not here
            # for every update it fails; anything else keeps its line.
            level = logging.DEBUG if report_outage(error, self._outages) else logging.WARNING
            if is_transient(error) and marker.handled:
                # Answered, then a service failed while the update was being closed (the
                # per-user lock's release): asking for it again would answer it twice.
                log.log(
                    level, "update %s: handled, then %s while finishing it", update.update_id, error
                )
                return web.Response(status=200)
            if is_transient(error):
                log.log(
                    level,
                    "update %s: %s; asking Telegram to deliver it again",
                    update.update_id,
                    error,
                )
                return web.json_response({"ok": False, "error": "unavailable"}, status=503)
            log.exception("update %s failed outside the error router", update.update_id)
            return web.json_response({"ok": False, "error": "internal"}, status=500)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


async def _read_update(request: web.Request, bot: Bot) -> Update | None:
    """The request body as an Update, or None (logged, without the body) when it is not one."""
    raw = await request.read()
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        log.warning("malformed webhook body: not JSON (%d bytes)", len(raw))
        return None
    if not isinstance(payload, dict):
        log.warning("malformed webhook body: a JSON %s, not an object", type(payload).__name__)
        return None
    try:
        return Update.model_validate(payload, context={"bot": bot})
    except ValidationError as error:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})[:5]
        log.warning("malformed webhook body: not an Update (fields: %s)", ", ".join(fields))
        return None


@dataclass(frozen=True)
class CheckResult:
    """`ok` False makes the process not ready; `degraded` means it serves, with less."""

    ok: bool
    detail: str
    degraded: bool = False


HealthCheck = Callable[[], Awaitable[CheckResult]]


def health_checks(
    services: AppServices, dispatcher: Dispatcher | None = None
) -> dict[str, HealthCheck]:
    """Database, Redis (when the dispatcher uses it) and the knowledge index, each separately."""

    outages = services.outages

    async def database() -> CheckResult:
        # The ping reports to the database's watch: it may start or end an outage.
        ok = await services.database.ping()
        return CheckResult(ok, "reachable" if ok else outages.database.outage or "unreachable")

    async def redis() -> CheckResult:
        client = getattr(dispatcher.storage, "redis", None) if dispatcher else None
        if client is None:
            return CheckResult(False, "storage has no Redis client")
        try:
            await client.ping()
        except Exception as error:
            report_outage(error, outages)
            return CheckResult(False, outages.redis.outage or f"{type(error).__name__}: {error}")
        outages.redis.succeeded()
        return CheckResult(True, "reachable")

    async def knowledge() -> CheckResult:
        probe = getattr(services.answerer, "health", None)
        if probe is None:
            return CheckResult(True, "answerer reports no health")
        # The engine's probe is blocking (an HTTP call to the Chroma server).
        health = await asyncio.to_thread(probe)
        return CheckResult(
            bool(health.ok),
            str(getattr(health, "detail", "")),
            degraded=bool(getattr(health, "degraded", False)),
        )

    async def send_budget() -> CheckResult:
        problem = services.send_budget.degraded
        return CheckResult(True, problem or "shared", degraded=problem is not None)

    checks: dict[str, HealthCheck] = {
        "database": database,
        "knowledge": knowledge,
        "send_budget": send_budget,
    }
    if services.settings.database.redis_url and dispatcher is not None:
        checks["redis"] = redis
    return checks


async def run_checks(checks: dict[str, HealthCheck]) -> dict[str, CheckResult]:
    async def guarded(check: HealthCheck) -> CheckResult:
        try:
            return await asyncio.wait_for(check(), HEALTH_CHECK_TIMEOUT_SECONDS)
        except TimeoutError:
            return CheckResult(False, "timed out")
        except Exception as error:  # a probe reports failures, it never raises
            return CheckResult(False, f"{type(error).__name__}: {error}")

    names = list(checks)
    results = await asyncio.gather(*(guarded(checks[name]) for name in names))
    return dict(zip(names, results, strict=True))


def add_probe_routes(
    app: web.Application, services: AppServices, checks: dict[str, HealthCheck]
) -> None:
    """`/livez` (the process answers), `/healthz` = `/readyz` (JSON, 200 or 503), `/metrics`.

    Readiness is 503 only when the process cannot do its work (PostgreSQL or Redis unreachable,
    no knowledge index at all); a dependency it works around (the Chroma server while the index
    is in memory, Redis for the send budget) makes it `degraded`, still 200, so a load balancer
    keeps sending it updates. Restart on liveness, route on readiness.
    """

    async def livez(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def healthz(_: web.Request) -> web.Response:
        results = await run_checks(checks)
        ready = all(result.ok for result in results.values())
        degraded = [name for name, r in results.items() if r.ok and r.degraded]
        for name, result in results.items():
            services.metrics.degraded.labels(dependency=name).set(
                0 if result.ok and not result.degraded else 1
            )
        status = ("degraded" if degraded else "ok") if ready else "unavailable"
        body: dict[str, Any] = {
            "status": status,
            "checks": {
                name: {"ok": r.ok, "degraded": r.degraded, "detail": r.detail}
                for name, r in results.items()
            },
        }
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(_: web.Request) -> web.Response:
        await refresh_outbox_gauges(services)
        response = web.Response(body=services.metrics.render())
        response.headers["Content-Type"] = services.metrics.content_type
        return response

    app.router.add_get("/livez", livez)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", healthz)
    app.router.add_get("/metrics", metrics)


async def refresh_outbox_gauges(services: AppServices) -> None:
    """Outbox backlog and oldest due row, read at scrape time by every process: an alert fires
    when broadcasts stop although the worker itself is down and exports nothing."""
    try:
        count, age = await DeliveryStore(services.database).backlog(utcnow())
    except Exception as error:  # the scrape must answer; the database check says why
        log.debug("outbox backlog not read: %s", error)
        return
    services.metrics.outbox_backlog.set(count)
    services.metrics.outbox_oldest_due_age.set(age)


def create_web_app(
    services: AppServices,
    dispatcher: Dispatcher,
    bot: Bot,
    *,
    webhook_path: str | None = None,
    secret: str | None = None,
) -> web.Application:
    """An aiohttp app serving the webhook, `/healthz` and `/metrics` for one bot instance."""
    settings = services.settings
    if secret is None:
        secret = (
            settings.telegram.webhook_secret.get_secret_value()
            if settings.telegram.webhook_secret
            else ""
        )
    app = web.Application()
    handler = WebhookHandler(dispatcher, bot, secret, services.metrics, services.outages)
    handler.register(app, path=webhook_path or settings.telegram.webhook_path)
    add_probe_routes(app, services, health_checks(services, dispatcher))
    mount_dashboard(app, dashboard_dependencies(services))
    return app


def dashboard_dependencies(services: AppServices) -> WebDependencies:
    """The dashboard over the running bot's own services."""
    settings = services.settings
    token = settings.telegram.bot_token.get_secret_value() if settings.telegram.bot_token else ""
    return WebDependencies(
        dashboard=services.dashboard,
        faq_review=services.faq_review,
        users=services.users,
        catalogue=services.catalogue,
        config=WebConfig(
            bot_token=token, init_data_max_age_seconds=settings.dashboard.auth_max_age_seconds
        ),
    )


async def start_dashboard_server(services: AppServices, host: str, port: int) -> web.AppRunner:
    """The dashboard with `/healthz` and `/metrics`, for deployments that poll (`hecbot web`)."""
    app = web.Application()
    checks = health_checks(services)
    checks.pop("knowledge")  # the dashboard answers no questions
    add_probe_routes(app, services, checks)
    mount_dashboard(app, dashboard_dependencies(services))
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


WORKER_STALLED_AFTER_SECONDS = 60.0


async def start_probe_server(
    services: AppServices, host: str, port: int, worker: DeliveryWorker | None = None
) -> web.AppRunner:
    """`/healthz` and `/metrics` alone, for a process without webhooks (`hecbot worker`).

    With `worker`: its heartbeat (a stalled loop is not ready) and any outage it waits out.
    The caller stops it with `await runner.cleanup()`.
    """
    app = web.Application()
    checks = health_checks(services)
    checks.pop("knowledge")  # the worker answers no questions
    if worker is not None:
        services.metrics.worker_heartbeat.set_function(lambda: worker.heartbeat)

        async def delivery() -> CheckResult:
            age = time.time() - worker.heartbeat
            if age > WORKER_STALLED_AFTER_SECONDS:
                return CheckResult(False, f"no loop for {age:.0f} s")
            if worker.outage is not None:
                return CheckResult(False, f"waiting out: {worker.outage}")
            return CheckResult(True, f"last loop {age:.1f} s ago")

        checks["delivery"] = delivery
    add_probe_routes(app, services, checks)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
