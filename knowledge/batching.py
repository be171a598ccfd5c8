"""Micro-batching of question encodings: questions asked at about the same time are encoded
together.

Encoding one question costs the e5 model ~20-25 ms of a core; encoding four to eight questions
of the evaluation sets together costs 7-10% less CPU a question (the matrix products run fuller;
padding the shorter questions to the longest eats part of the gain, hence at most 8 a batch).
Each caller (a thread answering one question: the engine answers in worker threads, so the
event loop never waits) hands its texts to :class:`QueryBatcher` and blocks until its own
vectors come back. One encoding thread per model replica takes whatever is
waiting: the first request, plus any that arrive within ``window_seconds`` (a couple of
milliseconds), up to ``max_batch`` texts. An idle bot therefore adds at most the window to a
question; a busy one batches by itself, since requests pile up while every replica is encoding.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge.embeddings import Embedder, Vectors

DEFAULT_WINDOW_SECONDS = 0.002
DEFAULT_MAX_BATCH = 8


@dataclass
class _Request:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    vectors: Vectors | None = None
    error: BaseException | None = None


class QueryBatcher:
    """Encodes texts from many threads in shared batches; each caller gets its own rows back,
    in its order, or the error the batch raised."""

    def __init__(
        self,
        encode: Callable[[Sequence[str]], Vectors],
        *,
        workers: int = 1,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        self._encode = encode
        self._workers = max(1, workers)
        self._window = max(0.0, window_seconds)
        self._max_batch = max(1, max_batch)
        # queue.Queue, not SimpleQueue: on CPython 3.11 a SimpleQueue.get(timeout=...) that
        # loses its item to another consumer retries with a negative timeout, which means "wait
        # forever"; the batch it holds then waits for the next question to arrive, and in a quiet
        # hour that is nobody's (tests/knowledge/test_embedding_batches.py reproduces it).
        self._queue: queue.Queue[_Request] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self.batches = 0  # batches encoded, for tests and benchmarks
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Block until ``texts`` are encoded (with whatever else was waiting)."""
        request = _Request(list(texts))
        if not request.texts:
            return self._encode([])
        self._start_workers()
        self._queue.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def _start_workers(self) -> None:
        if len(self._threads) == self._workers:
            return
        with self._start_lock:
            while len(self._threads) < self._workers:
                thread = threading.Thread(
                    target=self._work, name=f"query-batcher-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _collect(self) -> list[_Request]:
        """The first waiting request and those arriving within the window, up to max_batch."""
        batch = [self._queue.get()]
        count = len(batch[0].texts)
        deadline = time.monotonic() + self._window
        while count < self._max_batch:
            remaining = deadline - time.monotonic()
            try:
                if remaining > 0:
                    request = self._queue.get(timeout=remaining)
                else:
                    request = self._queue.get_nowait()
            except queue.Empty:
                break
            batch.append(request)
            count += len(request.texts)
        return batch

    def _work(self) -> None:
        while True:
            batch = self._collect()
            texts = [text for request in batch for text in request.texts]
            try:
                vectors = np.asarray(self._encode(texts), dtype=np.float32)
                if len(vectors) != len(texts):
                    raise RuntimeError(f"encoder returned {len(vectors)} rows for {len(texts)}")
            except BaseException as error:  # handed to every caller of the batch
                for request in batch:
                    request.error = error
                    request.done.set()
                continue
            self.batches += 1
            self.texts += len(texts)
            start = 0
            for request in batch:
                end = start + len(request.texts)
                request.vectors = vectors[start:end]
                start = end
                request.done.set()


class BatchingEmbedder:
    """An embedder whose question encodings go through a :class:`QueryBatcher`; passages
    (indexing, already in large batches) go straight to the wrapped embedder."""

    def __init__(
        self,
        inner: Embedder,
        *,
        workers: int = 1,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        self._inner = inner
        self.batcher = QueryBatcher(
            inner.embed_queries,
            workers=workers,
            window_seconds=window_seconds,
            max_batch=max_batch,
        )

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.batcher.embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._inner.embed_passages(texts)
