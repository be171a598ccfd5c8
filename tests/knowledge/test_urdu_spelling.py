"""Urdu-script spellings a learner may type are read as the vocabularies write them (digits,
izafat letters, vowel marks, compounds written joined or apart; helper urdu6, sixth session)."""

from __future__ import annotations

import pytest

from knowledge.language import (
    GLOSSARY,
    message_words,
    normalise_query,
    phrase_words,
)


def test_urdu_digits_are_read_as_the_rules_write_numbers() -> None:
    # Phone keyboards give ۳۰ (and Arabic ٣٠); the rules write 30.
    for question in ("لائسنس ۳۰ دن بعد ختم ہوتا ہے؟", "لائسنس ٣٠ دن بعد ختم ہوتا ہے؟"):
        query = normalise_query(question)
        assert "30" in query.terms and "۳۰" not in query.unread, query
    assert message_words("۲۱ دن") == ["21", "دن"]


def test_the_izafat_heh_is_the_plain_heh() -> None:
    # "ضابطۂ اخلاق" (code of conduct) as most writers type it, "ضابطہ اخلاق"; both forms of ۂ.
    plain = normalise_query("ضابطہ اخلاق کیا ہے؟").glossed
    assert "rules" in plain
    assert normalise_query("ضابطۂ اخلاق کیا ہے؟").glossed == plain
    assert normalise_query("ضابطۂ اخلاق کیا ہے؟").glossed == plain
    assert phrase_words("ضابطۂ") == phrase_words("ضابطہ")


def test_a_vocabulary_row_with_a_vowel_mark_meets_the_question() -> None:
    # The lexicon writes "فوراً" (at once); a question's words lose their marks, so the row
    # must too, or it never matches.
    assert "soon" in normalise_query("مجھے فوراً سرٹیفکیٹ چاہیے").glossed


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("ایمیل نہیں آئی", "email"),  # "ای میل" joined
        ("دعوتنامہ نہیں ملا", "invitation"),  # "دعوت نامہ" joined
        ("سرٹی فکیٹ کب ملےگا", "certificate"),  # "سرٹیفکیٹ" apart, "ملے گا" joined
    ],
)
def test_a_compound_is_one_word_written_joined_or_apart(question: str, english: str) -> None:
    assert english in normalise_query(question).glossed


def test_two_words_of_their_own_are_not_joined() -> None:
    # Each half a vocabulary word: the question reads as written.
    assert "ای میل" in GLOSSARY and "ایمیل" in GLOSSARY
    query = normalise_query("کورس فیس کتنی ہے")
    assert {"course", "fee"} <= set(query.glossed)
