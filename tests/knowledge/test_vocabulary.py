"""The vocabularies are data files HEC can extend (knowledge/vocab/), and the Roman Urdu
lexicon covers everyday words: verbs, time words, numbers, programme words."""

from __future__ import annotations

from knowledge.language import (
    GLOSSARY,
    ROMAN_URDU_LEXICON,
    VOCAB_DIR,
    Language,
    detect_language,
    normalise_query,
)


def test_the_vocabularies_are_files_shipped_with_the_package() -> None:
    names = {path.name for path in VOCAB_DIR.iterdir()}
    assert {"spelling.tsv", "roman_variants.tsv", "glossary_roman_urdu.tsv"} <= names
    assert {"glossary_urdu.tsv", "roman_urdu_lexicon.tsv", "english_stopwords.txt"} <= names


def test_the_roman_urdu_lexicon_has_600_entries_with_several_spellings() -> None:
    assert len(ROMAN_URDU_LEXICON) >= 600
    spellings = sum(1 + len(other) for other, _ in ROMAN_URDU_LEXICON.values())
    assert spellings >= 2 * len(ROMAN_URDU_LEXICON)


def test_do_before_course_is_the_number_two() -> None:
    query = normalise_query("kya main do course ek saath kar sakta hoon?")
    assert query.language is Language.ROMAN_URDU
    assert ("2", "two") in query.groups
    assert "same" in query.glossed  # "ek saath": at the same time


def test_a_friends_licence_reaches_the_rule_on_personal_licences() -> None:
    query = normalise_query("dost ka licence istemal kar sakta hoon?")
    assert ("friend",) in [g[:1] for g in query.groups] and ("use",) in query.groups
    assert GLOSSARY["istemal"] == ("use",)


def test_grammar_words_that_are_english_words_do_not_make_english_read_as_urdu() -> None:
    assert detect_language("Can Jane take two courses?") is Language.ENGLISH
