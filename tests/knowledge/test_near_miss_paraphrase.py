"""A strong paraphrase match no longer answers alone when the closest rule lacks words that
other rules use (issue 15, fifth session, helper nearmiss5).

A question whose best passage has a cosine at least ``strong_dense`` was answered without any
word check. Near misses are worded like a rule but ask what it does not say: "how many days
before my licence ends does a reminder message come?" is close to the rule on how long a licence
lasts, which says nothing of reminders. Its words "reminder" and "message" are the knowledge
base's words, used by another rule; the closest rule lacks both. With
``elsewhere_withdraws_dense`` (Urdu: 2) that many such words withdraw the paraphrase pass and
coverage must agree. Words no rule uses are ``unsupported_terms``' business, and numbers are a
question's details, so neither counts.
"""

from __future__ import annotations

import dataclasses

from knowledge.answering import judge_evidence
from knowledge.config import LANGUAGE_THRESHOLDS, RetrievalThresholds
from knowledge.language import normalise_query
from knowledge.retrieval import HybridRetriever
from tests.knowledge.test_abstention import FakeStore
from tests.knowledge.test_urdu_version_ranking import SameVectorEmbedder

RULES = (
    "A licence lasts six months from the day it is activated.",
    "A reminder message is sent by email before the application deadline.",
    "Certificates appear on your profile after you finish a course.",
)
# Worded like rule 0, asking what rule 2 and rule 1 speak of: a near miss.
REMINDER = "How many days before my licence ends does a reminder message come?"
# A paraphrase of rule 0 with one word (course) another rule uses: in scope.
DURATION = "How many months does a licence last for a course?"
URDU_REMINDER = "لائسنس ختم ہونے سے کتنے دن پہلے یاد دہانی کا پیغام آتا ہے؟"


def retriever() -> HybridRetriever:
    # One vector for every text: every passage is a perfect paraphrase (cosine 1.0), and none
    # stands out, so only the words can tell the questions apart.
    store = FakeStore(RULES, SameVectorEmbedder())
    loaded = HybridRetriever(store, RetrievalThresholds())  # type: ignore[arg-type]
    loaded.load()
    return loaded


def judged_on_rule_0(question: str, thresholds: RetrievalThresholds) -> tuple[bool, str]:
    r = retriever()
    query = normalise_query(question)
    passages = [p for p in r.retrieve(query, top_k=3) if p.chunk.id == "c0"]
    evidence = judge_evidence(query, passages, r, thresholds)
    return evidence.answerable, evidence.reason


def test_words_other_rules_use_are_the_closest_rules_missing_words() -> None:
    r = retriever()
    assert r.used_elsewhere(normalise_query(REMINDER), r.chunks[0]) == ["reminder", "message"]
    assert r.used_elsewhere(normalise_query(DURATION), r.chunks[0]) == ["course"]
    # Words no rule uses ("expires", "come") and numbers do not count.
    assert r.used_elsewhere(normalise_query("Does it expire after 30 days?"), r.chunks[0]) == []
    # Read against the rule that speaks of reminders, the licence's words are missing instead.
    assert r.used_elsewhere(normalise_query(REMINDER), r.chunks[1]) == ["days", "licence"]


def test_two_such_words_withdraw_the_paraphrase_pass() -> None:
    off = RetrievalThresholds(min_coverage=0.40)
    on = dataclasses.replace(off, elsewhere_withdraws_dense=2)
    answered, reason = judged_on_rule_0(REMINDER, off)
    assert answered and "strong" in reason
    answered, reason = judged_on_rule_0(REMINDER, on)
    assert not answered
    assert "not in the closest rule: reminder, message" in reason
    # One such word keeps the pass.
    answered, reason = judged_on_rule_0(DURATION, on)
    assert answered and "strong" in reason


def test_urdu_withdraws_the_paraphrase_pass_on_two_words_other_rules_use() -> None:
    urdu = LANGUAGE_THRESHOLDS["ur"]
    assert urdu.elsewhere_withdraws_dense == 2
    # English and Roman Urdu, and the defaults, are judged as before.
    assert all(
        t.elsewhere_withdraws_dense == 0 for k, t in LANGUAGE_THRESHOLDS.items() if k != "ur"
    )
    assert RetrievalThresholds().elsewhere_withdraws_dense == 0
    # The glossary reads یاد دہانی and پیغام as "remind" and "message", both rule 1's words.
    answered, reason = judged_on_rule_0(URDU_REMINDER, urdu)
    assert not answered and "not in the closest rule" in reason
    answered, _ = judged_on_rule_0(
        URDU_REMINDER, dataclasses.replace(urdu, elsewhere_withdraws_dense=0)
    )
    assert answered
