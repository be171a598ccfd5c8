"""Several bot instances as separate processes behind the fake Bot API server.

Each instance is `python -m tests.production.instance`, i.e. `bot.telegram.runner.run_webhook`, on
its own port; the fake posts updates to them in turn, as Telegram does for one webhook URL served by
a load balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout

from tests.bounded import run_every, wait_process
from tests.fakebotapi import DEFAULT_TOKEN, FakeTelegram
from tests.production.tcp_proxy import free_port

SECRET = "e2e-webhook-secret_0123456789"
WEBHOOK_PATH = "/telegram/webhook"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
KILLED_EXIT_SECONDS = 30.0


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return self.base_url + WEBHOOK_PATH

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class ClusterConfig:
    database_url: str
    redis_url: str
    redis_key_prefix: str
    data_dir: Path
    answer_delay_seconds: float = 0.0
    extra_env: dict[str, str] = field(default_factory=dict)


def instance_env(config: ClusterConfig, fake: FakeTelegram, name: str, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HECBOT_", "DATABASE_", "REDIS_", "WEBHOOK_", "CHROMA_", "LLM_"))
    }
    env.update(
        {
            "BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_API_BASE": fake.base_url,
            "DATABASE_URL": config.database_url,
            "REDIS_URL": config.redis_url,
            "REDIS_KEY_PREFIX": config.redis_key_prefix,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_PATH": WEBHOOK_PATH,
            "HECBOT_DATA_DIR": str(config.data_dir / name),
            "HECBOT_THROTTLE_SECONDS": "0",
            "HECBOT_LOG_FORMAT": "json",
            "HECBOT_LOG_SALT": "e2e-salt",
            "INSTANCE_NAME": name,
            # The bots only answer; the outbox is sent by `hecbot worker` processes, as deployed.
            "DELIVERY_EMBEDDED": "false",
            "ANSWER_DELAY_SECONDS": str(config.answer_delay_seconds),
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    env.update(config.extra_env)
    return env


def start_instance(config: ClusterConfig, fake: FakeTelegram, name: str) -> Instance:
    port = free_port()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = config.data_dir / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.production.instance"],
            cwd=config.data_dir,
            env=instance_env(config, fake, name, port),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return Instance(name, port, process, log_path)


def start_worker(config: ClusterConfig, fake: FakeTelegram, name: str) -> Instance:
    """`hecbot worker` as its own process, with /healthz and /metrics on a port of its own."""
    port = free_port()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = config.data_dir / f"{name}.log"
    env = instance_env(config, fake, name, port)
    env["WORKER_HEALTH_PORT"] = str(port)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"],
            cwd=config.data_dir,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return Instance(name, port, process, log_path)


async def wait_healthy(instance: Instance, timeout: float = 240.0) -> None:
    """Wait until /healthz answers 200 (the instance migrated and serves).

    Generous: importing aiogram alone takes 20 s on a loaded 2-core machine.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    async with ClientSession(timeout=ClientTimeout(total=5)) as http:
        while True:
            if instance.process.poll() is not None:
                raise AssertionError(
                    f"instance {instance.name} exited with {instance.process.returncode}:\n"
                    + instance.log_text()[-3000:]
                )
            with contextlib.suppress(ClientError, OSError, TimeoutError):
                async with http.get(instance.base_url + "/healthz") as response:
                    if response.status == 200:
                        return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"instance {instance.name} not healthy after {timeout}s:\n"
                    + instance.log_text()[-3000:]
                )
            await asyncio.sleep(0.2)


async def stop_instance(instance: Instance, timeout: float = 30.0) -> int:
    """SIGTERM, as a container stop does; returns the exit code."""
    if instance.process.poll() is None:
        instance.process.send_signal(signal.SIGTERM)
    deadline = asyncio.get_running_loop().time() + timeout
    while instance.process.poll() is None:
        if asyncio.get_running_loop().time() > deadline:
            instance.process.kill()
            break
        await asyncio.sleep(0.1)
    # After SIGKILL, only a process stuck in the kernel (uninterruptible I/O) outlives this.
    return wait_process(instance.process, KILLED_EXIT_SECONDS, f"instance {instance.name}")


@contextlib.asynccontextmanager
async def running_cluster(
    config: ClusterConfig, fake: FakeTelegram, count: int = 2
) -> AsyncIterator[list[Instance]]:
    """`count` instances (started one after another, each healthy), served in turn by the fake."""
    instances: list[Instance] = []
    try:
        for index in range(count):
            instance = start_instance(config, fake, f"bot{index + 1}")
            instances.append(instance)
        for instance in instances:
            await wait_healthy(instance)
        fake.set_webhook_targets([i.webhook_url for i in instances], secret_token=SECRET)
        yield instances
    finally:
        await stop_instances(instances)


async def stop_instances(instances: list[Instance]) -> None:
    """Stop every instance, even when stopping one of them failed; then raise the first error."""
    await run_every(functools.partial(stop_instance, instance) for instance in instances)
