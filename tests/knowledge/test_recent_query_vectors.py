"""Recently asked questions are not encoded again (knowledge.embeddings.RecentVectors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.embeddings import CachedEmbedder, RecentVectors
from tests.knowledge.conftest import CountingEmbedder


def test_a_repeated_question_is_encoded_once_and_gets_the_same_vector(tmp_path: Path):
    inner = CountingEmbedder()
    embedder = CachedEmbedder(inner, tmp_path / "cache.npz", query_cache_size=8)

    first = embedder.embed_queries(["how do I get a licence"])
    again = embedder.embed_queries(["how do I get a licence", "who is eligible"])

    assert inner.queries == ["how do I get a licence", "who is eligible"]
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(
        again, inner.embed_queries(["how do I get a licence", "who is eligible"])
    )
    assert (embedder.recent_queries.hits, embedder.recent_queries.misses) == (1, 2)


def test_the_least_recently_asked_question_is_forgotten_first():
    inner = CountingEmbedder()
    recent = RecentVectors(size=2)
    for text in ["a", "b", "a", "c", "a", "b"]:
        recent.embed([text], inner.embed_queries, inner.dim)
    # "b" was the least recently used when "c" arrived, so it had to be encoded again.
    assert inner.queries == ["a", "b", "c", "b"]


def test_duplicates_in_one_batch_are_encoded_once_and_returned_in_order():
    inner = CountingEmbedder()
    recent = RecentVectors(size=4)
    vectors = recent.embed(["x y", "z", "x y"], inner.embed_queries, inner.dim)
    assert inner.queries == ["x y", "z"]
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert vectors.shape == (3, inner.dim)


def test_size_zero_turns_the_cache_off():
    inner = CountingEmbedder()
    recent = RecentVectors(size=0)
    recent.embed(["same"], inner.embed_queries, inner.dim)
    recent.embed(["same"], inner.embed_queries, inner.dim)
    assert inner.queries == ["same", "same"]
