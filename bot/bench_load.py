"""Load benchmark: simulated learners asking questions of one or more webhook instances.

Each instance is a separate process running `run_webhook` (as `hecbot run --webhook`) on
PostgreSQL and Redis; replies go to the fake Bot API server (from the source checkout's
`tests/fakebotapi`). The benchmark plays Telegram: it posts updates to the instances in turn
with up to `concurrency` requests in flight (Telegram's `max_connections`), each learner asking
its next question once the previous one is answered. It reports questions per second, reply
latency percentiles and any lost or doubled reply.

Run from a source checkout: `hecbot bench load` (figures in docs/benchmarks.md, "Load").
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp import ClientSession, ClientTimeout, TCPConnector

QUESTIONS = (
    "How do I get a Coursera licence?",
    "Who is eligible for the programme?",
    "How do I get my certificate?",
    "Can I get credit hours for a course?",
    "What happens when my licence expires?",
    "Who is the focal person at my university?",
    "How many courses can I take?",
    "Licence kaise milta hai?",
    "Is there a deadline to finish a course?",
    "What is the weather in Lahore?",  # the knowledge base should abstain
)


@dataclass(frozen=True)
class LoadReport:
    instances: int
    answerer: str
    questions: int
    answered: int
    lost: int
    doubled: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        return (
            f"| {self.instances} | {self.answerer} | {self.questions} | {self.per_second:.1f} | "
            f"{self.p50_ms:.0f} | {self.p95_ms:.0f} | {self.lost} | {self.doubled} |"
        )


TABLE_HEADER = (
    "| instances | answerer | questions | questions/s | p50 ms | p95 ms | lost | doubled |\n"
    "|---|---|---|---|---|---|---|---|"
)


def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


async def _create_database(admin_url: str) -> str:
    import asyncpg  # type: ignore[import-untyped]

    name = f"hecbot_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _drop_database(admin_url: str, url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    name = urlsplit(url).path.lstrip("/")
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def _index_bundled_kb(data_dir: Path) -> None:
    """Build the bundled knowledge base's index once; instances get copies of it."""
    hecbot = Path(sys.executable).with_name("hecbot")
    env = {"HECBOT_DATA_DIR": str(data_dir), "PATH": str(hecbot.parent)}
    subprocess.run([str(hecbot), "kb", "index", "--bundled"], check=True, env=env)


async def run_load(
    *,
    instances: int,
    learners: int = 40,
    questions_per_learner: int = 10,
    concurrency: int = 40,
    answerer: str = "engine",
    postgres_admin_url: str = "postgresql://postgres@127.0.0.1:5432/test",
    redis_url: str = "redis://127.0.0.1:6379/0",
    work_dir: Path | None = None,
) -> LoadReport:
    """Start `instances` bot processes, drive `learners` x `questions_per_learner` questions."""
    try:
        from tests.fakebotapi import FakeTelegram
        from tests.production.cluster import (
            SECRET,
            ClusterConfig,
            start_instance,
            stop_instance,
            wait_healthy,
        )
    except ImportError as error:  # the fake server ships with the sources, not the wheel
        raise RuntimeError("run the load benchmark from a source checkout of hecbot") from error

    own_dir = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="hecbot-bench-")) if work_dir is None else work_dir
    database_url = await _create_database(postgres_admin_url)
    prefix = f"hecbot-bench-{uuid.uuid4().hex[:8]}"
    started: list[Any] = []
    try:
        config = ClusterConfig(
            database_url=database_url,
            redis_url=redis_url,
            redis_key_prefix=prefix,
            data_dir=root / "cluster",
            extra_env={"ANSWERER": answerer},
        )
        if answerer == "engine":
            index_dir = root / "index"
            await asyncio.to_thread(_index_bundled_kb, index_dir)
            for number in range(1, instances + 1):
                shutil.copytree(index_dir, config.data_dir / f"bot{number}", dirs_exist_ok=True)
        async with FakeTelegram(strict_chats=False) as fake:
            for number in range(1, instances + 1):
                started.append(start_instance(config, fake, f"bot{number}"))
            for instance in started:
                await wait_healthy(instance)
            # Questions are answered only after onboarding; this measures the questions.
            await _seed_onboarded_learners(
                database_url,
                [*_warm_up_users(instances), *(_learner_id(n) for n in range(learners))],
            )
            urls = [instance.webhook_url for instance in started]
            report = await _drive(
                fake=fake,
                urls=urls,
                secret=SECRET,
                learners=learners,
                questions_per_learner=questions_per_learner,
                concurrency=concurrency,
                answerer=answerer,
            )
            return report
    finally:
        for instance in started:
            await stop_instance(instance)
        await _drop_database(postgres_admin_url, database_url)
        await _delete_prefix(redis_url, prefix)
        if own_dir:
            shutil.rmtree(root, ignore_errors=True)


def _learner_id(number: int) -> int:
    return 5_000_000_000 + number


def _warm_up_users(instances: int) -> list[int]:
    return [4_000_000_000 + n for n in range(instances * 3)]


async def _seed_onboarded_learners(database_url: str, user_ids: Sequence[int]) -> None:
    """Store the simulated learners as having finished onboarding (privacy accepted)."""
    from bot.storage.db import Database
    from bot.storage.models import Role, User
    from bot.storage.types import utcnow

    database = Database(database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    now = utcnow()
    try:
        async with database.session() as session:
            session.add_all(
                User(
                    id=user_id,
                    role=Role.LEARNER.value,
                    language="en",
                    learner_kind="student",
                    privacy_accepted_at=now,
                    onboarded_at=now,
                )
                for user_id in user_ids
            )
    finally:
        await database.close()


def _is_answer(request: Any) -> bool:
    """An answer's last piece carries the 👍/👎 buttons (callback data `fb:...`)."""
    markup = request.params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return any(
        str(button.get("callback_data", "")).startswith("fb:")
        for row in markup.get("inline_keyboard", [])
        for button in row
    )


async def _delete_prefix(redis_url: str, prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def _drive(
    *,
    fake: Any,
    urls: list[str],
    secret: str,
    learners: int,
    questions_per_learner: int,
    concurrency: int,
    answerer: str,
) -> LoadReport:
    update_ids = itertools.count(1)
    targets = itertools.cycle(urls)
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    failures: list[str] = []
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}

    def update(user_id: int, text: str) -> dict[str, Any]:
        update_id = next(update_ids)
        sender = {"id": user_id, "is_bot": False, "first_name": "Learner", "language_code": "en"}
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "Learner"},
                "from": sender,
                "text": text,
            },
        }

    async def post(http: ClientSession, payload: dict[str, Any]) -> float:
        async with gate:
            began = time.perf_counter()
            for _attempt in range(20):  # as Telegram, deliver again on an error status
                async with http.post(next(targets), json=payload, headers=headers) as response:
                    await response.read()
                    if response.status == 200:
                        return time.perf_counter() - began
                await asyncio.sleep(0.2)
            failures.append(f"update {payload['update_id']} never accepted")
            return time.perf_counter() - began

    async def learner(http: ClientSession, user_id: int, first: int) -> None:
        for n in range(questions_per_learner):
            text = QUESTIONS[(first + n) % len(QUESTIONS)]
            latencies.append(await post(http, update(user_id, text)))

    connector = TCPConnector(limit=concurrency)
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=60)) as http:
        # Warm-up: each instance loads its model and fills its connection pools.
        for warm_user in _warm_up_users(len(urls)):
            await post(http, update(warm_user, QUESTIONS[0]))
        fake.clear()
        latencies.clear()
        began = time.perf_counter()
        await asyncio.gather(*(learner(http, _learner_id(n), n) for n in range(learners)))
        seconds = time.perf_counter() - began

    lost = doubled = answered = 0
    for n in range(learners):
        replies = sum(_is_answer(r) for r in fake.requests("sendMessage", chat_id=_learner_id(n)))
        answered += min(replies, questions_per_learner)
        lost += max(0, questions_per_learner - replies)
        doubled += max(0, replies - questions_per_learner)
    latencies_ms = [latency * 1000 for latency in latencies]
    return LoadReport(
        instances=len(urls),
        answerer=answerer,
        questions=learners * questions_per_learner,
        answered=answered,
        lost=lost,
        doubled=doubled,
        seconds=seconds,
        p50_ms=statistics.median(latencies_ms) if latencies_ms else 0.0,
        p95_ms=percentile(latencies_ms, 0.95),
    )
