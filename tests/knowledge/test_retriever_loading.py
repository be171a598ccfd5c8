"""The retriever copies stored vectors into its matrix page by page, by chunk id."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from knowledge.config import RetrievalThresholds
from knowledge.language import normalise_query
from knowledge.retrieval import BM25Index, HybridRetriever
from tests.knowledge.test_abstention import RULES, FakeStore


class PagedStore(FakeStore):
    """Pages in another order than the chunks, and a vector for a chunk that is gone."""

    def vector_pages(self) -> Iterator[tuple[list[str], np.ndarray]]:
        ((ids, vectors),) = list(super().vector_pages())
        order = list(reversed(range(len(ids))))
        yield [ids[i] for i in order[:2]], vectors[order[:2]]
        yield (
            [*(ids[i] for i in order[2:]), "deleted"],
            np.vstack([vectors[order[2:]], np.ones((1, vectors.shape[1]), dtype=np.float32)]),
        )


def test_vectors_land_on_their_chunks_whatever_the_page_order():
    paged = HybridRetriever(PagedStore(RULES), RetrievalThresholds())  # type: ignore[arg-type]
    paged.load()
    single = HybridRetriever(FakeStore(RULES), RetrievalThresholds())  # type: ignore[arg-type]
    single.load()
    question = normalise_query("When does my licence expire?")
    assert [p.chunk.id for p in paged.retrieve(question, top_k=3)] == [
        p.chunk.id for p in single.retrieve(question, top_k=3)
    ]
    best = paged.retrieve(question, top_k=1)[0]
    assert best.dense is not None and best.dense > 0


def test_bm25_reads_documents_from_any_iterable_once():
    documents = iter([["licence", "expires", "licence"], ["certificate"], []])
    index = BM25Index(documents)
    assert index.size == 3
    assert index.document_frequency("licence") == 1
    scores = index.scores(["licence", "certificate"])
    assert scores[0] > 0 and scores[1] > 0 and scores[2] == 0
