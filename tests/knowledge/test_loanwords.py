"""English loanwords in Urdu script: read by consonant skeleton, then checked like English words."""

from __future__ import annotations

import pytest

from knowledge.answering import judge_evidence
from knowledge.chunking import Chunk
from knowledge.config import RetrievalThresholds
from knowledge.language import (
    Language,
    english_loanword,
    english_skeletons,
    normalise_query,
    stem,
    tokenize,
    urdu_skeleton,
)
from knowledge.retrieval import BM25Index, HybridRetriever, ScoredPassage, unsupported_terms
from tests.knowledge.test_abstention import RULES, FakeStore


@pytest.mark.parametrize(
    ("urdu", "english"),
    [
        ("لیپٹاپ", "laptop"),
        ("اسکالرشپ", "scholarship"),  # "sch" is sk; the initial alif is a vowel
        ("پاسپورٹ", "passport"),
        ("سرٹیفکیٹ", "certificate"),  # soft c is s
        ("یونیورسٹی", "university"),  # initial ی is the "yu" of "university"
        ("ایپلیکیشن", "application"),  # "tion" is written شن
        ("کالج", "college"),  # soft g is j
    ],
)
def test_a_loanword_and_its_english_word_share_a_skeleton(urdu: str, english: str) -> None:
    assert urdu_skeleton(urdu) in english_skeletons(english)


def test_native_letters_and_dental_t_d_keep_urdu_words_from_reading_as_english() -> None:
    assert urdu_skeleton("تصدیق") is None  # ص and ق spell Arabic sounds English lacks
    assert urdu_skeleton("پڑھنے") is None  # ڑ and ھ are native
    # English t/d are written ٹ/ڈ; the dental ت/د of "درخواست" never meet "darkest".
    assert urdu_skeleton("درخواست") is None  # (خ too)
    assert urdu_skeleton("دسٹ") not in english_skeletons("dust")
    assert urdu_skeleton("ڈسٹ") in english_skeletons("dust")
    assert urdu_skeleton("مست") not in english_skeletons("must")
    assert urdu_skeleton("مسٹ") in english_skeletons("must")


@pytest.mark.parametrize(
    ("urdu", "reading"),
    [
        ("پاسپورٹ", "passport"),  # five consonants
        ("کرکٹ", "cricket"),  # four, with a retroflex ٹ
        ("اسکالرشپ", "scholarship"),
    ],
)
def test_long_or_retroflex_skeletons_are_read_as_english(urdu: str, reading: str) -> None:
    assert reading in english_loanword(urdu)


@pytest.mark.parametrize(
    "urdu",
    [
        "سکتے",  # "can": s-k-t would be "skate", too short to tell
        "کرنا",  # "to do": k-r-n, "corn"
        "ملک",  # "country": m-l-k, "milk"
        "ویزا",  # a real loanword (visa), but two consonants are too few: a miss, not an error
        "جرمنی",  # four consonants without a retroflex letter
    ],
)
def test_short_skeletons_are_not_read(urdu: str) -> None:
    assert english_loanword(urdu) == ()


def test_urdu_question_gets_a_group_for_each_loanword_and_keeps_its_text() -> None:
    question = normalise_query("ایچ ای سی کا لیپ ٹاپ کب ملے گا؟")
    assert question.language is Language.URDU
    laptop = (stem("laptop"),)
    assert laptop in question.groups  # "لیپ ٹاپ", written apart, read together
    assert question.loanwords[laptop] == ("laptop",)
    assert (
        "laptop" not in question.text and stem("laptop") not in question.terms
    )  # retrieval as before
    # Roman Urdu and English questions are read as before.
    assert not normalise_query("laptop scheme mein apply kaise karte hain?").loanwords


def bm25(*texts: str) -> BM25Index:
    return BM25Index([tokenize(text) for text in texts])


def test_a_loanword_the_knowledge_base_never_uses_is_unsupported() -> None:
    question = normalise_query("بیرون ملک اسکالرشپ کے لیے کیا کرنا ہوگا؟")
    assert unsupported_terms(question, bm25(*RULES)) == ["scholarship"]
    assert unsupported_terms(question, bm25(*RULES, "No scholarships are given.")) == []
    # A loanword the rules use is supported: "اسٹوڈنٹس" reads as "students". (Not one of
    # the Urdu lexicon's words, which are read as their English words without a skeleton.)
    supported = normalise_query("لائسنس ختم ہونے کے بعد اسٹوڈنٹس کا کیا ہوگا؟")
    assert (stem("students"),) in supported.loanwords
    assert unsupported_terms(supported, bm25(*RULES)) == []
    # A skeleton with several readings is unsupported only when the rules use none of them.
    cricket = normalise_query("کرکٹ کا میچ کب ہے؟")
    assert unsupported_terms(cricket, bm25(*RULES)) == ["correct/cricket"]
    assert unsupported_terms(cricket, bm25(*RULES, "Give the correct email.")) == []


def only_passage(dense: float, dense_z: float) -> list[ScoredPassage]:
    rule = Chunk("c0", RULES[0], "Rules", "Rule 0", "rule-0.md", "test", "x", 0)
    return [ScoredPassage(rule, 1.0, dense, 0.0, dense_z)]


def test_an_urdu_question_with_an_unsupported_loanword_is_no_longer_judged_by_similarity() -> None:
    retriever = HybridRetriever(FakeStore(RULES), RetrievalThresholds())  # type: ignore[arg-type]
    retriever.load()
    thresholds = RetrievalThresholds(min_dense=0.8, strong_dense=0.85, unsupported_min_z=2.5)
    question = normalise_query("ایچ ای سی کا لیپ ٹاپ کب ملے گا؟")  # no glossary content word
    for dense in (0.82, 0.87):  # a plausible match, then a strong one; nothing stands out
        judged = judge_evidence(question, only_passage(dense, 2.0), retriever, thresholds)
        assert not judged.answerable, judged.reason
        assert "laptop" in judged.reason or "coverage" in judged.reason
    # One passage clearly about the question keeps the paraphrase pass, as in English.
    assert judge_evidence(question, only_passage(0.87, 3.4), retriever, thresholds).answerable
    # Without a loanword the Urdu question is judged by similarity alone, as before.
    native = normalise_query("ہم نے سنا ہے کہ اب کیا ہوگا")
    assert not native.groups
    assert judge_evidence(native, only_passage(0.82, 2.0), retriever, thresholds).answerable
