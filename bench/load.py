"""Load benchmark: simulated learners asking questions of one or more webhook instances.

Each instance is a separate process running `run_webhook` (as `hecbot run --webhook`) on
PostgreSQL and Redis; replies go to the fake Bot API server (from the source checkout's
`tests/fakebotapi`). The benchmark plays Telegram: it posts updates to the instances in turn
with up to `concurrency` requests in flight (Telegram's `max_connections`). It reports questions
per second, reply latency percentiles and any lost or doubled reply.

Two ways to load the bot:

- **open** (`rate` > 0): questions arrive at `rate` per second (Poisson arrivals), each from a
  different learner, as after a national notice. A question waits for a free connection like an
  update queued at Telegram, and its latency counts from its arrival, so a bot that falls behind
  shows it in p95 (no coordinated omission). This is how "N questions/s with p95 under X" is
  measured.
- **closed** (`rate` = 0): `learners` learners each ask their next question as soon as the
  previous one is answered; the bot runs flat out, so this gives its capacity, and by Little's
  law p50 is about `learners` / throughput.

The questions are the evaluation sets' (knowledge/eval: three languages, in and out of scope):
`mix="peak"` draws them Zipf-distributed, as when most learners ask the same few things, with
the query-vector cache on; `mix="distinct"` cycles through them with the cache off, so every
question is encoded (the engine's cost for questions never seen before).

Run from a source checkout: `python -m bench load` (figures in docs/benchmarks.md, "Load").
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp import ClientSession, ClientTimeout, TCPConnector

from handlers.callbacks import AnswerFeedback, ChooseRule
from handlers.courses import CourseAction

if TYPE_CHECKING:
    from tests.production.cluster import ClusterConfig

EVAL_SETS = ("knowledge/eval/questions.yaml", "knowledge/eval/extra_questions.yaml")
MIXES = ("peak", "distinct")
ZIPF_EXPONENT = 1.0  # word and query frequencies are classically Zipf with s close to 1


def question_pool(root: Path) -> list[str]:
    """Every distinct question of the evaluation sets, in a fixed shuffled order."""
    import yaml

    texts: list[str] = []
    for name in EVAL_SETS:
        data = yaml.safe_load((root / name).read_text(encoding="utf-8"))
        texts.extend(str(entry["question"]) for entry in data["questions"])
    pool = list(dict.fromkeys(texts))
    random.Random(7).shuffle(pool)
    return pool


def pick_questions(pool: Sequence[str], count: int, mix: str, seed: int = 11) -> list[str]:
    """`distinct`: the pool in order, again from the start when used up. `peak`: draws with the
    pool's n-th question n^-s times as likely as its first."""
    if mix == "distinct":
        return [pool[n % len(pool)] for n in range(count)]
    if mix != "peak":
        raise ValueError(f"mix must be one of {MIXES}")
    weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(pool) + 1)]
    return random.Random(seed).choices(list(pool), weights=weights, k=count)


def repeat_share(questions: Sequence[str]) -> float:
    """Share of questions asked before in the run: the query cache's best possible hit rate."""
    return 1 - len(set(questions)) / len(questions) if questions else 0.0


@dataclass(frozen=True)
class LoadReport:
    instances: int
    answerer: str
    mix: str
    offered_per_second: float  # 0: closed loop
    questions: int
    repeats: float
    answered: int
    lost: int
    doubled: int
    seconds: float
    p50_ms: float
    p95_ms: float
    # CPU time the instances spent per answered question: steadier than throughput on a shared
    # machine, and what sizes a deployment (cores x 1000 / this = questions/s at full load).
    cpu_ms_per_question: float = 0.0
    pinned: bool = False  # each instance held to a core of its own
    # The whole machine and the driver with the fake Bot API, per answered question (_drive).
    machine_cpu_ms_per_question: float = 0.0
    driver_cpu_ms_per_question: float = 0.0

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        offered = f"{self.offered_per_second:g}" if self.offered_per_second else "closed"
        # With the cache off, repeated questions are encoded again: they spare nothing.
        repeats = "cache off" if self.mix == "distinct" else f"{self.repeats:.2f}"
        instances = f"{self.instances} pinned" if self.pinned else str(self.instances)
        return (
            f"| {instances} | {self.answerer} | {self.mix} | {repeats} | {offered} | "
            f"{self.questions} | {self.per_second:.1f} | {self.p50_ms:.0f} | {self.p95_ms:.0f} | "
            f"{self.cpu_ms_per_question:.1f} | {self.lost} | {self.doubled} |"
        )


TABLE_HEADER = (
    "| instances | answerer | mix | repeats | offered/s | questions | questions/s | p50 ms "
    "| p95 ms | CPU ms/question | lost | doubled |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
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


def bench_cluster_config(
    *,
    database_url: str,
    redis_url: str,
    redis_key_prefix: str,
    root: Path,
    answerer: str = "engine",
    query_cache: bool = True,
    env: Mapping[str, str] | None = None,
) -> ClusterConfig:
    """The cluster every benchmark starts its instances in: the bench's own database and Redis
    key prefix, the instances' data under `root`/cluster, the given answerer. `query_cache`
    False turns the query-vector cache off, to measure questions never seen before (on, the
    bot's default size); `env` adds settings of the run (an embedding budget, a pinned core)."""
    from tests.production.cluster import ClusterConfig

    return ClusterConfig(
        database_url=database_url,
        redis_url=redis_url,
        redis_key_prefix=redis_key_prefix,
        data_dir=root / "cluster",
        extra_env={
            "ANSWERER": answerer,
            **({} if query_cache else {"HECBOT_QUERY_CACHE_SIZE": "0"}),
            **(env or {}),
        },
    )


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
    mix: str = "peak",
    rate: float = 0.0,
    pin: bool = False,
    postgres_admin_url: str = "postgresql://postgres@127.0.0.1:5432/test",
    redis_url: str = "redis://127.0.0.1:6379/0",
    work_dir: Path | None = None,
) -> LoadReport:
    """Start `instances` bot processes and ask `learners` x `questions_per_learner` questions:
    in a closed loop when `rate` is 0, else arriving at `rate` per second (see the module doc)."""
    try:
        from tests.fakebotapi import FakeTelegram
        from tests.production.cluster import (
            SECRET,
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
        config = bench_cluster_config(
            database_url=database_url,
            redis_url=redis_url,
            redis_key_prefix=prefix,
            root=root,
            answerer=answerer,
            # "distinct" measures questions never seen before: no query-vector cache.
            query_cache=mix != "distinct",
            # Pinned to one core, one model replica is all the instance can use.
            env={"HECBOT_EMBED_REPLICAS": "1"} if pin else None,
        )
        count = learners * questions_per_learner
        questions = pick_questions(question_pool(_source_root()), count, mix)
        # Open loop: every question from a learner of its own, as at a peak.
        askers = count if rate else learners
        if answerer == "engine":
            index_dir = root / "index"
            await asyncio.to_thread(_index_bundled_kb, index_dir)
            for number in range(1, instances + 1):
                shutil.copytree(index_dir, config.data_dir / f"bot{number}", dirs_exist_ok=True)
        async with FakeTelegram(strict_chats=False) as fake:
            for number in range(1, instances + 1):
                started.append(start_instance(config, fake, f"bot{number}"))
                if pin:
                    # Instance n on core n - 1 (the harness, PostgreSQL and Redis float): how
                    # instances scale when each has its own core, as on separate hosts.
                    core = (number - 1) % (os.cpu_count() or 1)
                    os.sched_setaffinity(started[-1].process.pid, {core})
            for instance in started:
                await wait_healthy(instance)
            # Questions are answered only after onboarding; this measures the questions.
            await seed_onboarded_learners(
                database_url,
                [*_warm_up_users(concurrency), *(_learner_id(n) for n in range(askers))],
            )
            urls = [instance.webhook_url for instance in started]
            report = await _drive(
                fake=fake,
                pids=[instance.process.pid for instance in started],
                urls=urls,
                secret=SECRET,
                questions=questions,
                learners=askers,
                rate=rate,
                concurrency=concurrency,
            )
            return LoadReport(
                instances=instances,
                answerer=answerer,
                mix=mix,
                offered_per_second=rate,
                questions=count,
                repeats=repeat_share(questions),
                pinned=pin,
                **report,
            )
    finally:
        for instance in started:
            await stop_instance(instance)
        await _drop_database(postgres_admin_url, database_url)
        await _delete_prefix(redis_url, prefix)
        if own_dir:
            shutil.rmtree(root, ignore_errors=True)


def _source_root() -> Path:
    """The source checkout (the benchmark needs its tests/ and knowledge/eval/)."""
    return Path(__file__).resolve().parents[1]


def _learner_id(number: int) -> int:
    return 5_000_000_000 + number


def _warm_up_users(count: int) -> list[int]:
    return [4_000_000_000 + n for n in range(count)]


# Questions that are not in the measured pool, so the warm-up leaves the query cache as cold
# for the measured questions as a freshly started instance's.
WARM_UP_QUESTION = "Warm-up question {n}: what does the programme offer to learners?"


async def seed_onboarded_learners(
    database_url: str, user_ids: Sequence[int], *, migrate: bool = False
) -> None:
    """Store simulated learners as having finished onboarding (privacy accepted), so what they
    write is taken as questions. `migrate` first when no bot has created the tables yet."""
    from bot.storage.db import Database
    from bot.storage.models import Role, User
    from bot.storage.types import utcnow

    database = Database(database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    now = utcnow()
    try:
        if migrate:
            await database.migrate()
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


# An answer's last piece carries the 👍/👎 buttons; a course recommendation (a question such
# as "which course for data science?") carries its course actions.
# A reply to a question carries one of these: 👍/👎 on an answer, a course's buttons, or the
# (a)/(b) choice when a question could mean two rules (a reply too: counted as lost before).
ANSWER_BUTTONS = (
    f"{AnswerFeedback.__prefix__}:",
    f"{CourseAction.__prefix__}:",
    f"{ChooseRule.__prefix__}:",
)


def _is_answer(request: Any) -> bool:
    markup = request.params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return any(
        str(button.get("callback_data", "")).startswith(ANSWER_BUTTONS)
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


def machine_cpu_seconds() -> float:
    """CPU time every process of the machine has used so far, all cores (Linux /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    # user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
    ticks = [int(value) for value in fields[:8]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


# One sequence of update ids for every drive of a run: an instance remembers the ids it handled
# and skips one seen again (as a redelivery), so a second drive at another rate against the same
# instance (bench/sustained.py) that started again at 1 had every update skipped, unanswered.
UPDATE_IDS = itertools.count(1)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime and stime fields 14 and 15 (in ticks).
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def _drive(
    *,
    fake: Any,
    pids: Sequence[int],
    urls: list[str],
    secret: str,
    questions: Sequence[str],
    learners: int,
    rate: float,
    concurrency: int,
) -> dict[str, Any]:
    """Post the questions; learner n asks questions n, n + learners, n + 2 x learners, ..."""
    update_ids = UPDATE_IDS
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

    async def post(http: ClientSession, payload: dict[str, Any], arrived: float) -> float:
        """Deliver one update; its latency counts from `arrived`, queueing for a slot included."""
        async with gate:
            for _attempt in range(20):  # as Telegram, deliver again on an error status
                async with http.post(next(targets), json=payload, headers=headers) as response:
                    await response.read()
                    if response.status == 200:
                        return time.perf_counter() - arrived
                await asyncio.sleep(0.2)
            failures.append(f"update {payload['update_id']} never accepted")
            return time.perf_counter() - arrived

    async def learner(http: ClientSession, number: int) -> None:
        for text in questions[number::learners]:
            latencies.append(
                await post(http, update(_learner_id(number), text), time.perf_counter())
            )

    async def arrivals(http: ClientSession) -> None:
        gaps = random.Random(3)
        tasks: list[asyncio.Task[float]] = []
        due = time.perf_counter()
        for number, text in enumerate(questions):
            due += gaps.expovariate(rate)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            payload = update(_learner_id(number), text)
            tasks.append(asyncio.create_task(post(http, payload, due)))
        latencies.extend(await asyncio.gather(*tasks))

    connector = TCPConnector(limit=concurrency)
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=120)) as http:
        # Warm-up, not measured: two rounds of `concurrency` questions at once, so every instance
        # has opened its database and Redis connections and run each code path once (the first
        # second of a cold instance is slower than its steady state, which is what is measured).
        for _round in range(2):
            await asyncio.gather(
                *(
                    post(http, update(user, WARM_UP_QUESTION.format(n=n)), time.perf_counter())
                    for n, user in enumerate(_warm_up_users(concurrency))
                )
            )
        fake.clear()
        latencies.clear()
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        machine_before, own_before = machine_cpu_seconds(), time.process_time()
        began = time.perf_counter()
        if rate:
            await arrivals(http)
        else:
            await asyncio.gather(*(learner(http, n) for n in range(learners)))
        seconds = time.perf_counter() - began
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        machine = machine_cpu_seconds() - machine_before
        own = time.process_time() - own_before

    lost = doubled = answered = 0
    for number in range(learners):
        expected = len(questions[number::learners])
        replies = sum(
            _is_answer(r) for r in fake.requests("sendMessage", chat_id=_learner_id(number))
        )
        answered += min(replies, expected)
        lost += max(0, expected - replies)
        doubled += max(0, replies - expected)
    latencies_ms = [latency * 1000 for latency in latencies]
    return {
        "answered": answered,
        "lost": lost,
        "doubled": doubled,
        "seconds": seconds,
        "p50_ms": statistics.median(latencies_ms) if latencies_ms else 0.0,
        "p95_ms": percentile(latencies_ms, 0.95),
        "cpu_ms_per_question": cpu * 1000 / answered if answered else 0.0,
        # The whole machine (instance, this driver and fake Telegram, PostgreSQL, Redis, and
        # whatever else runs) and this process alone: where the cores went besides the bot.
        "machine_cpu_ms_per_question": machine * 1000 / answered if answered else 0.0,
        "driver_cpu_ms_per_question": own * 1000 / answered if answered else 0.0,
    }
