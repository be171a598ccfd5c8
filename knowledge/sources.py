"""Where the retriever reads its chunks and vectors from: the Chroma store, or its snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np
import numpy.typing as npt

from knowledge.chunking import Chunk
from knowledge.embeddings import Embedder


class ChunkSource(Protocol):
    """Every chunk with its stored vector, and the embedder that made the vectors."""

    @property
    def embedder(self) -> Embedder: ...

    def all_chunks(self) -> list[Chunk]: ...

    def vector_pages(self) -> Iterator[tuple[list[str], npt.NDArray[np.float32]]]: ...
