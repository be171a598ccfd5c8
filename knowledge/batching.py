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

`QueryBatcher.close` ends the encoding threads (the engine's `close` calls it at shutdown):
questions still waiting get `EngineClosedError` rather than waiting for a thread that is gone.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge.embeddings import Embedder, Vectors
from knowledge.errors import EngineClosedError

DEFAULT_WINDOW_SECONDS = 0.002
DEFAULT_MAX_BATCH = 8
# How long `close` waits for a thread to finish the batch it is encoding.
CLOSE_WAIT_SECONDS = 5.0


class _Stop:
    """Put in the queue by `close`: the thread that takes it puts it back (so every thread
    sees it) and ends."""


_STOP = _Stop()


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
        self._queue: queue.Queue[_Request | _Stop] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._closed = False
        self.batches = 0  # batches encoded, for tests and benchmarks
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Block until ``texts`` are encoded (with whatever else was waiting)."""
        request = _Request(list(texts))
        if not request.texts:
            return self._encode([])
        with self._start_lock:  # no request enters the queue after `close` emptied it
            if self._closed:
                raise EngineClosedError("the question encoder was shut down")
            self._start_workers()
            self._queue.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def close(self) -> None:
        """End the encoding threads; idempotent. A batch being encoded is finished and handed
        back; requests still queued fail with `EngineClosedError`, and so does every later
        `embed`."""
        with self._start_lock:
            if self._closed:
                return
            self._closed = True
            waiting: list[_Request] = []
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, _Request):
                    waiting.append(item)
            self._queue.put(_STOP)
        for request in waiting:
            request.error = EngineClosedError("the question encoder was shut down")
            request.done.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(CLOSE_WAIT_SECONDS)

    def _start_workers(self) -> None:
        """The encoding threads, started by the first question (with `_start_lock` held)."""
        while len(self._threads) < self._workers:
            thread = threading.Thread(
                target=self._work, name=f"query-batcher-{len(self._threads)}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _collect(self) -> list[_Request]:
        """The first waiting request and those arriving within the window, up to max_batch;
        empty once the batcher is closed."""
        first = self._queue.get()
        if isinstance(first, _Stop):
            self._queue.put(first)
            return []
        batch = [first]
        count = len(first.texts)
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
            if isinstance(request, _Stop):
                self._queue.put(request)  # this batch first; the next `_collect` ends
                break
            batch.append(request)
            count += len(request.texts)
        return batch

    def _work(self) -> None:
        while batch := self._collect():
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

    def close(self) -> None:
        """End the question-encoding threads (`QueryBatcher.close`)."""
        self.batcher.close()
