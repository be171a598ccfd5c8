"""Hybrid retrieval: BM25 (in memory) and dense (chroma), fused by weighted reciprocal rank."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from knowledge.chunking import Chunk
from knowledge.config import RetrievalThresholds
from knowledge.index import ChunkStore
from knowledge.language import (
    Language,
    NormalisedQuery,
    normalise_query,
    tokenize,
)


class RetrievalMode(StrEnum):
    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"


# (BM25 weight, dense weight) in the fusion, per question language. BM25 only sees the English
# words of a question: all of them in English, the loanwords and glossary terms in Roman Urdu,
# only glossary terms in Urdu script — so its vote counts less the less English there is.
FUSION_WEIGHTS: dict[Language, tuple[float, float]] = {
    Language.ENGLISH: (1.0, 1.0),
    Language.ROMAN_URDU: (0.6, 1.0),
    Language.URDU: (0.2, 1.0),
}


@dataclass(frozen=True)
class ScoredPassage:
    chunk: Chunk
    score: float  # fused score (higher is better)
    dense: float | None  # cosine similarity, if the dense retriever saw it
    coverage: float  # share of the query's IDF mass present in the passage


class BM25Index:
    """Okapi BM25 over an inverted index (fast enough for tens of thousands of chunks)."""

    def __init__(
        self, documents: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75
    ) -> None:
        self._k1 = k1
        self._b = b
        self.size = len(documents)
        lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        self._avgdl = float(lengths.mean()) if self.size else 1.0
        self._norm = (k1 * (1 - b + b * lengths / max(self._avgdl, 1e-6))).astype(np.float32)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for doc_index, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                entry = postings.setdefault(term, ([], []))
                entry[0].append(doc_index)
                entry[1].append(tf)
        self._postings = {
            term: (np.array(ids, dtype=np.int32), np.array(tfs, dtype=np.float32))
            for term, (ids, tfs) in postings.items()
        }
        self.document_terms = [frozenset(doc) for doc in documents]

    def idf(self, term: str) -> float:
        """Smoothed IDF; a term the corpus never uses gets the highest possible value."""
        df = len(self._postings[term][0]) if term in self._postings else 0
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, terms: Sequence[str]) -> npt.NDArray[np.float32]:
        total = np.zeros(self.size, dtype=np.float32)
        for term in set(terms):
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids, tfs = posting
            total[ids] += self.idf(term) * tfs * (self._k1 + 1) / (tfs + self._norm[ids])
        return total


class HybridRetriever:
    """Loads the chunks once, keeps BM25 in memory, asks chroma for dense neighbours."""

    def __init__(self, store: ChunkStore, thresholds: RetrievalThresholds) -> None:
        self._store = store
        self._thresholds = thresholds
        self._chunks: list[Chunk] = []
        self._position: dict[str, int] = {}
        self._bm25 = BM25Index([])

    def load(self) -> None:
        """(Re)build the in-memory BM25 index from the chunks in the store."""
        self._chunks = self._store.all_chunks()
        self._position = {chunk.id: i for i, chunk in enumerate(self._chunks)}
        self._bm25 = BM25Index([tokenize(chunk.search_text) for chunk in self._chunks])

    @property
    def chunk_count(self) -> int:
        return len(self._chunks)

    def coverage(self, query: NormalisedQuery, passages: Sequence[Chunk]) -> float:
        """IDF-weighted share of the question's content words found in the passages.

        Words the knowledge base never uses weigh the most, so a question about something the
        rules never mention ("scholarship") scores low even if "course" matches. A glossary
        entry counts as one word, present if any of its English alternatives is.
        """
        if not query.groups:
            return 0.0
        present: set[str] = set()
        for chunk in passages:
            index = self._position.get(chunk.id)
            if index is not None:
                present |= self._bm25.document_terms[index]
        total = found = 0.0
        for group in query.groups:
            weight = min(self._bm25.idf(term) for term in group)
            total += weight
            if any(term in present for term in group):
                found += weight
        return found / total if total else 0.0

    def idf(self, term: str) -> float:
        return self._bm25.idf(term)

    def retrieve(
        self,
        question: str | NormalisedQuery,
        *,
        top_k: int = 3,
        mode: RetrievalMode = RetrievalMode.HYBRID,
    ) -> list[ScoredPassage]:
        query = normalise_query(question) if isinstance(question, str) else question
        if not self._chunks:
            return []
        n = self._thresholds.candidates
        lexical: list[int] = []
        if mode is not RetrievalMode.DENSE and query.terms:
            scores = self._bm25.scores(query.terms)
            order = np.argsort(-scores)[:n]
            lexical = [int(i) for i in order if scores[i] > 0]
        dense_hits: list[tuple[int, float]] = []
        if mode is not RetrievalMode.BM25:
            vector = self._store.embedder.embed_queries([query.text])[0]
            for chunk_id, similarity in self._store.query(vector.tolist(), n):
                position = self._position.get(chunk_id)
                if position is not None:
                    dense_hits.append((position, similarity))
        dense_of = dict(dense_hits)

        bm25_weight, dense_weight = FUSION_WEIGHTS[query.language]
        k = self._thresholds.rrf_k
        fused: dict[int, float] = {}
        for rank, position in enumerate(lexical):
            fused[position] = fused.get(position, 0.0) + bm25_weight / (k + rank + 1)
        for rank, (position, _) in enumerate(dense_hits):
            fused[position] = fused.get(position, 0.0) + dense_weight / (k + rank + 1)
        best = sorted(fused.items(), key=lambda item: -item[1])[:top_k]
        return [
            ScoredPassage(
                chunk=self._chunks[position],
                score=score,
                dense=dense_of.get(position),
                coverage=self.coverage(query, [self._chunks[position]]),
            )
            for position, score in best
        ]
