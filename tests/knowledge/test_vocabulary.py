"""The vocabularies are data files HEC can extend (knowledge/vocab/), and the Roman Urdu
lexicon covers everyday words: verbs, time words, numbers, programme words."""

from __future__ import annotations

import pytest

from knowledge.language import (
    GLOSSARY,
    ROMAN_URDU_FUNCTION_WORDS,
    ROMAN_URDU_LEXICON,
    ROMAN_VARIANTS,
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


@pytest.mark.parametrize(
    "question",
    [
        "How do I apply to the programme?",  # "to" and "the" are Roman Urdu spellings too
        "Is the main portal down?",
        "Hi, how do I apply?",
        "What happens to my certificates when the licence expires?",
        "I graduate in the middle of the cohort. Does my licence stop?",
        "Can I use my phone to study?",  # "phone" is a spelling of Roman Urdu "fon"
        "Is there a list of the courses I can take?",  # "list": a spelling of "fehrist"
    ],
)
def test_a_plain_english_question_is_english_whatever_words_it_shares_with_urdu(
    question: str,
) -> None:
    assert detect_language(question) is Language.ENGLISH


@pytest.mark.parametrize(
    "question",
    [
        "certificate milega?",
        "licence renew kab hoga",
        "apply kaise karun",
        "kya main do course ek saath kar sakta hoon?",
        "mera licence expire ho gaya, what should I do?",  # mixed: as much Urdu as English
    ],
)
def test_a_roman_urdu_question_needs_one_word_only_urdu_uses(question: str) -> None:
    assert detect_language(question) is Language.ROMAN_URDU


def test_no_word_of_the_lexicon_is_listed_twice() -> None:
    # A second row for a word would silently replace the first one's spellings and sense.
    words = [row[0] for row in _rows("roman_urdu_lexicon.tsv")]
    assert len(words) == len(set(words)), sorted(w for w in set(words) if words.count(w) > 1)


def _rows(name: str) -> list[list[str]]:
    lines = (VOCAB_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("verbs", "karta kiya karega milega mila lagega rahega bataya samjha bhejna jama parhna"),
        ("time words", "aaj kal parson subah shaam raat hafta mahina saal ghanta jaldi baad roz"),
        ("numbers", "ek do teen char paanch das gyarah bees pachees tees chalis pachas sau hazar"),
        ("programme words", "darkhwast dakhla sanad imtihan natija parhai muattal mansookh"),
    ],
)
def test_the_lexicon_knows_everyday_roman_urdu(kind: str, words: str) -> None:
    unknown = [
        word
        for word in words.split()
        if ROMAN_VARIANTS.get(word, word) not in GLOSSARY
        and ROMAN_VARIANTS.get(word, word) not in ROMAN_URDU_LEXICON
        and word not in ROMAN_URDU_FUNCTION_WORDS
    ]
    assert not unknown, (kind, unknown)


def test_perfective_forms_are_words_learners_write() -> None:
    # "bataya", not a mechanical "bataa".
    assert {"bataya", "banaya", "hataya"} <= set(ROMAN_URDU_LEXICON)
    assert not {"bataa", "banaa", "hataa"} & set(ROMAN_URDU_LEXICON)
