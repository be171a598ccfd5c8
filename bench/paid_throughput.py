"""How many messages a second the outbox can claim, send and record, against Telegram's paid
broadcast ceiling (1,000 a second with `allow_paid_broadcast`).

N paid messages are enqueued in PostgreSQL; 1 or 2 bare senders (`python -m bot.delivery`, each
its own process, sharing the send budget through Redis) send them to the fake Bot API, which
lets paid sends through its flood limits as Telegram does. The rate is the fake's accepted sends
over the time from the first to the last; each row is claimed (in batches), sent (one HTTP call)
and recorded (the sends accepted together in one commit). On a shared host the rate says little
alone: the CPU each message costs the workers (and the fake, standing in for Telegram) says how
many a second a core of worker would carry.

    python -m bench.paid_throughput --messages 5000 --workers 1 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load import cpu_seconds
from bot.delivery import Outbox, OutgoingMessage
from bot.storage.db import Database
from tests import real_services
from tests.fakebotapi import DEFAULT_TOKEN, FakeTelegram, RateLimit

RECIPIENT_BASE = 8_000_000_000


@dataclass(frozen=True)
class Throughput:
    workers: int
    messages: int
    sent: int
    seconds: float
    paid_seen: int
    # CPU seconds over the whole run: the workers' processes, and this process (the fake
    # Bot API server, which stands in for Telegram and shares the host's cores).
    worker_cpu: float = 0.0
    fake_cpu: float = 0.0
    worker_peak_mb: float = 0.0  # the largest worker's peak resident memory (VmHWM)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    @property
    def worker_ms_per_message(self) -> float:
        return 1000 * self.worker_cpu / self.sent if self.sent else 0.0

    def report(self) -> str:
        per_core = 1000 / self.worker_ms_per_message if self.worker_ms_per_message else 0.0
        return (
            f"{self.workers} worker(s): {self.sent}/{self.messages} paid messages in "
            f"{self.seconds:.1f} s = {self.rate:.0f} msg/s ({self.rate / 1000:.0%} of 1,000/s)\n"
            f"  CPU: workers {self.worker_ms_per_message:.2f} ms a message (= {per_core:.0f} "
            f"msg/s per core), the fake Bot API {1000 * self.fake_cpu / max(1, self.sent):.2f} ms "
            f"a message; worker peak memory {self.worker_peak_mb:.0f} MB; "
            f"load average {os.getloadavg()[0]:.1f}"
        )


async def measure(*, messages: int, workers: int) -> Throughput:
    await real_services.require("postgres")
    await real_services.require("redis")
    url = await real_services.create_postgres_database()
    prefix = real_services.new_redis_prefix()
    try:
        async with FakeTelegram(strict_chats=False, rate_limit=RateLimit()) as fake:
            database = Database(url.replace("postgresql://", "postgresql+asyncpg://", 1))
            await database.migrate()
            outbox = Outbox(database)
            env = {
                **os.environ,
                "BOT_TOKEN": DEFAULT_TOKEN,
                "TELEGRAM_API_BASE": fake.base_url,
                "DATABASE_URL": url,
                "REDIS_URL": real_services.REDIS_TEST_URL,
                "REDIS_KEY_PREFIX": prefix,
                "HECBOT_DATA_DIR": tempfile.mkdtemp(prefix="hecbot-paid-"),
                "HECBOT_LOG_LEVEL": "WARNING",
            }
            processes = [
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot.delivery", env=env, stdout=subprocess.DEVNULL
                )
                for _ in range(workers)
            ]
            # The workers start idle (imports, the schema check are not a message's cost); the
            # broadcast is enqueued once they wait for work.
            for process in processes:
                await _idle(process.pid)
            job = await outbox.enqueue_job(
                kind="broadcast",
                reference="paid-bench",
                messages=[
                    OutgoingMessage(
                        chat_id=RECIPIENT_BASE + n, text="Urgent: exam moved", paid=True
                    )
                    for n in range(messages)
                ],
            )
            fake_cpu_before = time.process_time()
            started_cpu = [cpu_seconds(process.pid) for process in processes]
            worker_cpu = peak_mb = 0.0
            try:
                deadline = time.monotonic() + 900
                while time.monotonic() < deadline:
                    if (await outbox.job_progress(job)).is_finished:
                        break
                    await asyncio.sleep(0.5)
                worker_cpu = sum(
                    cpu_seconds(process.pid) - before
                    for process, before in zip(processes, started_cpu, strict=True)
                )
                peak_mb = max(_peak_mb(process.pid) for process in processes)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    await asyncio.wait_for(process.wait(), timeout=30)
                await database.close()
            sent = [r for r in fake.requests("sendMessage") if r.ok]
            span = max(r.time for r in sent) - min(r.time for r in sent) if len(sent) > 1 else 0
            return Throughput(
                workers,
                messages,
                len(sent),
                span,
                fake.paid_broadcast_count,
                worker_cpu=worker_cpu,
                fake_cpu=time.process_time() - fake_cpu_before,
                worker_peak_mb=peak_mb,
            )
    finally:
        await real_services.drop_postgres_database(url)
        await real_services.delete_redis_keys(prefix)


def _peak_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM, Linux /proc) in MB; 0 elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _idle(pid: int) -> None:
    """Until the process's CPU time stops climbing for half a second (its start-up is over)."""
    last, quiet = cpu_seconds(pid), 0
    for _ in range(1200):
        await asyncio.sleep(0.1)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - last < 0.02 else 0
        if quiet >= 5:
            return
        last = now


def main() -> None:
    parser = argparse.ArgumentParser(description="Paid broadcast throughput of the outbox")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--workers", type=int, action="append")
    args = parser.parse_args()
    for workers in args.workers or [1, 2]:
        print(asyncio.run(measure(messages=args.messages, workers=workers)).report(), flush=True)


if __name__ == "__main__":
    main()
