"""The sentences an answer is composed from are embedded when they are indexed, never while a
learner waits (a new section's first question used to embed its sentences: seconds)."""

from __future__ import annotations

from pathlib import Path

from tests.knowledge.conftest import counting_licence_engine


def test_answering_a_new_section_embeds_no_sentence(tmp_path: Path) -> None:
    engine, inner, kb = counting_licence_engine(tmp_path)
    engine.index_paths([kb])
    assert "Licences are not extended." in " ".join(inner.passages)  # a sentence, embedded
    inner.passages.clear()
    answer = engine.answer_sync("How long does a licence last?")
    assert not answer.abstained and "six months" in answer.text
    assert inner.passages == []
    # Indexing again with nothing changed embeds nothing either.
    engine.index_paths([kb])
    assert inner.passages == []
