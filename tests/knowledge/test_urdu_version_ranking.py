"""An Urdu-script question is also matched against the Urdu versions of the rules (issue 15,
round 6): its own Urdu words, which no glossary reads into English, find the rule whose Urdu
version uses them. Rules without an Urdu version, and knowledge bases with none, rank as
before; whether to answer is still judged on the English ranking its floors were set on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from knowledge.answering import judge_evidence
from knowledge.chunking import Chunk
from knowledge.config import RetrievalThresholds
from knowledge.engine import KnowledgeEngine
from knowledge.language import Language, normalise_query
from knowledge.retrieval import HybridRetriever
from tests.knowledge.test_abstention import FakeStore, chunk

# Four rules the dense model cannot tell apart (one vector for every text, below), so only
# words decide; the question's words are Urdu words no glossary knows.
RULES = ("Rule about fees.", "Rule about dates.", "Rule about auctions.", "Rule about games.")
AUCTIONS_IN_URDU = "لائسنس کی نیلامی منع ہے۔"
QUESTION = "کیا نیلامی ہوتی ہے؟"  # "Are there auctions?"


class SameVectorEmbedder:
    """Every text gets one vector: dense scores tie, so the ranking is the words' alone."""

    name = "same-vector"
    dim = 4

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


def rule(index: int) -> Chunk:
    return chunk(index, RULES[index])


def urdu_version(index: int, text: str) -> Chunk:
    return Chunk(
        id=f"u{index}",
        text=text,
        title="قواعد | Rules",
        section=f"قاعدہ | Rule {index}",
        source=f"ur/rule-{index}.md",
        root="test",
        content_hash="x",
        ordinal=0,
        kind="translation",
        translates=f"rule-{index}.md",
        language="ur",
    )


def retriever_over(chunks: Sequence[Chunk]) -> HybridRetriever:
    store = FakeStore.of_chunks(chunks, SameVectorEmbedder())
    loaded = HybridRetriever(store, RetrievalThresholds())  # type: ignore[arg-type]
    loaded.load()
    return loaded


def top_rule(retriever: HybridRetriever, question: str, *, urdu_versions: bool) -> str:
    retrieved = retriever.retrieve_for_answer(question, top_k=1)
    return (retrieved.read if urdu_versions else retrieved.judged)[0].chunk.text


def test_an_urdu_question_finds_the_rule_whose_urdu_version_uses_its_words() -> None:
    # Only "Rule about fees." and "Rule about auctions." have Urdu versions.
    retriever = retriever_over(
        [
            *(rule(i) for i in range(4)),
            urdu_version(0, "فیس نہیں ہے۔"),
            urdu_version(2, AUCTIONS_IN_URDU),
        ]
    )
    assert normalise_query(QUESTION).language is Language.URDU
    assert top_rule(retriever, QUESTION, urdu_versions=False) == "Rule about fees."
    assert top_rule(retriever, QUESTION, urdu_versions=True) == "Rule about auctions."


@pytest.mark.parametrize(
    "versions",
    [
        [],  # no Urdu version at all
        [(0, "فیس نہیں ہے۔")],  # an Urdu version sharing no word with the question
    ],
)
def test_without_an_urdu_version_that_matches_the_english_ranking_stands(
    versions: list[tuple[int, str]],
) -> None:
    retriever = retriever_over(
        [*(rule(i) for i in range(4)), *(urdu_version(*v) for v in versions)]
    )
    retrieved = retriever.retrieve_for_answer(QUESTION, top_k=4)
    assert [p.chunk.id for p in retrieved.read] == [p.chunk.id for p in retrieved.judged]
    assert [p.chunk.id for p in retrieved.judged] == [
        p.chunk.id for p in retriever.retrieve(QUESTION, top_k=4)
    ]


def test_other_languages_are_not_matched_against_urdu_versions() -> None:
    retriever = retriever_over([*(rule(i) for i in range(4)), urdu_version(2, AUCTIONS_IN_URDU)])
    for question in ("Can I auction my licence?", "kya licence ki neelami ho sakti hai?"):
        query = normalise_query(question)
        assert not retriever.reads_urdu_versions(query)
        retrieved = retriever.retrieve_for_answer(query, top_k=4)
        assert retrieved.read is retrieved.judged


def test_the_sample_answers_an_urdu_question_from_the_rule_its_urdu_version_states(
    sample_engine: KnowledgeEngine,
) -> None:
    # "How many learning tracks does this programme have?" (dev split): the English ranking
    # puts the licence terms first; the tracks' Urdu version names them.
    question = "اس پروگرام میں کتنے لرننگ ٹریکس ہیں؟"
    answer, evidence = sample_engine.answer_with_evidence(question)
    assert not answer.abstained
    assert answer.citations[0].document.endswith("choosing-courses-and-tracks.md")
    # Whether to answer is judged on the English ranking, as the floors were calibrated.
    query = normalise_query(question)
    retriever = sample_engine.retriever
    english = retriever.retrieve(query, top_k=sample_engine.config.top_k)
    assert english[0].chunk.source != "choosing-courses-and-tracks.md"
    thresholds = sample_engine.config.thresholds_for("ur")
    assert judge_evidence(query, english, retriever, thresholds).answerable
    assert evidence is not None and evidence.passages[0].chunk.source == (
        "choosing-courses-and-tracks.md"
    )
