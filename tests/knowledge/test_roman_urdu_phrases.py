"""Roman Urdu phrases of a word and a verb read as one (issue 15, sixth session): the verb
decides the sense ("paise lagte" is cost, "din lagte" take; vocab/roman_urdu_phrases.tsv)."""

from __future__ import annotations

import pytest

from knowledge.language import Language, normalise_query


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("apni application wapas lena chahta hun", "withdraw"),
        ("application wapis le sakti hoon?", "withdraw"),
        ("certificate ke paise lagte hain kya?", "cost"),
        ("kya licence ki fees lagegi?", "cost"),
        ("paise bhi lagenge?", "cost"),  # an emphatic particle inside the phrase
        ("bhai meri jagah quiz de dega?", "take"),
        ("workshop mein hissa le sakti hoon?", "participate"),
        ("course khatam karne ke baad certificate kab milega", "complete"),
        ("helpdesk wale kis time phone uthate hain?", "hours"),
        ("focal person se kis waqt baat ho sakti hai", "hours"),
    ],
)
def test_a_word_and_its_verb_are_read_as_their_phrase(question: str, english: str) -> None:
    query = normalise_query(question)
    assert query.language is Language.ROMAN_URDU
    assert english in query.glossed


@pytest.mark.parametrize(
    ("question", "misread"),
    [
        # "lagte" after money is cost, not "take" (time).
        ("certificate ke paise lagte hain kya?", "take"),
        ("paise bhi lagenge?", "take"),  # an emphatic particle inside the phrase
        # A course finishing is completed; only a licence expires.
        ("certificate kab milega course khatam hone ke baad?", "expire"),
        # "kis time" asks at what time, not who.
        ("helpdesk wale kis time phone uthate hain?", "who"),
        # "wapas lena" is withdrawing, not coming back.
        ("apni application wapas lena chahta hun", "return"),
    ],
)
def test_a_phrase_does_not_keep_its_words_other_senses(question: str, misread: str) -> None:
    assert misread not in normalise_query(question).glossed


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("kitne din lagte hain?", "take"),  # lagna without money: take (time)
        ("licence wapas kaise milega", "back"),  # wapas without lena: back
        ("licence kab khatam hota hai", "expire"),  # khatam hona: end, expire
        ("certificate kis se sign karwana hai?", "who"),  # "kis" without a time: who
    ],
)
def test_the_words_alone_keep_their_own_sense(question: str, english: str) -> None:
    assert english in normalise_query(question).glossed


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("helpdesk ka daftar kis sheher mein hai", "city"),
        ("results kis akhbaar mein chhapte hain", "newspaper"),
    ],
)
def test_everyday_words_in_their_other_spellings(question: str, english: str) -> None:
    assert english in normalise_query(question).glossed


def test_taake_so_that_is_a_grammar_word() -> None:
    query = normalise_query("email kis address se aati hai taake spam mein na jaye")
    assert not {"taak", "taake"} & set(query.terms)
