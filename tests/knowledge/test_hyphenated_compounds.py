"""A hyphenated compound and its joined form are one word ("Wi-Fi" and "wifi", "e-mail" and
"email"), whichever of the two the rules or the question writes (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.config import KnowledgeConfig
from knowledge.engine import KnowledgeEngine, build_engine
from knowledge.language import normalise_query, stem, tokenize
from knowledge.retrieval import BM25Index, unsupported_terms

RULES = """# Technical help

## Slow internet
If the hostel or campus Wi-Fi is slow, download lectures in the Coursera app and watch them
offline; downloaded videos need no connection.

## Contacting the helpdesk
Email the helpdesk from your university address; include your application number.

## Applying again
If your licence expired unused, you may re-apply in the next intake.

## Licence length
A licence lasts six months from the day it is activated.

## Certificates
Coursera issues a certificate when you pass every graded assignment of a course.
"""


@pytest.mark.parametrize(
    ("written", "asked"),
    [
        ("Wi-Fi", "wifi"),
        ("wifi", "Wi-Fi"),
        ("e-mail", "email"),
        ("email", "e-mail"),
        ("re-apply", "reapply"),
        ("reapply", "re-apply"),
    ],
)
def test_a_compound_and_its_joined_form_share_a_term(written: str, asked: str) -> None:
    assert stem(asked.lower().replace("-", "")) in set(tokenize(written)) & set(tokenize(asked))
    rules = BM25Index([tokenize(f"You can {written} here."), tokenize("A licence lasts.")])
    question = normalise_query(f"How do I {asked} here?")
    assert rules.scores(question.terms)[0] > rules.scores(question.terms)[1]
    assert unsupported_terms(question, rules) == []


def test_a_compound_keeps_its_parts_and_ranges_of_numbers_stay_apart() -> None:
    assert {"self", "pace"} <= set(tokenize("Courses are self-paced."))
    assert tokenize("the 2025-26 intake") == tokenize("the 2025 26 intake")
    assert tokenize("ages 18-25") == ["age", "18", "25"]


def test_a_word_no_rule_uses_stays_unsupported_when_hyphenated() -> None:
    rules = BM25Index([tokenize("A licence lasts six months.")])
    missing = unsupported_terms(normalise_query("Is there a hostel e-scholarship?"), rules)
    assert {"hostel", "scholarship"} <= set(missing)


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeEngine]:
    docs: Path = tmp_path_factory.mktemp("compound-kb") / "docs"
    docs.mkdir()
    (docs / "technical-help.md").write_text(RULES, encoding="utf-8")
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path_factory.mktemp("compound-data")))
    engine.index_paths([docs])
    yield engine
    engine.shutdown()  # its question-encoding threads


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("hostel wifi is slow, can I download lectures?", "Slow internet"),
        ("Can I reapply next intake?", "Applying again"),
        ("Can I e-mail the helpdesk?", "Contacting the helpdesk"),
    ],
)
def test_a_question_writing_the_other_form_is_answered_from_its_rule(
    small_engine: KnowledgeEngine, question: str, section: str
) -> None:
    evidence = small_engine.gather_evidence(question)
    # The compound is a word the rules use, so no word of the question counts against it.
    assert small_engine.retriever.unsupported_terms(evidence.query) == []
    assert evidence.passages[0].chunk.section.endswith(section)
    answer = small_engine.answer_sync(question)
    assert not answer.abstained, answer
    assert section in answer.citations[0].section
