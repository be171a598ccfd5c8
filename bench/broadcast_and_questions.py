"""A broadcast at the full rate while learners ask questions: do replies still go out?

One process plays the whole production shape against the fake Bot API with Telegram's flood
limits on (30 messages in any second per bot, 1 a second per chat, 429 with `retry_after`):
a webhook bot instance (the real Dispatcher, middlewares and handlers; a stub answerer, so the
figures are about sending, not retrieval) and one or more delivery workers, each with its own
Bot session and its own handle on the shared send budget in Redis, as separate processes
would have; PostgreSQL holds users and the outbox. Learners ask at a steady rate (each question
from a learner outside the broadcast's audience, so Telegram's per-chat limit is not what is
measured) until the broadcast is done.

Reported: questions asked and unanswered, reply latency p50/p95 (push to the fake receiving
the reply), 429s, the broadcast's rate, and what the budget leaves it (rate - reply rate).

    python -m bench.broadcast_and_questions --recipients 2000 --questions-per-second 4
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.delivery import Outbox, OutgoingMessage
from bot.delivery.budget import close_send_budget, create_send_budget
from bot.delivery.session import install_send_budget
from bot.delivery.telegram import TelegramSender
from bot.delivery.worker import DeliveryWorker
from bot.metrics import MeteredSender
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.container import build_services
from bot.telegram.webserver import create_web_app
from tests import real_services
from tests.factories import make_user
from tests.fakebotapi import DEFAULT_TOKEN, FakeTelegram, RateLimit
from tests.production.doubles import EchoAnswerer
from tests.production.tcp_proxy import free_port

SECRET = "bench-secret"
RECIPIENT_BASE = 6_000_000_000
ASKER_BASE = 7_000_000_000


@dataclass(frozen=True)
class Result:
    recipients: int
    workers: int
    asked: int
    unanswered: int
    reply_p50_ms: float
    reply_p95_ms: float
    reply_max_ms: float
    rate_limited_429: int
    broadcast_seconds: float
    broadcast_rate: float
    budget_rate: float
    reply_rate: float
    doubled: int
    delivered: int = 0  # recipients the broadcast reached (each once unless `doubled`)
    # Each webhook POST from the fake to its answer: how long an update holds one of
    # Telegram's connections (the bot answers after handling), and the answers that were
    # not 200 (Telegram delivers those again).
    webhook_p50_ms: float = 0.0
    webhook_p95_ms: float = 0.0
    webhook_max_ms: float = 0.0
    webhook_mean_ms: float = 0.0
    webhook_not_ok: int = 0

    def report(self) -> str:
        left = self.budget_rate - self.reply_rate
        return (
            f"broadcast to {self.recipients} learners, {self.workers} worker(s), "
            f"{self.asked} questions at {self.reply_rate:g}/s\n"
            f"  unanswered: {self.unanswered}   reply p50 {self.reply_p50_ms:.0f} ms, "
            f"p95 {self.reply_p95_ms:.0f} ms, max {self.reply_max_ms:.0f} ms\n"
            f"  429s: {self.rate_limited_429}   doubled broadcast messages: {self.doubled}\n"
            f"  broadcast: {self.broadcast_seconds:.1f} s, {self.broadcast_rate:.1f} msg/s "
            f"(the budget leaves it {left:g}/s of {self.budget_rate:g}/s)\n"
            f"  webhook: p50 {self.webhook_p50_ms:.0f} ms, p95 {self.webhook_p95_ms:.0f} ms, "
            f"max {self.webhook_max_ms:.0f} ms, mean {self.webhook_mean_ms:.0f} ms, "
            f"not 200: {self.webhook_not_ok}; connections held at the reply ceiling "
            f"({self.budget_rate:g} updates/s x mean): "
            f"{self.budget_rate * self.webhook_mean_ms / 1000:.1f}"
        )


async def run(
    *, recipients: int, questions_per_second: float, workers: int, askers: int = 300
) -> Result:
    await real_services.require("postgres")
    await real_services.require("redis")
    database_url = await real_services.create_postgres_database()
    prefix = real_services.new_redis_prefix()
    data_dir = Path(tempfile.mkdtemp(prefix="hecbot-bench-"))
    try:
        async with FakeTelegram(strict_chats=False, rate_limit=RateLimit()) as fake:
            settings = Settings(  # type: ignore[call-arg]
                BOT_TOKEN=DEFAULT_TOKEN,
                TELEGRAM_API_BASE=fake.base_url,
                DATABASE_URL=database_url,
                REDIS_URL=real_services.REDIS_TEST_URL,
                REDIS_KEY_PREFIX=prefix,
                HECBOT_DATA_DIR=data_dir,
                HECBOT_THROTTLE_SECONDS=0,
                DELIVERY_EMBEDDED=False,
                WEBHOOK_SECRET=SECRET,
            )
            return await _measure(
                fake,
                settings,
                recipients=recipients,
                questions_per_second=questions_per_second,
                workers=workers,
                askers=askers,
            )
    finally:
        await real_services.drop_postgres_database(database_url)
        await real_services.delete_redis_keys(prefix)


async def _measure(
    fake: FakeTelegram,
    settings: Settings,
    *,
    recipients: int,
    questions_per_second: float,
    workers: int,
    askers: int,
) -> Result:
    services = await build_services(settings, answerer=EchoAnswerer())
    bot = create_bot(settings)
    install_send_budget(bot, services.send_budget, services.metrics)
    dispatcher = create_dispatcher(services)
    runner = web.AppRunner(create_web_app(services, dispatcher, bot), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.set_webhook_targets(
        [f"http://127.0.0.1:{port}{settings.telegram.webhook_path}"], secret_token=SECRET
    )
    for index in range(askers):
        await make_user(services.database, ASKER_BASE + index)
    outbox = Outbox(services.database)
    job = await outbox.enqueue_job(
        kind="broadcast",
        reference="bench",
        messages=[
            OutgoingMessage(chat_id=RECIPIENT_BASE + n, text="Webinar on Friday at 3 pm")
            for n in range(recipients)
        ],
    )
    stop = asyncio.Event()
    worker_tasks: list[asyncio.Task[None]] = []
    worker_closers = []
    for number in range(workers):
        worker_bot = create_bot(settings)
        budget = create_send_budget(settings)  # its own handle, as another process has
        install_send_budget(worker_bot, budget, services.metrics)
        worker = DeliveryWorker(
            services.database,
            worker_bot,
            settings,
            scheduler=None,
            users=services.users,
            sender=MeteredSender(TelegramSender(worker_bot), services.metrics),
            budget=budget,
            worker_id=f"bench-worker-{number}",
        )
        worker_tasks.append(asyncio.create_task(worker.run(stop)))
        worker_closers.append((worker_bot, budget))

    asked: dict[str, tuple[int, float]] = {}
    started = time.time()
    index = 0
    try:
        while True:
            progress = await outbox.job_progress(job)
            if progress.is_finished:
                break
            due = started + index / questions_per_second
            await asyncio.sleep(max(0.0, due - time.time()))
            asker = ASKER_BASE + index % askers
            text = f"Question {index}?"
            asked[text] = (asker, time.time())
            fake.push_message(asker, text)
            index += 1
        # Replies to the last questions: a few seconds' grace.
        for _ in range(150):
            if len(_answers(fake, asked)) >= len(asked):
                break
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await asyncio.gather(*worker_tasks, return_exceptions=True)
        for worker_bot, budget in worker_closers:
            await worker_bot.session.close()
            await close_send_budget(budget)
        await runner.cleanup()
        await dispatcher.storage.close()
        await bot.session.close()
        await services.close()

    answers = _answers(fake, asked)
    latencies = sorted(1000 * (answers[text] - asked[text][1]) for text in answers)
    sent = [
        r
        for r in fake.requests("sendMessage")
        if r.ok and int(r.chat_id or 0) >= RECIPIENT_BASE and int(r.chat_id or 0) < ASKER_BASE
    ]
    per_chat: dict[int, int] = {}
    for request in sent:
        per_chat[int(request.chat_id or 0)] = per_chat.get(int(request.chat_id or 0), 0) + 1
    span = max(r.time for r in sent) - min(r.time for r in sent) if len(sent) > 1 else 0.0
    held = sorted(1000 * d.seconds for d in fake.webhook_deliveries)
    return Result(
        recipients=recipients,
        workers=workers,
        asked=len(asked),
        unanswered=len(asked) - len(answers),
        reply_p50_ms=statistics.median(latencies) if latencies else 0.0,
        reply_p95_ms=latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        reply_max_ms=latencies[-1] if latencies else 0.0,
        rate_limited_429=fake.rate_limited_count,
        broadcast_seconds=span,
        broadcast_rate=len(sent) / span if span else 0.0,
        budget_rate=settings.delivery.send_rate_per_second,
        reply_rate=questions_per_second,
        doubled=sum(count - 1 for count in per_chat.values() if count > 1),
        delivered=len(per_chat),
        webhook_p50_ms=statistics.median(held) if held else 0.0,
        webhook_p95_ms=held[int(0.95 * (len(held) - 1))] if held else 0.0,
        webhook_max_ms=held[-1] if held else 0.0,
        webhook_mean_ms=statistics.fmean(held) if held else 0.0,
        webhook_not_ok=sum(1 for d in fake.webhook_deliveries if d.status != 200),
    )


def _answers(fake: FakeTelegram, asked: dict[str, tuple[int, float]]) -> dict[str, float]:
    """Question text -> when the fake received its reply (the first one)."""
    found: dict[str, float] = {}
    for request in fake.requests("sendMessage"):
        if not request.ok:
            continue
        text = str(request.params.get("text", ""))
        if text.startswith("Answer to: "):
            question = text.removeprefix("Answer to: ").split("\n", 1)[0].strip()
            with contextlib.suppress(KeyError):
                if asked[question][0] == int(request.chat_id or 0):
                    found.setdefault(question, request.time)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--questions-per-second", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    result = asyncio.run(
        run(
            recipients=args.recipients,
            questions_per_second=args.questions_per_second,
            workers=args.workers,
        )
    )
    print(result.report())


if __name__ == "__main__":
    main()
