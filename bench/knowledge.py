"""Speed and memory benchmark (issue 2 §10): answer latency at sample size and at 20k+ chunks,
indexing throughput, resident memory. Synthetic chunks exist only inside the benchmark's own
temporary index; nothing here runs in the bot.
"""

from __future__ import annotations

import csv
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge.chunking import Chunk, chunk_id
from knowledge.config import KnowledgeConfig
from knowledge.embeddings import Embedder
from knowledge.engine import KnowledgeEngine, build_engine
from knowledge.index import ChunkStore, make_chroma_client

SAMPLE_QUESTIONS = (
    "How long does a licence last?",
    "Who is eligible for a Coursera licence?",
    "How do I get my certificate?",
    "license kab khatam hota hai?",
    "certificate kaise milega?",
    "لائسنس کی مدت کتنی ہے؟",
    "What happens if I am inactive for a month?",
    "How do I contact the helpdesk?",
    "What is the weather in Lahore tomorrow?",
    "Can I get academic credit for a course?",
)


@dataclass(frozen=True)
class BenchResult:
    chunks: int
    p50_ms: float
    p95_ms: float
    index_chunks_per_s: float
    rss_mb: float


def process_memory_mb(field: str, pid: int | str = "self") -> float | None:
    """A memory line of a process's Linux /proc status (VmRSS: now, VmHWM: its peak), in MB;
    None where there is no such process or no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _rss_mb() -> float:
    """Current resident set size, falling back to the peak where /proc is missing."""
    current = process_memory_mb("VmRSS")
    if current is not None:
        return current
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _latencies(engine: KnowledgeEngine, questions: Sequence[str], rounds: int) -> list[float]:
    engine.answer_sync(questions[0])  # warm-up: model, BM25, chroma caches
    timings: list[float] = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            engine.answer_sync(question)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


def synthetic_chunks(csv_path: Path, count: int) -> list[Chunk]:
    """Chunks made from course descriptions (cycled until ``count``), for load testing only."""
    rows: list[tuple[str, str]] = []
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("course_description") or row.get("course_summary") or "").strip()
            if text:
                rows.append((row.get("course_title") or "Course", text))
    chunks: list[Chunk] = []
    i = 0
    while len(chunks) < count and rows:
        title, text = rows[i % len(rows)]
        start = (i // len(rows)) * 200 % max(len(text) - 200, 1)
        body = text[start : start + 700] or text[:700]
        source = f"synthetic/course-{i % len(rows)}.md"
        section = f"Part {i // len(rows)}"
        chunks.append(
            Chunk(
                id=chunk_id("bench", source, section, 0),
                text=body,
                title=title,
                section=section,
                source=source,
                root="bench",
                content_hash="synthetic",
                ordinal=0,
            )
        )
        i += 1
    return chunks


class _CourseVectorEmbedder:
    """Embeds one window of each synthetic course for real and reuses it for its other windows.

    Embedding 20,000 passages with the CPU model takes hours on two cores; what the grown index
    must reproduce is its size (vectors scored and BM25 postings per question), which this keeps.
    Indexing throughput is reported from the passages that were really embedded.
    """

    def __init__(self, inner: Embedder, course_of: dict[str, int]) -> None:
        self._inner = inner
        self._course_of = course_of
        self._vectors: dict[int, npt.NDArray[np.float32]] = {}
        self.embedded = 0
        self.seconds = 0.0

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    def embed_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        missing = sorted({self._course_of[t] for t in texts} - self._vectors.keys())
        firsts = {self._course_of[t]: t for t in reversed(texts)}
        if missing:
            started = time.perf_counter()
            vectors = self._inner.embed_passages([firsts[course] for course in missing])
            self.seconds += time.perf_counter() - started
            self.embedded += len(missing)
            self._vectors.update(zip(missing, vectors, strict=True))
        return np.vstack([self._vectors[self._course_of[t]] for t in texts])


def run_benchmark(
    kb_path: Path,
    courses_csv: Path,
    *,
    target_chunks: int = 20_000,
    rounds: int = 5,
    log: Callable[[str], None] = print,
    data_dir: Path | None = None,
) -> dict[str, BenchResult]:
    """Measure at sample size, then grow the index to ``target_chunks`` and measure again.

    The index is built in ``data_dir`` when given (and left there for the caller), otherwise in
    a temporary directory."""
    results: dict[str, BenchResult] = {}
    with tempfile.TemporaryDirectory(prefix="hecbot-bench-") as tmp:
        # No query-vector cache: the rounds repeat the same questions, and what is measured is
        # the cost of a question never seen before (the cache only makes repeats cheaper).
        engine = build_engine(KnowledgeConfig(data_dir=data_dir or Path(tmp), query_cache_size=0))
        report = engine.index_paths([kb_path])
        rate = report.chunks_written / report.seconds if report.seconds else 0.0
        p50, p95 = _percentiles(_latencies(engine, SAMPLE_QUESTIONS, rounds))
        results["sample"] = BenchResult(engine.stats().chunks, p50, p95, rate, _rss_mb())
        log(f"sample: {results['sample']}")
        if target_chunks <= results["sample"].chunks:
            return results

        extra = synthetic_chunks(courses_csv, max(target_chunks - engine.stats().chunks, 0))
        course_of = {chunk.search_text: int(chunk.source.split("-")[-1][:-3]) for chunk in extra}
        grower = _CourseVectorEmbedder(engine.store.embedder, course_of)
        grown_store = ChunkStore(
            make_chroma_client(engine.config.chroma_path, None),
            grower,
            engine.config.collection,
            str(engine.config.chroma_path),
        )
        grown_store.add_chunks(extra)
        grow_rate = grower.embedded / grower.seconds if grower.seconds else 0.0
        log(f"embedded {grower.embedded} distinct passages for {len(extra)} extra chunks")
        engine.reload()
        p50, p95 = _percentiles(_latencies(engine, SAMPLE_QUESTIONS, rounds))
        results["grown"] = BenchResult(engine.stats().chunks, p50, p95, grow_rate, _rss_mb())
        log(f"grown: {results['grown']}")
    return results


def to_markdown(results: dict[str, BenchResult]) -> str:
    lines = [
        "| index | chunks | p50 ms | p95 ms | indexing chunks/s | RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r.chunks} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | "
            f"{r.index_chunks_per_s:.0f} | {r.rss_mb:.0f} |"
        )
    return "\n".join(lines) + "\n"
