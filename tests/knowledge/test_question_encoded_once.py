"""A question is encoded once, however its answering steps interleave with other questions'.

The engine answers in steps (retrieval and the redirect check, then the sentence scores) that
may run on different answer threads; each step asks for the question's vector. A single "last
question" slot let another question's step in between overwrite it, and under load each new
question was encoded two or three times (half of an instance's CPU).
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

from knowledge.engine import KnowledgeEngine
from tests.knowledge.conftest import CountingEmbedder, counting_licence_engine


def _engine(tmp_path: Path) -> tuple[KnowledgeEngine, CountingEmbedder]:
    # Every question new, as the sustained-rate benchmark runs.
    engine, inner, kb = counting_licence_engine(tmp_path, query_cache_size=0)
    engine.index_paths([kb])
    inner.queries.clear()
    return engine, inner


def test_interleaved_questions_are_each_encoded_once(tmp_path: Path) -> None:
    engine, inner = _engine(tmp_path)
    first = engine.gather_evidence("How long does a licence last?")
    second = engine.gather_evidence("When is a licence withdrawn for inactivity?")
    # The first question's sentences are scored after the second was retrieved.
    answer = engine._extractive_answer(first, time.perf_counter())
    engine._extractive_answer(second, time.perf_counter())

    assert not answer.abstained and "six months" in answer.text
    assert sorted(inner.queries) == sorted({first.query.text, second.query.text})


def test_the_same_question_asked_again_is_encoded_again(tmp_path: Path) -> None:
    """With the query cache off a repeated question is a new one (benchmark rounds time the
    encoding, not a lookup), and nothing is kept once a question is answered."""
    engine, inner = _engine(tmp_path)
    engine.answer_sync("How long does a licence last?")
    engine.answer_sync("How long does a licence last?")
    gc.collect()

    assert len(inner.queries) == 2
    assert len(engine.retriever._question_vectors) == 0
