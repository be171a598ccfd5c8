"""The chromadb-backed store of chunks, and incremental indexing of files and folders."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
    SourceNameError,
)
from knowledge.loaders import (
    LOADER_VERSION,
    OTHER_DOCUMENT_SUFFIXES,
    iter_document_files,
    load_document,
)

_WRITE_BATCH = 256
# Chunks of consecutive files embedded in one call (`ChunkStore.embed_ahead`): enough for every
# model replica to have batches of its own, few enough to keep the progress bar moving.
_EMBED_TOGETHER = 128
# The content hash chunks carry while their file is being stored: a file is recorded as indexed
# (and skipped by the next run) only once every chunk carries the file's real hash.
PENDING_HASH = ""
_READ_BATCH = 2000
# The collection's metadata key every write changes: instances reading the index from a Chroma
# server reload when it differs (a rule edited in place keeps the chunk count).
_GENERATION = "generation"
# The chunk metadata key holding the version of the loaders that read the file
# (`LOADER_VERSION`); chunks of indexes built before it was recorded have none, version 1.
_LOADER_KEY = "loader"
_UNRECORDED_LOADER = 1


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
    # Of ``replaced``: files unchanged on disk, read again as hecbot's loaders changed since
    # they were indexed.
    reread: list[str] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


@dataclass(frozen=True)
class SourceInfo:
    """One indexed document: ``root`` (its folder's name) and ``source`` (its path in that
    folder) are its identity; ``origin`` is where the folder was when the file was last indexed."""

    source: str
    title: str
    chunks: int
    root: str
    effective_date: str | None
    origin: str = ""
    # ``PENDING_HASH`` when the file is stored only in part, or more than once (copies indexed
    # from several paths by releases that named documents by absolute path): indexed again.
    content_hash: str = PENDING_HASH
    # The version of the loaders that read it (the oldest, should its chunks differ).
    loader_version: int = _UNRECORDED_LOADER

    @property
    def path(self) -> Path | None:
        """Where the file was on disk when it was last indexed."""
        return Path(self.origin) / self.source if self.origin else None


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


def close_chroma_client(client: Any) -> None:
    """Release a client of `make_chroma_client`. chromadb's `close` stops the client's System
    (the Rust bindings' runtime and its threads, the SQLite handles) once no other open client
    of the same path uses it; a client left open keeps them until the process ends, since
    chromadb holds every System in a class-level cache."""
    close = getattr(client, "close", None)  # chromadb 1.5+; before it, nothing to call
    if callable(close):
        close()


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
        self._mark_written()

    def record_hash(self, chunks: Sequence[Chunk], file_hash: str) -> None:
        """Mark stored chunks (written with ``PENDING_HASH``) as belonging to ``file_hash``,
        read by this version of the loaders."""
        for start in range(0, len(chunks), _WRITE_BATCH):
            batch = chunks[start : start + _WRITE_BATCH]
            self._collection.update(
                ids=[chunk.id for chunk in batch],
                metadatas=[
                    {
                        **dataclasses.replace(chunk, content_hash=file_hash).metadata(),
                        _LOADER_KEY: LOADER_VERSION,
                    }
                    for chunk in batch
                ],
            )
        self._mark_written()

    def delete_source(self, root: str, source: str) -> int:
        found = self._collection.get(where={"$and": [{"root": root}, {"source": source}]})
        ids = list(found["ids"])
        if ids:
            self._collection.delete(ids=ids)
            self._mark_written()
        return len(ids)

    def _mark_written(self) -> None:
        metadata = dict(self._collection.metadata or {})
        metadata[_GENERATION] = uuid.uuid4().hex
        self._collection.modify(metadata=metadata)

    # -- reading -----------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._collection.count())

    def state(self) -> tuple[int, str]:
        """The chunk count and the generation of the last write, read from the store itself
        (another process may have written since this one opened the collection)."""
        collection = self._client.get_collection(
            self._collection_name, embedding_function=self._function
        )
        return int(collection.count()), str((collection.metadata or {}).get(_GENERATION, ""))

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
            root, origin = _identity_root(meta)
            entry = grouped.setdefault(
                (root, str(meta.get("source", ""))),
                {
                    "title": meta.get("title", ""),
                    "chunks": 0,
                    "date": meta.get("effective_date"),
                    "origins": set(),
                    "hashes": set(),
                    "loaders": set(),
                },
            )
            entry["chunks"] += 1
            entry["origins"].add(origin)
            entry["hashes"].add(str(meta.get("content_hash", PENDING_HASH)))
            entry["loaders"].add(_loader_version(meta))
        return sorted(
            (
                SourceInfo(
                    source=source,
                    title=str(entry["title"]),
                    chunks=int(entry["chunks"]),
                    root=root,
                    effective_date=str(entry["date"]) if entry["date"] else None,
                    origin=max(entry["origins"]),
                    content_hash=(
                        next(iter(entry["hashes"]))
                        if len(entry["hashes"]) == 1 and len(entry["origins"]) == 1
                        else PENDING_HASH
                    ),
                    loader_version=min(entry["loaders"]),
                )
                for (root, source), entry in grouped.items()
            ),
            key=lambda info: (info.root, info.source),
        )

    def file_hashes(self, root: str) -> dict[str, str]:
        """Source -> recorded content hash of the documents of the folder named ``root``;
        ``PENDING_HASH`` for a file stored only in part (or more than once)."""
        return {info.source: info.content_hash for info in self.sources() if info.root == root}

    def set_origin(self, root: str, source: str, origin: str) -> None:
        """Record that an unchanged document's folder is now at ``origin``."""
        found = self._collection.get(
            where={"$and": [{"root": root}, {"source": source}]}, include=["metadatas"]
        )
        ids = list(found["ids"])
        if ids:
            self._collection.update(
                ids=ids,
                metadatas=[{**dict(meta or {}), "origin": origin} for meta in found["metadatas"]],
            )

    def migrate_absolute_roots(self) -> int:
        """Rename chunks stored by earlier releases, whose root was the absolute path of the
        folder indexed, to the folder's name (and that path as their origin). Only metadata
        changes: no file is read or embedded again. Returns how many chunks were renamed."""
        renamed: dict[str, dict[str, Any]] = {}
        for chunk_id, meta in self.iter_metadata():
            stored = str(meta.get("root", ""))
            if _is_absolute_root(stored):
                root, origin = _identity_root(meta)
                renamed[chunk_id] = {**dict(meta), "root": root, "origin": origin}
        items = list(renamed.items())
        for start in range(0, len(items), _WRITE_BATCH):
            batch = items[start : start + _WRITE_BATCH]
            self._collection.update(
                ids=[chunk_id for chunk_id, _ in batch], metadatas=[meta for _, meta in batch]
            )
        return len(items)

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


def _loader_version(meta: Mapping[str, Any]) -> int:
    try:
        return int(meta.get(_LOADER_KEY, _UNRECORDED_LOADER))
    except (TypeError, ValueError):
        return _UNRECORDED_LOADER


def _is_absolute_root(root: str) -> bool:
    # Roots are folder names now; a path in it was written by an earlier release.
    return "/" in root or "\\" in root


def _identity_root(meta: dict[str, Any]) -> tuple[str, str]:
    """A stored chunk's folder name and origin, also for chunks of earlier releases: those
    carried the absolute path of the folder indexed (or of the file, when a file was named)."""
    stored, origin = str(meta.get("root", "")), str(meta.get("origin", ""))
    if not _is_absolute_root(stored):
        return stored, origin
    folder = Path(stored)
    if folder.name == str(meta.get("source", "")):
        folder = folder.parent
    return _folder_name(folder), str(folder)


def _absolute(path: Path) -> Path:
    # Normalised but not resolved: a symlinked release folder keeps the name it was given.
    return Path(os.path.abspath(path))


def _folder_name(folder: Path) -> str:
    return folder.name or "root"  # a folder named "/" has no name


def source_name(name: str) -> str:
    """A name given to a folder of documents, checked: it stands for the folder in every
    document's identity (`kb list`, `kb remove NAME/faq.md`), so it is one path part."""
    cleaned = name.strip()
    if not cleaned or cleaned in {".", ".."} or "/" in cleaned or "\\" in cleaned:
        raise SourceNameError(
            f"{name!r} cannot name a folder of documents: use a name without / or \\"
            " (e.g. policies, hec-faq)"
        )
    return cleaned


def _shares_a_file(folder: Path, theirs: Iterable[SourceInfo]) -> bool:
    """Whether `folder` holds one of these documents unchanged (same path, same content): the
    sign of a copy of their folder (another checkout or release), not a different folder."""
    for info in theirs:
        path = folder / info.source
        if not path.is_file():
            continue
        if info.content_hash == PENDING_HASH:
            return True  # stored in part or twice: its content is not known, its path is
        try:
            if content_hash(path.read_bytes()) == info.content_hash:
                return True
        except OSError:
            continue
    return False


def _held_elsewhere(
    known: dict[tuple[str, str], SourceInfo], name: str, where: Path, source: str | None = None
) -> list[SourceInfo]:
    """Documents of `name` (only `source`, if given) indexed from another folder that is
    still on disk."""
    return [
        info
        for info in known.values()
        if info.root == name
        and (source is None or info.source == source)
        and info.origin
        and info.origin != str(where)
        and Path(info.origin).is_dir()
    ]


def _taken_name(given: Path, name: str, theirs: Iterable[SourceInfo]) -> str:
    origins = ", ".join(sorted({info.origin for info in theirs}))
    return (
        f"its documents would be known as {name!r}, as those indexed from {origins} already"
        f" are (another folder, still there): index it under a name of its own"
        f" (`hecbot kb index {given} --as NAME`), or, if it is a new copy of that folder,"
        f" say so with `--as {name}`"
    )


@dataclass(frozen=True)
class _Identity:
    root: str  # the folder's name
    source: str  # the file's path in the folder
    origin: str  # the folder's absolute path


def index_paths(
    store: ChunkStore,
    paths: Sequence[Path],
    *,
    progress: ProgressCallback | None = None,
    max_file_bytes: int | None = None,
    named: Mapping[Path, str] | None = None,
) -> IndexReport:
    """Index files/folders incrementally: skip unchanged files, replace changed, drop deleted.

    A document is known by the name of the folder it was indexed from and its path in that
    folder, never by where the folder is on disk: the same folder indexed from a new place (a
    new release directory, a rebuilt venv) is the same documents, unchanged or replaced, not
    added again. Indexing a folder makes the documents of its name mirror it: a file gone from
    it is removed. A file named alone keeps the identity it has as part of an indexed folder,
    else it is known by its parent folder's name. Files that cannot be loaded, are larger than
    ``max_file_bytes`` or fail to be stored are reported in ``failed`` and skipped. A file's
    hash is recorded only after all its chunks are stored, so a run interrupted half-way
    through a file indexes it again next time.

    ``named`` gives a path a name of the caller's choosing in place of its folder's (`hecbot kb
    index PATH --as NAME`), so two folders of one name (a `data` folder of HEC's own beside the
    bundled `knowledge/data`) are kept apart. Unnamed, a folder is refused (reported in
    ``failed``, nothing changed) when its name is already that of documents indexed from
    another folder still on disk of which it holds none unchanged: a different folder, that
    would take their identity. A file named alone is refused likewise when it would replace
    another folder's document of its name. Naming a path as those documents are named says it
    is a new copy of their folder, to take their place.
    """
    names = {_absolute(path): source_name(name) for path, name in (named or {}).items()}
    started = time.perf_counter()
    report = IndexReport()
    store.migrate_absolute_roots()
    known = {(info.root, info.source): info for info in store.sources()}

    def drop(info: SourceInfo) -> None:
        store.delete_source(info.root, info.source)
        known.pop((info.root, info.source), None)
        report.removed.append(info.source)

    plan: list[tuple[_Identity, Path]] = []
    folders_named: dict[str, Path] = {}  # the folders of this run, by name
    for root in paths:
        where = _absolute(root)
        if not root.exists():
            # A file or folder indexed from here and now gone drops its documents; a path never
            # indexed (a typo) is reported, and documents of the same name elsewhere are kept.
            gone = [
                info for info in known.values() if info.origin == str(where) or info.path == where
            ]
            for info in gone:
                drop(info)
            if not gone:
                report.failed.append((str(root), "no such file or folder"))
            continue
        given_name = names.get(where)
        if root.is_file():
            if given_name is not None:
                plan.append((_Identity(given_name, where.name, str(where.parent)), root))
                continue
            identity = _identity_of_file(known, where)
            theirs = _held_elsewhere(known, identity.root, Path(identity.origin), identity.source)
            if theirs and not _shares_a_file(Path(identity.origin), theirs):
                report.failed.append((str(root), _taken_name(root, identity.root, theirs)))
                continue
            plan.append((identity, root))
            continue
        if given_name is None:
            # A folder indexed before under a name of its own (`--as NAME`) keeps it: indexed
            # again without --as, it is the same documents, not a second copy of each.
            given_name = _name_given_before(known.values(), where)
        name = given_name or _folder_name(where)
        if name in folders_named:
            report.failed.append(
                (
                    str(root),
                    f"another folder named {name!r} ({folders_named[name]}) is indexed in this"
                    " run: documents are known by their folder's name, rename one",
                )
            )
            continue
        if given_name is None:
            theirs = _held_elsewhere(known, name, where)
            if theirs and not _shares_a_file(where, theirs):
                report.failed.append((str(root), _taken_name(root, name, theirs)))
                continue
        folders_named[name] = where
        files = list(iter_document_files(root))
        if not files:
            report.warnings.append(
                f"{root}: nothing to index (no Markdown, text, HTML, PDF or DOCX files)"
            )
        others = [
            path.relative_to(root).as_posix()
            for path in iter_document_files(root, OTHER_DOCUMENT_SUFFIXES)
        ]
        if others:
            report.warnings.append(
                f"{root}: not indexed, as hecbot reads Markdown, text, HTML, PDF and DOCX files"
                f" only (save them as one of those): {', '.join(others)}"
            )
        present = {path.relative_to(root).as_posix() for path in files}
        previous = [info for info in known.values() if info.root == name]
        dropped = [info for info in previous if info.source not in present]
        # Documents of another folder of the same name that still exists: say why they go.
        elsewhere = sorted(
            {
                info.origin
                for info in dropped
                if info.origin and info.origin != str(where) and Path(info.origin).is_dir()
            }
        )
        if elsewhere:
            report.warnings.append(
                f"{root}: documents indexed from {', '.join(elsewhere)} are removed, as this"
                f" folder has the same name ({name!r}) and not their files (a document is known"
                " by its folder's name and its path in that folder: index one under another"
                " name with --as to keep both)"
            )
        for info in dropped:
            drop(info)
        plan.extend(
            (_Identity(name, path.relative_to(root).as_posix(), str(where)), path) for path in files
        )

    # Files read and split, waiting to be embedded together and then stored one by one.
    waiting: list[_ReadFile] = []

    def store_waiting() -> None:
        store.embed_ahead([chunk for item in waiting for chunk in item.chunks])
        for item in waiting:
            _store_read_file(store, item, report)
            if progress is not None:
                progress(IndexProgress(done=item.done, total=len(plan), source=item.source))
        waiting.clear()

    for done, (identity, path) in enumerate(plan, start=1):
        before = known.get((identity.root, identity.source))
        item = _ReadFile(
            done=done,
            root_key=identity.root,
            source=identity.source,
            replacing=before is not None,
        )
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
            item.reread = (
                before is not None
                and before.content_hash == item.file_hash
                and before.loader_version != LOADER_VERSION
            )
            if before is not None and before.content_hash == item.file_hash and not item.reread:
                item.unchanged = True
                if before.origin != identity.origin:
                    store.set_origin(identity.root, identity.source, identity.origin)
            else:
                document = load_document(path)
                item.chunks = split_document(
                    document,
                    source=identity.source,
                    root=identity.root,
                    origin=identity.origin,
                    file_hash=PENDING_HASH,
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


def _name_given_before(known: Iterable[SourceInfo], folder: Path) -> str | None:
    """The one name other than its own the documents indexed from ``folder`` carry, if any."""
    names = {info.root for info in known if info.origin == str(folder)}
    if len(names) == 1 and (name := names.pop()) != _folder_name(folder):
        return name
    return None


def _identity_of_file(known: dict[tuple[str, str], SourceInfo], where: Path) -> _Identity:
    """A file named on its own: the document it already is (e.g. as part of an indexed
    folder), else one known by its parent folder's name."""
    for info in known.values():
        if info.path == where:
            return _Identity(info.root, info.source, info.origin)
    return _Identity(_folder_name(where.parent), where.name, str(where.parent))


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
    # Unchanged on disk, but indexed by another version of the loaders: read again.
    reread: bool = False
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
    if item.reread:
        report.reread.append(item.source)
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
    """Remove documents by their source name (from every folder that has one of that name), by
    ``FOLDER/SOURCE`` (folder name, as `kb list` shows), or by the path of the file on disk."""
    store.migrate_absolute_roots()
    wanted = _absolute(Path(source)) if source else None
    removed: list[str] = []
    for info in store.sources():
        on_disk = info.path
        by_path = wanted is not None and on_disk is not None and _same_file(on_disk, wanted)
        if by_path or source in (info.source, f"{info.root}/{info.source}"):
            store.delete_source(info.root, info.source)
            removed.append(info.source)
    return removed


def _same_file(a: Path, b: Path) -> bool:
    return a == b or a.resolve() == b.resolve()
