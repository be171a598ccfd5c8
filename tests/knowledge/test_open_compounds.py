"""A compound written open ("help desk", "log in") and its joined form ("helpdesk", "login") are
one term, whichever of the two the rules or the question writes, in all three languages (issue
15): the knowledge base's own rules show which form they use, so no list of compounds is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.config import KnowledgeConfig
from knowledge.engine import KnowledgeEngine, build_engine
from knowledge.language import GLOSSARY, normalise_query, tokenize
from knowledge.retrieval import BM25Index, CompoundWords

OPEN_RULES = """# Support

## Contacting the help desk
The programme help desk answers on 051-111-222-333 from 9 a.m. to 5 p.m., Monday to Friday.
Write to the help desk from your registered address and include your application number.

## Signing in to the portal
Log in to the portal with your user name and the pass word sent by SMS after you apply.

## Licence length
A licence lasts six months from the day it is activated.

## Certificates
Coursera issues a certificate when you pass every graded assignment of a course.

## Refunds
Fees paid for the entry test are not refunded once the test date is announced.
"""

CLOSED_RULES = (
    OPEN_RULES.replace("help desk", "helpdesk")
    .replace("Log in", "Login")
    .replace("user name", "username")
    .replace("pass word", "password")
)


def _engine(tmp_path_factory: pytest.TempPathFactory, rules: str) -> KnowledgeEngine:
    docs: Path = tmp_path_factory.mktemp("compound-kb") / "docs"
    docs.mkdir()
    (docs / "support.md").write_text(rules, encoding="utf-8")
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path_factory.mktemp("compound-data")))
    engine.index_paths([docs])
    return engine


@pytest.fixture(scope="module")
def open_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeEngine]:
    engine = _engine(tmp_path_factory, OPEN_RULES)
    yield engine
    engine.shutdown()  # its question-encoding threads


@pytest.fixture(scope="module")
def closed_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeEngine]:
    engine = _engine(tmp_path_factory, CLOSED_RULES)
    yield engine
    engine.shutdown()


def _assert_answered_from(engine: KnowledgeEngine, question: str, section: str) -> None:
    evidence = engine.gather_evidence(question)
    # No word of the question counts against the rule, and every word is found in it.
    assert engine.retriever.unsupported_terms(evidence.query) == []
    assert evidence.passages[0].chunk.section.endswith(section)
    assert evidence.passages[0].coverage == pytest.approx(1.0)
    answer = engine.answer_sync(question)
    assert not answer.abstained, answer
    assert section in answer.citations[0].section


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("How do I contact the helpdesk?", "Contacting the help desk"),
        ("ہیلپ ڈیسک سے کیسے رابطہ کریں؟", "Contacting the help desk"),  # read as "helpdesk"
        ("helpdesk se kaise rabta karun?", "Contacting the help desk"),
        ("What is my username for the portal?", "Signing in to the portal"),
        ("How do I login to the portal?", "Signing in to the portal"),
    ],
)
def test_a_word_the_rules_write_open_is_read_as_they_write_it(
    open_engine: KnowledgeEngine, question: str, section: str
) -> None:
    _assert_answered_from(open_engine, question, section)


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("How do I contact the help desk?", "Contacting the helpdesk"),
        ("help desk ka number kya hai?", "Contacting the helpdesk"),
        ("What is my user name for the portal?", "Signing in to the portal"),
        ("How do I log in to the portal?", "Signing in to the portal"),
        ("portal par log in kaise karun?", "Signing in to the portal"),
    ],
)
def test_two_words_the_rules_write_joined_are_read_as_one(
    closed_engine: KnowledgeEngine, question: str, section: str
) -> None:
    _assert_answered_from(closed_engine, question, section)


def _vocabulary(*texts: str) -> CompoundWords:
    return CompoundWords(BM25Index(tokenize(text) for text in texts), texts)


def test_a_word_is_split_only_where_the_rules_write_its_halves_side_by_side() -> None:
    vocabulary = _vocabulary(
        "Ask the help desk.", "A scholar may not ship books.", "Login with your email."
    )
    assert vocabulary.split("helpdesk") == ("help", "desk")
    assert vocabulary.split("helpdesks") == ("help", "desks")
    assert vocabulary.split("scholarship") is None  # both halves used, never side by side
    assert vocabulary.split("login") is None  # the rules use the word itself
    # The word read as its halves is still one word of the question, weighed once.
    assert ("helpdesk", "help", "desk") in normalise_query("Call the helpdesk?", vocabulary).groups
    # A word read as its halves still counts against a rule that lacks them.
    query = normalise_query("Is there a scholarship?", vocabulary)
    assert ("scholarship",) in query.groups


def test_two_words_the_rules_both_use_are_not_joined_by_chance() -> None:
    vocabulary = _vocabulary("Submit both forms for MS admission.", "Ask the helpdesk.")
    query = normalise_query("What is required for MS admission?", vocabulary)
    assert "form" not in query.terms and ("ms",) in query.groups
    assert "helpdesk" in normalise_query("Where is the help desk?", vocabulary).terms


def test_a_glossary_reading_of_two_words_is_read_as_its_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A glossary row whose English reading is written open ("help desk"): its words and their
    # joined form are looked for, as one word of the question.
    monkeypatch.setitem(GLOSSARY, "madadgah", ("help desk",))
    query = normalise_query("madadgah ka number kya hai?")
    assert ("helpdesk", "help", "desk") in query.groups
    assert {"help", "desk", "helpdesk"} <= set(query.terms)
    rules = BM25Index([tokenize("Call the helpdesk."), tokenize("A licence lasts.")])
    assert rules.scores(query.terms)[0] > rules.scores(query.terms)[1]
