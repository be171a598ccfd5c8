"""The knowledge engine facade: one object that indexes, retrieves and answers.

Built once by :func:`build_engine` from a :class:`KnowledgeConfig`; heavy parts (the embedding
model, the chroma client, the BM25 index) load lazily on first use and are reused.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from knowledge.answering import (
    ABSTAIN_TEXT,
    Answer,
    Evidence,
    ExtractiveAnswerer,
    judge_evidence,
)
from knowledge.batching import BatchingEmbedder
from knowledge.config import EMBEDDING_SEEDS_DIR, KnowledgeConfig
from knowledge.embeddings import CachedEmbedder, Embedder, make_embedder
from knowledge.language import known_name_stems, normalise_query, with_known_names
from knowledge.retrieval import HybridRetriever, RetrievalMode
from knowledge.snapshot import capture, chroma_stamp, read_snapshot, write_snapshot
from knowledge.sources import ChunkSource

if TYPE_CHECKING:
    # Imported where used: Chroma (index), langchain (llm) and the document loaders cost a
    # second or more of start-up, and answering from the snapshot needs none of them.
    from knowledge.index import ChunkStore, IndexReport, IndexStats, ProgressCallback, SourceInfo
    from knowledge.llm import LLMAnswerer

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True)
class Health:
    ok: bool
    chunks: int
    embedder: str
    detail: str
    # Answering works, from the in-memory index, but the index server is unreachable.
    degraded: bool = False


class KnowledgeEngine:
    """Indexing, retrieval and answering over one chroma collection."""

    def __init__(self, config: KnowledgeConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self._embedder = embedder
        self._store: ChunkStore | None = None
        self._retriever: HybridRetriever | None = None
        self._llm: LLMAnswerer | None = None
        self._known_names: frozenset[str] = frozenset()
        self._lock = threading.RLock()
        # Questions are answered in threads of the engine's own (the event loop never waits
        # for the CPU work), enough of them that questions asked together are encoded together.
        self._answer_threads: ThreadPoolExecutor | None = None

    # -- lazy construction ---------------------------------------------------------------------
    def _make_embedder(self) -> Embedder:
        """The configured embedder behind a passage cache seeded with the bundled KB's vectors."""
        inner = make_embedder(
            self.config.embedder, self.config.embed_threads, self.config.embed_replicas
        )
        if self.config.query_batch_ms > 0:
            # One encoding thread per model replica, each taking the questions waiting.
            inner = BatchingEmbedder(
                inner,
                workers=self.config.embed_replicas,
                window_seconds=self.config.query_batch_ms / 1000,
            )
        file_name = f"{inner.name}.npz"
        return CachedEmbedder(
            inner,
            self.config.data_dir / "embedding-cache" / file_name,
            seeds=[EMBEDDING_SEEDS_DIR / file_name],
            query_cache_size=self.config.query_cache_size,
        )

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._make_embedder()
            return self._embedder

    @property
    def store(self) -> ChunkStore:
        from knowledge.index import ChunkStore, make_chroma_client

        with self._lock:
            if self._store is None:
                client = make_chroma_client(self.config.chroma_path, self.config.chroma_url)
                location = self.config.chroma_url or str(self.config.chroma_path)
                self._store = ChunkStore(client, self.embedder, self.config.collection, location)
            return self._store

    @property
    def retriever(self) -> HybridRetriever:
        with self._lock:
            if self._retriever is None:
                retriever = HybridRetriever(self._retrieval_source(), self.config.thresholds)
                retriever.load()
                self._retriever = retriever
            return self._retriever

    @property
    def _snapshot_dir(self) -> Path:
        return self.config.data_dir / "retrieval-snapshot"

    def _retrieval_source(self) -> ChunkSource:
        """What the retriever loads: the snapshot of a local index when it is current (no
        Chroma import at all), else the store itself, snapshotted on the way."""
        if self.config.chroma_url:
            return self.store
        stamp = chroma_stamp(self.config.chroma_path, self.config.collection)
        snapshot = read_snapshot(self._snapshot_dir, self.config.collection, self.embedder, stamp)
        if snapshot is not None:
            return snapshot
        return self._refresh_snapshot()

    def _refresh_snapshot(self) -> ChunkSource:
        """Read the local store once and keep a snapshot of it for the next start."""
        store = self.store
        captured = capture(store)
        stamp = chroma_stamp(self.config.chroma_path, self.config.collection)
        if stamp is not None and stamp.get("vectors") == len(captured.chunks):
            try:
                write_snapshot(self._snapshot_dir, self.config.collection, captured, stamp)
            except OSError as error:  # a read-only data dir: answer anyway, from Chroma
                log.warning("could not write the retrieval snapshot: %s", error)
        return captured

    def reload(self) -> None:
        """Forget the in-memory indexes; the next question rebuilds them from the store."""
        self._invalidate()

    def _invalidate(self) -> None:
        with self._lock:
            self._retriever = None

    def _llm_answerer(self) -> LLMAnswerer | None:
        if not self.config.llm.provider:
            return None
        if self._llm is None:
            from knowledge.llm import LLMAnswerer, make_chat_model

            self._llm = LLMAnswerer(
                make_chat_model(self.config.llm),
                ExtractiveAnswerer(self.retriever, self.config.max_answer_chars),
                self.config.llm.timeout_s,
            )
        return self._llm

    # -- indexing ------------------------------------------------------------------------------
    def index_paths(
        self,
        paths: Sequence[Path],
        *,
        progress: ProgressCallback | None = None,
        rebuild: bool = False,
    ) -> IndexReport:
        """Index files/folders incrementally (``rebuild`` first drops the whole index)."""
        from knowledge.index import index_paths

        if rebuild:
            self.reset()
        report = index_paths(self.store, list(paths), progress=progress)
        if report.changed:
            self._invalidate()
        self._ensure_snapshot()
        return report

    def _ensure_snapshot(self) -> None:
        """After a write: snapshot the local index now, so the next process (a bot start, a
        `hecbot ask`) reads it without opening Chroma."""
        if self.config.chroma_url:
            return
        stamp = chroma_stamp(self.config.chroma_path, self.config.collection)
        if read_snapshot(self._snapshot_dir, self.config.collection, self.embedder, stamp) is None:
            self._refresh_snapshot()

    def reset(self) -> None:
        """Drop the index, including one built with another embedder."""
        from knowledge.index import make_chroma_client

        client = make_chroma_client(self.config.chroma_path, self.config.chroma_url)
        existing = {getattr(c, "name", c) for c in client.list_collections()}
        if self.config.collection in existing:
            client.delete_collection(self.config.collection)
        with self._lock:
            self._store = None
            self._retriever = None

    def ensure_index(self, default_paths: Sequence[Path]) -> IndexReport:
        """Build or refresh the bundled knowledge base (unchanged files cost only a hash)."""
        return self.index_paths(default_paths)

    def list_sources(self) -> list[SourceInfo]:
        return self.store.sources()

    def stats(self) -> IndexStats:
        return self.store.stats(None if self.config.chroma_url else self.config.chroma_path)

    def remove_source(self, source: str) -> list[str]:
        from knowledge.index import remove_source

        removed = remove_source(self.store, source)
        if removed:
            self._invalidate()
            self._ensure_snapshot()
        return removed

    def health(self) -> Health:
        retriever = self._retriever
        if retriever is not None and not self.config.chroma_url:
            # Loaded from a local index (or its snapshot): what answers is in memory.
            count = retriever.chunk_count
            detail = "ready" if count else "index is empty: run `hecbot kb index`"
            return Health(count > 0, count, self.embedder.name, detail)
        try:
            count = self.store.count()
        except Exception as exc:  # report, never raise, from a health probe
            problem = f"{type(exc).__name__}: {exc}"
            if retriever is not None and retriever.chunk_count:
                # The Chroma server is down, but the index loaded from it answers from memory.
                return Health(
                    True,
                    retriever.chunk_count,
                    self.embedder.name,
                    f"answering from memory; index server unreachable: {problem}",
                    degraded=True,
                )
            return Health(False, 0, self.config.embedder, problem)
        detail = "ready" if count else "index is empty: run `hecbot kb index`"
        return Health(count > 0, count, self.store.embedder.name, detail)

    # -- answering -----------------------------------------------------------------------------
    def set_known_names(self, names: Iterable[str]) -> None:
        """Names of the programme's universities and places (the bot's registry): a question
        naming one is not asking about something the rules leave out."""
        self._known_names = known_name_stems(names)

    def gather_evidence(
        self, question: str, mode: RetrievalMode = RetrievalMode.HYBRID
    ) -> Evidence:
        query = with_known_names(normalise_query(question[:MAX_QUESTION_CHARS]), self._known_names)
        passages = self.retriever.retrieve(query, top_k=self.config.top_k, mode=mode)
        return judge_evidence(query, passages, self.retriever, self.config.thresholds)

    def answer_sync(self, question: str, mode: RetrievalMode = RetrievalMode.HYBRID) -> Answer:
        """Answer with the extractive answerer (no LLM), blocking."""
        return self.answer_with_evidence(question, mode)[0]

    def answer_with_evidence(
        self, question: str, mode: RetrievalMode = RetrievalMode.HYBRID
    ) -> tuple[Answer, Evidence | None]:
        """The extractive answer and the retrieval evidence behind it (for evaluation)."""
        started = time.perf_counter()
        question = question.strip()
        if not question:
            return Answer(question, "Please type a question.", True), None
        evidence = self.gather_evidence(question, mode)
        return self._extractive_answer(evidence, started), evidence

    def _extractive_answer(self, evidence: Evidence, started: float) -> Answer:
        query = evidence.query
        if not evidence.answerable:
            return Answer(
                query.original,
                ABSTAIN_TEXT,
                True,
                [],
                (time.perf_counter() - started) * 1000,
                query.language.value,
            )
        text, citations = ExtractiveAnswerer(self.retriever, self.config.max_answer_chars).compose(
            evidence
        )
        return Answer(
            query.original,
            text,
            False,
            citations,
            (time.perf_counter() - started) * 1000,
            query.language.value,
        )

    async def ask(self, question: str) -> Answer:
        """Answer a question without blocking the event loop (CPU work runs in a thread)."""
        return (await self.ask_with_evidence(question))[0]

    async def ask_with_evidence(self, question: str) -> tuple[Answer, Evidence | None]:
        """The answer the bot gives (the LLM's when one is configured) and the evidence."""
        started = time.perf_counter()
        question = question.strip()
        if not question:
            return Answer(question, "Please type a question.", True), None
        evidence = await self._in_answer_thread(self.gather_evidence, question)
        llm = self._llm_answerer() if evidence.answerable else None
        if llm is None:
            return self._extractive_answer(evidence, started), evidence
        from knowledge.llm import LLMOutcome

        reply = await llm.compose(evidence)
        if reply.outcome is LLMOutcome.NOT_IN_SOURCES:
            declined = Evidence(evidence.query, evidence.passages, False, "LLM: not in sources")
            return self._extractive_answer(declined, started), declined
        answer = Answer(
            question,
            reply.text,
            False,
            reply.citations,
            (time.perf_counter() - started) * 1000,
            evidence.query.language.value,
        )
        return answer, evidence

    async def _in_answer_thread(self, work: Callable[..., T], *args: Any) -> T:
        with self._lock:
            if self._answer_threads is None:
                self._answer_threads = ThreadPoolExecutor(
                    max(1, self.config.answer_threads), thread_name_prefix="answer"
                )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._answer_threads, functools.partial(work, *args))

    async def warm_up(self) -> None:
        """Load the model and indexes ahead of the first question."""
        await asyncio.to_thread(lambda: self.retriever)


def build_engine(config: KnowledgeConfig, **overrides: Any) -> KnowledgeEngine:
    """Factory used by the app, the CLI and tests."""
    return KnowledgeEngine(config, **overrides)
