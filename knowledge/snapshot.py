"""A snapshot of what the retriever loads from a local Chroma index: its chunks and vectors.

Answering needs every chunk and vector in memory (retrieval.py), not Chroma itself: importing
chromadb and opening its client cost about a second and a half of a cold `hecbot ask` and of
every bot start. The engine therefore keeps, beside a local index, a copy of what the retriever
reads: the chunks as JSON and the vectors as one ``.npy`` matrix, memory-mapped when read. The
copy is stamped with the state of the Chroma collection, read straight from Chroma's SQLite file
(no chromadb import): its id, the highest write sequence number and its number of vectors. Any
write, by this process or another, changes the stamp, and a snapshot whose stamp differs is not
used (the engine reads Chroma and writes a fresh one). The engine also rewrites the snapshot
after its own writes, so the next process starts from it at once.

With a Chroma server (``CHROMA_URL``) there is no local file to stamp, and no snapshot.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.chunking import Chunk
from knowledge.embeddings import Embedder
from knowledge.sources import ChunkSource

log = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1
Stamp = dict[str, Any]


@dataclass(frozen=True)
class SnapshotSource:
    """Chunks and their vectors held in memory (rows in chunk order): a ChunkSource."""

    embedder: Embedder
    chunks: list[Chunk]
    vectors: npt.NDArray[np.float32]

    def all_chunks(self) -> list[Chunk]:
        return list(self.chunks)

    def vector_pages(self) -> Iterator[tuple[list[str], npt.NDArray[np.float32]]]:
        if self.chunks:
            yield [chunk.id for chunk in self.chunks], self.vectors


def capture(source: ChunkSource) -> SnapshotSource:
    """Read every chunk and vector of ``source`` once, into one matrix."""
    chunks = source.all_chunks()
    position = {chunk.id: row for row, chunk in enumerate(chunks)}
    matrix = np.zeros((len(chunks), source.embedder.dim), dtype=np.float32)
    for ids, vectors in source.vector_pages():
        rows = np.array([position.get(chunk_id, -1) for chunk_id in ids], dtype=np.int64)
        known = rows >= 0
        matrix[rows[known]] = vectors[known]
    return SnapshotSource(source.embedder, chunks, matrix)


def chroma_stamp(chroma_path: Path, collection: str) -> Stamp | None:
    """The state of a local Chroma collection, from its SQLite file; None when unreadable.

    Reads Chroma's own tables (collections, segments, embeddings, the write queue), so a
    Chroma release that renames them only costs the snapshot, never a wrong answer: any error
    means "no stamp", and no snapshot is used.
    """
    database = chroma_path / "chroma.sqlite3"
    if not database.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=2.0)
        try:
            row = connection.execute(
                "SELECT id FROM collections WHERE name = ?", (collection,)
            ).fetchone()
            if row is None:
                return None
            collection_id = str(row[0])
            segments = [
                str(segment)
                for (segment,) in connection.execute(
                    "SELECT id FROM segments WHERE collection = ? ORDER BY id", (collection_id,)
                )
            ]
            marks = ",".join("?" * len(segments)) or "''"
            applied = sorted(
                (str(segment), int(seq or 0))
                for segment, seq in connection.execute(
                    f"SELECT segment_id, seq_id FROM max_seq_id WHERE segment_id IN ({marks})",
                    segments,
                )
            )
            (vectors,) = connection.execute(
                f"SELECT count(*) FROM embeddings WHERE segment_id IN ({marks})", segments
            ).fetchone()
            (written,) = connection.execute("SELECT max(seq_id) FROM embeddings_queue").fetchone()
        finally:
            connection.close()
    except (sqlite3.Error, ValueError, TypeError) as error:
        log.debug("no Chroma stamp for %s: %s", database, error)
        return None
    return {
        "collection": collection_id,
        "applied": applied,
        "vectors": int(vectors),
        "written": int(written or 0),
    }


def _manifest_path(directory: Path, collection: str) -> Path:
    return directory / f"{collection}.json"


def write_snapshot(directory: Path, collection: str, source: SnapshotSource, stamp: Stamp) -> None:
    """Write the snapshot: the vectors first, then the manifest that names them (atomically),
    then remove vectors no manifest names any more."""
    directory.mkdir(parents=True, exist_ok=True)
    vectors_name = f"{collection}-{uuid.uuid4().hex[:12]}.npy"
    np.save(directory / vectors_name, np.ascontiguousarray(source.vectors, dtype=np.float32))
    manifest = {
        "version": SNAPSHOT_VERSION,
        "stamp": stamp,
        "embedder": source.embedder.name,
        "dim": int(source.vectors.shape[1]) if source.vectors.ndim == 2 else 0,
        "vectors": vectors_name,
        "chunks": [[chunk.id, chunk.text, chunk.metadata()] for chunk in source.chunks],
    }
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".json.tmp")
    os.chmod(temporary, 0o644)  # mkstemp makes it private; the bot may run as another user
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(manifest, out, ensure_ascii=False)
    os.replace(temporary, _manifest_path(directory, collection))
    for old in directory.glob(f"{collection}-*.npy"):
        if old.name != vectors_name:
            with contextlib.suppress(OSError):
                old.unlink()


def read_snapshot(
    directory: Path, collection: str, embedder: Embedder, stamp: Stamp | None
) -> SnapshotSource | None:
    """The snapshot if it was taken of exactly this state of the collection, else None."""
    if stamp is None:
        return None
    try:
        with _manifest_path(directory, collection).open(encoding="utf-8") as handle:
            manifest = json.load(handle)
        if (
            manifest.get("version") != SNAPSHOT_VERSION
            or manifest.get("stamp") != json.loads(json.dumps(stamp))
            or manifest.get("embedder") != embedder.name
        ):
            return None
        chunks = [
            Chunk.from_store(str(chunk_id), str(text), dict(meta))
            for chunk_id, text, meta in manifest["chunks"]
        ]
        vectors = np.load(directory / str(manifest["vectors"]), mmap_mode="r")
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.debug("retrieval snapshot in %s not usable: %s", directory, error)
        return None
    if vectors.shape != (len(chunks), embedder.dim) or len(chunks) != stamp.get("vectors"):
        return None
    return SnapshotSource(embedder, chunks, vectors)
