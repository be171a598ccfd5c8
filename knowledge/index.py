"""The chromadb-backed store of chunks, and incremental indexing of files and folders."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
import numpy.typing as npt
from chromadb.config import Settings

from knowledge.chroma_function import HecbotEmbeddingFunction
from knowledge.chunking import Chunk, content_hash, split_document
from knowledge.embeddings import Embedder
from knowledge.errors import (
    DocumentLoadError,
    EmbedderMismatchError,
    IndexUnavailableError,
    KnowledgeError,
)
from knowledge.loaders import iter_document_files, load_document

_WRITE_BATCH = 256
# Chunks of consecutive files embedded in one call (`ChunkStore.embed_ahead`): enough for every
# model replica to have batches of its own, few enough to keep the progress bar moving.
_EMBED_TOGETHER = 128
# The content hash chunks carry while their file is being stored: a file is recorded as indexed
# (and skipped by the next run) only once every chunk carries the file's real hash.
PENDING_HASH = ""
_READ_BATCH = 2000


@dataclass(frozen=True)
class IndexProgress:
    """Reported after each file: how many of ``total`` files are done."""

    done: int
    total: int
    source: str


@dataclass
class IndexReport:
    """What an indexing run did, file by file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Not failures: e.g. a folder with no file that can be indexed.
    warnings: list[str] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


@dataclass(frozen=True)
class SourceInfo:
    source: str
    title: str
    chunks: int
    root: str
    effective_date: str | None


@dataclass(frozen=True)
class IndexStats:
    documents: int
    chunks: int
    embedder: str
    size_bytes: int | None
    location: str


ProgressCallback = Callable[[IndexProgress], None]


def make_chroma_client(chroma_path: Path, chroma_url: str | None) -> Any:
    """An embedded PersistentClient, or an HttpClient when a server URL is configured."""
    settings = Settings(anonymized_telemetry=False)
    try:
        if chroma_url:
            parsed = urlparse(chroma_url)
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(chroma_path), settings=settings)
    except Exception as exc:  # chroma raises plain Exception/ValueError on connection failures
        where = chroma_url or str(chroma_path)
        raise IndexUnavailableError(f"Cannot open the Chroma index at {where}: {exc}") from exc


class ChunkStore:
    """Chunks with their embeddings in one chroma collection, stamped with the embedder name."""

    def __init__(
        self, client: Any, embedder: Embedder, collection: str, location: str = ""
    ) -> None:
        self._client = client
        self._embedder = embedder
        self._location = location
        self._collection_name = collection
        self._function = HecbotEmbeddingFunction(embedder)
        self._collection = self._open_collection()
        # Vectors computed ahead for chunks about to be stored (`embed_ahead`), by search text.
        self._ahead: dict[str, npt.NDArray[np.float32]] = {}

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def _open_collection(self) -> Any:
        existing = {getattr(item, "name", item) for item in self._client.list_collections()}
        if self._collection_name in existing:
            collection = self._client.get_collection(
                self._collection_name, embedding_function=self._function
            )
            built_with = (collection.metadata or {}).get("embedder")
            if built_with != self._embedder.name:
                raise EmbedderMismatchError(str(built_with), self._embedder.name)
            return collection
        return self._client.create_collection(
            self._collection_name,
            embedding_function=self._function,
            metadata={"embedder": self._embedder.name, "dim": self._embedder.dim},
            configuration={"hnsw": {"space": "cosine"}},
        )

    def reset(self) -> None:
        """Drop everything (used to rebuild with another embedder)."""
        existing = {getattr(item, "name", item) for item in self._client.list_collections()}
        if self._collection_name in existing:
            self._client.delete_collection(self._collection_name)
        self._collection = self._open_collection()

    # -- writing -----------------------------------------------------------------------------
    def embed_ahead(self, chunks: Sequence[Chunk]) -> None:
        """Embed the chunks of several files in one call, to be stored by `add_chunks`.

        Files are stored one by one (a file is recorded only once all its chunks are), but a
        file has a handful of chunks: embedded file by file, the model replicas would mostly
        wait for each other. Embedded together, every replica has work. If embedding fails
        here, nothing is kept and each file embeds (and fails or succeeds) on its own.
        """
        texts = list(dict.fromkeys(chunk.search_text for chunk in chunks))
        if not texts:
            return
        try:
            vectors = self._embedder.embed_passages(texts)
        except Exception:  # the files' own attempts report it, each in its place
            return
        self._ahead = dict(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

    def _vectors_for(self, texts: list[str]) -> npt.NDArray[np.float32]:
        missing = [text for text in texts if text not in self._ahead]
        if missing:
            computed = np.asarray(self._embedder.embed_passages(missing), dtype=np.float32)
            self._ahead.update(zip(missing, computed, strict=True))
        vectors = np.stack([self._ahead[text] for text in texts])
        for text in texts:
            self._ahead.pop(text, None)
        return vectors

    def add_chunks(self, chunks: Sequence[Chunk]) -> None:
        for start in range(0, len(chunks), _WRITE_BATCH):
            batch = chunks[start : start + _WRITE_BATCH]
            vectors = self._vectors_for([chunk.search_text for chunk in batch])
            self._collection.upsert(
                ids=[chunk.id for chunk in batch],
                documents=[chunk.text for chunk in batch],
                metadatas=[chunk.metadata() for chunk in batch],
                embeddings=vectors,
            )

    def record_hash(self, chunks: Sequence[Chunk], file_hash: str) -> None:
        """Mark stored chunks (written with ``PENDING_HASH``) as belonging to ``file_hash``."""
        for start in range(0, len(chunks), _WRITE_BATCH):
            batch = chunks[start : start + _WRITE_BATCH]
            self._collection.update(
                ids=[chunk.id for chunk in batch],
                metadatas=[
                    dataclasses.replace(chunk, content_hash=file_hash).metadata() for chunk in batch
                ],
            )

    def delete_source(self, root: str, source: str) -> int:
        found = self._collection.get(where={"$and": [{"root": root}, {"source": source}]})
        ids = list(found["ids"])
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    # -- reading -----------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._collection.count())

    def iter_metadata(self) -> Iterable[tuple[str, dict[str, Any]]]:
        total = self.count()
        for offset in range(0, total, _READ_BATCH):
            page = self._collection.get(include=["metadatas"], limit=_READ_BATCH, offset=offset)
            yield from zip(page["ids"], page["metadatas"], strict=True)

    def all_chunks(self) -> list[Chunk]:
        chunks: list[Chunk] = []
        total = self.count()
        for offset in range(0, total, _READ_BATCH):
            page = self._collection.get(
                include=["documents", "metadatas"], limit=_READ_BATCH, offset=offset
            )
            for chunk_id, text, meta in zip(
                page["ids"], page["documents"], page["metadatas"], strict=True
            ):
                chunks.append(Chunk.from_store(chunk_id, text or "", dict(meta or {})))
        return chunks

    def vector_pages(self) -> Iterator[tuple[list[str], npt.NDArray[np.float32]]]:
        """Every chunk's stored embedding, a page of (ids, vectors) at a time: retrieval copies
        them into one matrix, and a page of float32 rows costs far less than the same vectors
        as Python floats all at once (about 250 MB at 20,000 chunks)."""
        total = self.count()
        for offset in range(0, total, _READ_BATCH):
            page = self._collection.get(include=["embeddings"], limit=_READ_BATCH, offset=offset)
            embeddings = page["embeddings"]
            if embeddings is None or not len(embeddings):
                continue
            yield list(page["ids"]), np.asarray(embeddings, dtype=np.float32)

    def sources(self) -> list[SourceInfo]:
        grouped: dict[tuple[str, str], dict[str, Any]] = {}
        for _, meta in self.iter_metadata():
            key = (str(meta.get("root", "")), str(meta.get("source", "")))
            entry = grouped.setdefault(
                key,
                {"title": meta.get("title", ""), "chunks": 0, "date": meta.get("effective_date")},
            )
            entry["chunks"] += 1
        return sorted(
            (
                SourceInfo(
                    source=source,
                    title=str(entry["title"]),
                    chunks=int(entry["chunks"]),
                    root=root,
                    effective_date=str(entry["date"]) if entry["date"] else None,
                )
                for (root, source), entry in grouped.items()
            ),
            key=lambda info: (info.root, info.source),
        )

    def file_hashes(self, root: str) -> dict[str, str]:
        """Source -> recorded content hash; ``PENDING_HASH`` for a file stored only in part."""
        hashes: dict[str, str] = {}
        for _, meta in self.iter_metadata():
            if meta.get("root") == root:
                source, file_hash = str(meta.get("source")), str(meta.get("content_hash"))
                if hashes.setdefault(source, file_hash) != file_hash:
                    hashes[source] = PENDING_HASH
        return hashes

    def stats(self, size_path: Path | None) -> IndexStats:
        size = None
        if size_path is not None and size_path.exists():
            size = sum(p.stat().st_size for p in size_path.rglob("*") if p.is_file())
        return IndexStats(
            documents=len(self.sources()),
            chunks=self.count(),
            embedder=self._embedder.name,
            size_bytes=size,
            location=self._location,
        )


def _root_key(root: Path) -> str:
    return str(root.resolve())


def _source_name(path: Path, root: Path) -> str:
    if root.is_dir():
        return path.relative_to(root).as_posix()
    return path.name


def index_paths(
    store: ChunkStore,
    paths: Sequence[Path],
    *,
    progress: ProgressCallback | None = None,
    max_file_bytes: int | None = None,
) -> IndexReport:
    """Index files/folders incrementally: skip unchanged files, replace changed, drop deleted.

    Deletions are judged per indexed root: a file once indexed under a folder and now gone from
    it is removed. Files that cannot be loaded, are larger than ``max_file_bytes`` or fail to be
    stored are reported in ``failed`` and skipped. A file's hash is recorded only after all its
    chunks are stored, so a run interrupted half-way through a file indexes it again next time.
    """
    started = time.perf_counter()
    report = IndexReport()
    plan: list[tuple[Path, Path]] = []
    for root in paths:
        root_key = _root_key(root)
        if not root.exists():
            # A vanished file root drops its chunks; a mistyped folder is reported.
            known = store.file_hashes(root_key)
            if known:
                for source in known:
                    store.delete_source(root_key, source)
                    report.removed.append(source)
            else:
                report.failed.append((str(root), "no such file or folder"))
            continue
        files = list(iter_document_files(root))
        if not files:
            report.warnings.append(
                f"{root}: nothing to index (no Markdown, text, HTML, PDF or DOCX files)"
            )
        present = {_source_name(path, root) for path in files}
        for source in store.file_hashes(root_key):
            if source not in present:
                store.delete_source(root_key, source)
                report.removed.append(source)
        plan.extend((root, path) for path in files)

    hashes_by_root: dict[str, dict[str, str]] = {}
    # Files read and split, waiting to be embedded together and then stored one by one.
    waiting: list[_ReadFile] = []

    def store_waiting() -> None:
        store.embed_ahead([chunk for item in waiting for chunk in item.chunks])
        for item in waiting:
            _store_read_file(store, item, report)
            if progress is not None:
                progress(IndexProgress(done=item.done, total=len(plan), source=item.source))
        waiting.clear()

    for done, (root, path) in enumerate(plan, start=1):
        root_key = _root_key(root)
        source = _source_name(path, root)
        known = hashes_by_root.setdefault(root_key, store.file_hashes(root_key))
        item = _ReadFile(done=done, root_key=root_key, source=source, replacing=source in known)
        try:
            size = path.stat().st_size
            if max_file_bytes is not None and size > max_file_bytes:
                raise DocumentLoadError(
                    str(path),
                    f"{_megabytes(size)} is over the size limit of {_megabytes(max_file_bytes)}"
                    " (KNOWLEDGE_MAX_FILE_MB)",
                )
            data = path.read_bytes()
            item.file_hash = content_hash(data)
            if known.get(source) == item.file_hash:
                item.unchanged = True
            else:
                document = load_document(path)
                item.chunks = split_document(
                    document, source=source, root=root_key, file_hash=PENDING_HASH
                )
                if not item.chunks:
                    raise DocumentLoadError(str(path), "no text to index")
        except DocumentLoadError as exc:
            item.failure = exc.reason
        except OSError as exc:
            item.failure = f"unreadable ({exc.strerror or exc})"
        waiting.append(item)
        if sum(len(entry.chunks) for entry in waiting) >= _EMBED_TOGETHER:
            store_waiting()
    store_waiting()
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _ReadFile:
    """A file of an indexing run, read and split, before its chunks are stored."""

    done: int  # its place in the run, for progress
    root_key: str
    source: str
    replacing: bool  # an earlier version is in the index
    file_hash: str = ""
    chunks: list[Chunk] = field(default_factory=list)
    unchanged: bool = False
    failure: str | None = None


def _store_read_file(store: ChunkStore, item: _ReadFile, report: IndexReport) -> None:
    if item.failure is not None:
        report.failed.append((item.source, item.failure))
        return
    if item.unchanged:
        report.unchanged.append(item.source)
        return
    try:
        if item.replacing:
            store.delete_source(item.root_key, item.source)
        _store_file(store, item.chunks, item.file_hash)
    except DocumentLoadError as exc:
        report.failed.append((item.source, exc.reason))
        return
    except OSError as exc:
        report.failed.append((item.source, f"unreadable ({exc.strerror or exc})"))
        return
    (report.replaced if item.replacing else report.added).append(item.source)
    report.chunks_written += len(item.chunks)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def _store_file(store: ChunkStore, chunks: Sequence[Chunk], file_hash: str) -> None:
    """Store a file's chunks, then record its hash; on failure remove what was written."""
    try:
        store.add_chunks(chunks)
        store.record_hash(chunks, file_hash)
    except KnowledgeError:
        raise
    except Exception as exc:  # the embedder or chroma: the file fails, the run goes on
        root, source = chunks[0].root, chunks[0].source
        # If even this fails, its chunks stay pending and the next run replaces them.
        with contextlib.suppress(Exception):
            store.delete_source(root, source)
        raise DocumentLoadError(source, f"storing its chunks failed ({exc})") from exc


def remove_source(store: ChunkStore, source: str) -> list[str]:
    """Remove a document by its indexed source name, or by its path on disk."""
    wanted = Path(source).resolve() if source else None
    removed: list[str] = []
    for info in store.sources():
        on_disk = Path(info.root) / info.source if Path(info.root).is_dir() else Path(info.root)
        if info.source == source or (wanted is not None and on_disk == wanted):
            store.delete_source(info.root, info.source)
            removed.append(info.source)
    return removed
