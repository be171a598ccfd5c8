"""How a Roman Urdu question is read (issue 15, fifth session): everyday words learners use
that no vocabulary read, and words of two senses decided by the words around them."""

from __future__ import annotations

import pytest

from knowledge.language import Language, clause_bounds, detect_language, normalise_query


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("Fellowship ke liye zyada se zyada umar kitni ho sakti hai?", "age"),
        ("Certificate gum ho jaye to dobara kaise milega?", "lost"),
        ("koi banda licence bech raha hai", "person"),
        ("mere bhai ne kaha wo meri jagah quiz de dega", "instead"),
        ("helpdesk wale kis time phone uthate hain?", "answer"),
        ("Service certificate kis se sign karwana hai?", "who"),
        ("FSc wale students apply kar sakte hain?", "intermediate"),
        ("kya fees maaf ho sakti hai?", "waive"),
        ("semester ki fees qiston mein jama ho sakti hai?", "instalments"),
        ("deadline mein mohlat mil sakti hai?", "extension"),
        ("meri darkhwast mustarad kyun hui?", "rejected"),
    ],
)
def test_everyday_roman_urdu_words_reach_the_rules_words(question: str, english: str) -> None:
    query = normalise_query(question)
    assert query.language is Language.ROMAN_URDU
    assert english in query.glossed


@pytest.mark.parametrize(
    ("question", "misread"),
    [
        # "banda" (a person) is no inflection of "band" (closed).
        ("koi banda licence bech raha hai", "closed"),
        # "bachon" (children) is no form of "bachna" (to be saved).
        ("kya fellows ke bachon ki fees maaf hoti hai?", "save"),
    ],
)
def test_an_everyday_word_is_not_read_as_a_word_it_resembles(question: str, misread: str) -> None:
    assert misread not in normalise_query(question).glossed


@pytest.mark.parametrize(
    "question",
    [
        "mere bhai ne kaha wo meri jagah quiz de dega",
        "ek mahina parh nahi saka, licence chala gaya?",
        "QAU ki dusri merit list kab aayegi",
    ],
)
def test_the_everyday_forms_of_dena_sakna_and_aana_are_grammar_words(question: str) -> None:
    """The words "dega", "saka", "aayegi" were unread words (searched for, and counted as the
    question's content); they are forms of give, can and come, as "deta" and "aayega" are."""
    query = normalise_query(question)
    assert not {"dega", "saka", "aayegi"} & set(query.terms)


def test_everyday_words_make_a_question_roman_urdu() -> None:
    """The word "shaadi" (a wedding) is only Roman Urdu: the question is not English."""
    assert detect_language("shaadi leave policy?") is Language.ROMAN_URDU


@pytest.mark.parametrize(
    "question",
    [
        "licence ke liye koi fee ya payment deni paregi?",
        "kya mujhe dobara apply karna parega?",
        "form dobara bharna parta hai?",
    ],
)
def test_parna_after_an_infinitive_is_have_to_not_read(question: str) -> None:
    """The words "deni paregi" are "will have to pay" (padna), not "will read" (parhna)."""
    query = normalise_query(question)
    assert "study" not in query.glossed and "read" not in query.glossed


def test_parna_alone_is_still_read() -> None:
    assert "study" in normalise_query("mujhe kitaab parni hai").glossed
    assert "study" in normalise_query("kya main phone pe parh sakta hun?").glossed


@pytest.mark.parametrize(
    "question",
    [
        "Kya main apna mentor badalwa sakti hoon?",
        "licence ki koi fees hai kya?",
        "mera cousin Dubai mein hai, kya wo mera licence istemal kar sakta hai?",
    ],
)
def test_kya_at_a_clauses_edge_marks_a_yes_no_question(question: str) -> None:
    """First or last in its clause "kya" only makes the sentence a question; read as "what"
    it pulled the search towards headings that ask "What ..."."""
    query = normalise_query(question)
    assert query.language is Language.ROMAN_URDU
    assert "what" not in query.glossed and "what" not in query.terms


@pytest.mark.parametrize(
    "question",
    [
        "helpdesk ka email kya hai?",
        "deadline miss ho gayi yaar, ab kya karun?",
        "focal person reply nahi kar raha, kya karun",
        "license expire hone ke baad mere certificates ka kya hoga",
    ],
)
def test_kya_asking_what_is_still_what(question: str) -> None:
    assert "what" in normalise_query(question).glossed


@pytest.mark.parametrize(
    "question",
    ["licence ki last date bata do", "mujhe licence de do", "theek kar do please", "bata do na"],
)
def test_do_closing_a_request_is_the_verb_give_not_two(question: str) -> None:
    """The words "bata do" are "tell (me)": read as "2, two" it made a number decide the match."""
    query = normalise_query(question)
    assert "two" not in query.glossed and "2" not in query.terms


@pytest.mark.parametrize(
    "question",
    [
        "kya main do course ek saath kar sakta hoon?",
        "do din se intezar kar raha hun, kya karun?",
        "mujhe do certificate chahiye",
    ],
)
def test_do_before_what_it_counts_is_still_two(question: str) -> None:
    assert "two" in normalise_query(question).glossed


def test_clause_bounds_are_each_clauses_first_and_last_word() -> None:
    firsts, lasts = clause_bounds("mera cousin Dubai mein hai, kya wo licence le sakta hai?")
    assert (firsts, lasts) == ({0, 5}, {4, 10})
    assert clause_bounds("kya?") == ({0}, {0})
    assert clause_bounds("") == (frozenset(), frozenset())
