"""How long a webhook instance takes from its start to ready (`/healthz` answering 200).

Starts `hecbot run --webhook`'s code (`tests.production.instance` with the real knowledge
engine over the bundled knowledge base, PostgreSQL, Redis, the fake Bot API) a few times, one
after the other, and reports for each start:

- **ready**: seconds from starting the process to the first 200 from `/healthz`, as a
  load balancer or `wait_healthy` sees it;
- **CPU**: the instance's CPU seconds until ready (its own "ready ..." log line): on a shared
  machine the steadier figure, about what the wall time is on a quiet one;
- the instance's phases (imports, services, dispatcher, knowledge, courses, listening);
- **floor**: in the same run, a bare `python -c "import aiogram"`: no instance can serve
  Telegram before that import is done, so ready / floor says how much of the start is ours.

Each start is made twice in turn: as deployed, and with the retrieval snapshot removed first
(the instance then opens Chroma and reads the index, as every start did before the snapshot),
so the snapshot's gain is measured on the same machine in the same minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

READY_MARK = "after the process started"


@dataclass(frozen=True)
class StartupRun:
    snapshot: bool  # the retrieval snapshot was there (False: removed before the start)
    ready_seconds: float
    process_line: str  # the instance's own "ready ..." log line
    floor_seconds: float
    load_average: float

    @property
    def ratio_to_floor(self) -> float:
        return self.ready_seconds / self.floor_seconds if self.floor_seconds else 0.0

    def row(self, number: int) -> str:
        snapshot = "yes" if self.snapshot else "removed"
        return (
            f"| {number} | {snapshot} | {self.ready_seconds:.1f} | {self.floor_seconds:.1f} | "
            f"{self.ratio_to_floor:.2f} | {self.load_average:.1f} | {self.process_line} |"
        )


TABLE_HEADER = (
    "| start | snapshot | ready s | `import aiogram` s (floor) | ready / floor | load average "
    "| the instance's own account |\n|---|---|---|---|---|---|---|"
)


def aiogram_import_seconds() -> float:
    """Wall time of a fresh interpreter importing aiogram (what any instance pays first)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import aiogram"], check=True)
    return time.perf_counter() - started


def _ready_line(log_path: Path) -> str:
    for line in reversed(log_path.read_text(encoding="utf-8", errors="replace").splitlines()):
        if READY_MARK in line:
            try:
                return str(json.loads(line).get("message", line))
            except ValueError:
                return line
    return "(no ready line)"


async def run_startup(
    *,
    starts: int = 3,
    postgres_admin_url: str = "postgresql://postgres@127.0.0.1:5432/test",
    redis_url: str = "redis://127.0.0.1:6379/0",
) -> list[StartupRun]:
    """Start an instance `starts` times with the retrieval snapshot and as many without, in
    turn, over one indexed knowledge base; one row each."""
    from bench.load import (
        _create_database,
        _delete_prefix,
        _drop_database,
        _index_bundled_kb,
        bench_cluster_config,
    )
    from tests.fakebotapi import FakeTelegram
    from tests.production.cluster import (
        start_instance,
        stop_instance,
        wait_healthy,
    )

    root = Path(tempfile.mkdtemp(prefix="hecbot-bench-startup-"))
    database_url = await _create_database(postgres_admin_url)
    prefix = f"hecbot-bench-{uuid.uuid4().hex[:8]}"
    runs: list[StartupRun] = []
    try:
        config = bench_cluster_config(
            database_url=database_url, redis_url=redis_url, redis_key_prefix=prefix, root=root
        )
        await asyncio.to_thread(_index_bundled_kb, root / "index")
        shutil.copytree(root / "index", config.data_dir / "bot1", dirs_exist_ok=True)
        async with FakeTelegram(strict_chats=False) as fake:
            for number in range(2 * starts):
                snapshot = number % 2 == 0
                if not snapshot:
                    shutil.rmtree(config.data_dir / "bot1" / "retrieval-snapshot")
                floor = await asyncio.to_thread(aiogram_import_seconds)
                started = time.perf_counter()
                instance = start_instance(config, fake, "bot1")
                try:
                    await wait_healthy(instance)
                    ready = time.perf_counter() - started
                finally:
                    await stop_instance(instance)
                line = _ready_line(instance.log_path)
                runs.append(StartupRun(snapshot, ready, line, floor, os.getloadavg()[0]))
    finally:
        await _drop_database(postgres_admin_url, database_url)
        await _delete_prefix(redis_url, prefix)
        shutil.rmtree(root, ignore_errors=True)
    return runs


def summary(runs: list[StartupRun]) -> str:
    """Medians with and without the snapshot, and their ratio (same run, same machine)."""
    import statistics

    with_snapshot = [run.ready_seconds for run in runs if run.snapshot]
    without = [run.ready_seconds for run in runs if not run.snapshot]
    if not with_snapshot or not without:
        return ""
    best, former = statistics.median(with_snapshot), statistics.median(without)
    floor = statistics.median(run.floor_seconds for run in runs)
    return (
        f"ready (median): {best:.1f} s with the snapshot, {former:.1f} s without "
        f"(= {best / former:.2f} of it); bare `import aiogram` {floor:.1f} s "
        f"(ready = {best / floor:.2f}x that floor)"
    )
