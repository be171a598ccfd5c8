"""Broadcast delivery benchmark against the fake Bot API (`tests/fakebotapi`).

A broadcast to N learners (3% blocked the bot) is sent by the real worker in a subprocess
(`python -m bot.delivery`), optionally killed with SIGKILL during the run and restarted. The fake
enforces Telegram's limits (30 messages/s, 1/s per chat) and records every request, so duplicates
and losses are counted from what "Telegram" received, not from the worker's own bookkeeping.

`python -m bench.delivery --recipients 10000 --kills 2` (also `python -m bench delivery`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.delivery import Outbox, OutgoingMessage
from bot.storage.db import Database

FIRST_CHAT = 7_000_000_000  # above 2**32: exercises BigInteger chat ids too


@dataclass(frozen=True)
class DeliveryBenchResult:
    recipients: int
    blocked_recipients: int
    configured_rate: float
    achieved_rate: float  # accepted sends per second while a worker was running
    achieved_ratio: float
    wall_rate: float  # the same over the whole run, restarts included
    rate_limited_429: int
    duplicates: int
    losses: int  # reachable recipients who got nothing
    uncertain: int  # rows in flight at a kill: never resent
    uncertain_delivered: int  # ... of which Telegram had in fact received the message
    kills: int
    seconds: float


def _spawn_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.delivery"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def bench_delivery(
    *,
    recipients: int = 10_000,
    blocked_share: float = 0.03,
    rate: float = 25.0,
    kills: int = 0,
    global_limit: int = 30,
    workdir: Path | None = None,
    progress: bool = False,
) -> DeliveryBenchResult:
    """Run one broadcast to completion and measure it (see the module docstring)."""
    try:
        from tests.fakebotapi import ChatStatus, FakeTelegram, RateLimit
    except ImportError as error:  # an installed wheel has no tests package
        raise RuntimeError(
            "the delivery benchmark needs a source checkout (tests/fakebotapi)"
        ) from error

    workdir = workdir or Path(tempfile.mkdtemp(prefix="hecbot-bench-"))
    database_url = f"sqlite+aiosqlite:///{(workdir / 'bench.sqlite3').resolve()}"
    database = Database(database_url)
    await database.migrate()
    chats = [FIRST_CHAT + index for index in range(recipients)]
    blocked = set(chats[:: max(1, round(1 / blocked_share))]) if blocked_share > 0 else set()
    fake = FakeTelegram(rate_limit=RateLimit(global_limit, 1), strict_chats=False)
    async with fake:
        for chat in blocked:
            fake.set_chat_status(chat, ChatStatus.BLOCKED)
        outbox = Outbox(database, send_rate_per_second=rate)
        job = await outbox.enqueue_job(
            kind="broadcast",
            reference="bench",
            messages=[OutgoingMessage(chat, f"<b>Webinar</b> notice for {chat}") for chat in chats],
        )
        env = {
            **os.environ,
            "BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE": fake.base_url,
            "DATABASE_URL": database_url,
            "HECBOT_DATA_DIR": str(workdir),
            "SEND_RATE_PER_SECOND": str(rate),
            "HECBOT_LOG_LEVEL": "WARNING",
        }
        kill_points = [recipients * (k + 1) // (kills + 1) for k in range(kills)]
        killed = 0
        started = time.monotonic()
        worker = _spawn_worker(env)
        try:
            while True:
                await asyncio.sleep(0.5)
                state = await outbox.job_progress(job)
                if progress:
                    print(f"\r{state.done}/{state.total} 429s={fake.rate_limited_count}", end="")
                if killed < kills and state.done >= kill_points[killed]:
                    worker.send_signal(signal.SIGKILL)
                    worker.wait()
                    killed += 1
                    worker = _spawn_worker(env)
                    continue
                if state.is_finished:
                    break
                if worker.poll() is not None:
                    stderr = worker.stderr.read().decode() if worker.stderr else ""
                    raise RuntimeError(f"the worker exited: {stderr[-2000:]}")
        finally:
            if worker.poll() is None:
                worker.terminate()
                worker.wait()
        seconds = time.monotonic() - started
        state = await outbox.job_progress(job)
        sends = [r for r in fake.requests("sendMessage") if r.status != 429]
        received = Counter(r.chat_id for r in sends if r.ok)
    await database.close()
    if progress:
        print()
    times = sorted(r.time for r in sends)
    # Gaps over a second are restarts after a kill: no worker was running then.
    active = sum(gap for gap in (b - a for a, b in itertools.pairwise(times)) if gap <= 1.0)
    wall = (times[-1] - times[0]) if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / active if active else 0.0
    from sqlmodel import col, select

    from bot.storage.delivery_models import Delivery, DeliveryStatus

    database = Database(database_url)
    async with database.session() as session:
        uncertain_chats = [
            int(chat)
            for chat in (
                await session.exec(
                    select(col(Delivery.chat_id)).where(
                        col(Delivery.status) == DeliveryStatus.UNCERTAIN.value
                    )
                )
            ).all()
        ]
    await database.close()
    reachable = [chat for chat in chats if chat not in blocked]
    return DeliveryBenchResult(
        recipients=recipients,
        blocked_recipients=len(blocked),
        configured_rate=rate,
        achieved_rate=round(achieved, 2),
        achieved_ratio=round(achieved / rate, 3),
        wall_rate=round((len(times) - 1) / wall, 2) if wall else 0.0,
        rate_limited_429=fake.rate_limited_count,
        duplicates=sum(1 for count in received.values() if count > 1),
        losses=sum(1 for chat in reachable if received[chat] == 0),
        uncertain=state.uncertain,
        uncertain_delivered=sum(1 for chat in uncertain_chats if received[chat] > 0),
        kills=killed,
        seconds=round(seconds, 1),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--blocked-share", type=float, default=0.03)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--kills", type=int, default=0)
    parser.add_argument("--global-limit", type=int, default=30)
    args = parser.parse_args(argv)
    result = asyncio.run(
        bench_delivery(
            recipients=args.recipients,
            blocked_share=args.blocked_share,
            rate=args.rate,
            kills=args.kills,
            global_limit=args.global_limit,
            progress=sys.stderr.isatty(),
        )
    )
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
