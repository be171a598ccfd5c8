"""Whether to answer an Urdu-script question also reads the rules' Urdu versions (issue 15).

The question's words are checked on the English rules through the bundled glossary and lexicon;
a knowledge base's own Urdu versions use words that glossary does not know. On dev_kb3 (a
fictional teachers' fellowship) "جعلی کاغذات جمع کرانے کی کیا سزا ہے؟" was declined: the only
word read into English, سزا "penalty", is not in the English rule ("permanent disqualification"),
while the rule's Urdu version says جعلی and کاغذات. With ``urdu_version_weight``, words the glossary
does not read count as found when the Urdu version of a judged passage uses them, and a glossary
word counts as found when that version uses the Urdu word itself. Knowledge bases without Urdu
versions, and other languages, are judged exactly as before. Alone it answered out-of-scope
Urdu questions worded like a rule (near misses) on a never-tuned set; shipped for Urdu only where
two of the question's unread words are in one judged passage's version
(``urdu_version_min_shared``): every dev near miss it answered shared one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from knowledge.answering import judge_evidence
from knowledge.chunking import Chunk
from knowledge.config import LANGUAGE_THRESHOLDS, RetrievalThresholds
from knowledge.language import Language, is_function_word, normalise_query
from knowledge.retrieval import HybridRetriever
from tests.knowledge.test_abstention import FakeStore, chunk
from tests.knowledge.test_urdu_version_ranking import SameVectorEmbedder, urdu_version

RULES = (
    "Giving a false document leads to permanent disqualification.",
    "Maternity leave pauses the fellowship.",
    "Workshops run on Saturdays.",
    "The help desk answers calls on weekdays.",
    "A fellow may ask for a different mentor once.",
)
# Urdu versions of the first four rules (enough sections for the Urdu words' IDF to mean
# something); the last rule has none.
VERSIONS = {
    0: "جعلی کاغذ دینے پر آپ ہمیشہ کے لیے نااہل ہو جاتے ہیں۔ کاغذات کی جانچ ضلعی دفتر کرتا ہے۔",
    1: "زچگی کی چھٹی فیلوشپ کو روک دیتی ہے۔",
    2: "ورکشاپیں ہفتے کے دن ہوتی ہیں۔",
    3: "ہیلپ ڈیسک کام کے دنوں میں کالوں کا جواب دیتا ہے۔",
}
FALSE_DOCUMENTS = "جعلی کاغذات جمع کرانے کی کیا سزا ہے؟"  # penalty for false documents?
MATERNITY = "زچگی کی چھٹی لینے پر کیا ہوگا؟"  # what happens on maternity leave?
URDU_QUESTIONS = (FALSE_DOCUMENTS, MATERNITY, "چھٹی کب ملتی ہے؟", "ورکشاپ کب ہے؟")
OTHER_QUESTIONS = ("What is the penalty for a false document?", "chutti kab milti hai?")

# The weight chosen on dev_kb3 and the dev split (an Urdu word weighs as an English word of the
# same rarity), shipped for Urdu with the two-word rule.
DEV_WEIGHT = 1.0
# A near miss: worded like rule 3 (the help desk answers calls) but asking whether the cost of a
# call is paid back, which no rule says. Its one unread word (کال) is in rule 3's Urdu version.
CALL_COST = "ہیلپ ڈیسک پر کی گئی کال کا خرچہ واپس ملتا ہے؟"


def retriever_over(*, versions: bool) -> HybridRetriever:
    chunks: list[Chunk] = [chunk(i, text) for i, text in enumerate(RULES)]
    if versions:
        chunks += [urdu_version(i, text) for i, text in VERSIONS.items()]
    store = FakeStore.of_chunks(chunks, SameVectorEmbedder())
    loaded = HybridRetriever(store, RetrievalThresholds())  # type: ignore[arg-type]
    loaded.load()
    return loaded


def rule(retriever: HybridRetriever, index: int) -> Sequence[Chunk]:
    return [retriever.chunks[index]]


def test_the_unread_words_are_the_urdu_words_no_vocabulary_reads() -> None:
    # سزا is read (penalty); کی, کیا, ہے are grammar; the rest no vocabulary knows.
    assert normalise_query(FALSE_DOCUMENTS).unread == ("جعلی", "کاغذات", "جمع", "کرانے")
    # چھٹی is read (holiday), لینے is a light verb of the lexicon (لینا: no topic).
    assert normalise_query(MATERNITY).unread == ("زچگی",)
    assert normalise_query(MATERNITY).urdu_spellings == {("holiday",): (("چھٹی",),)}
    # A loanword is read into English ("workshop"), not left unread.
    assert normalise_query("ورکشاپ کب ہے؟").unread == ()
    for question in OTHER_QUESTIONS:
        query = normalise_query(question)
        assert query.unread == () and query.urdu_spellings == {}


def test_an_unread_word_the_rules_urdu_version_uses_counts_as_found() -> None:
    retriever = retriever_over(versions=True)
    query = normalise_query(FALSE_DOCUMENTS)
    # "penalty" is not in the English rule: nothing found without the Urdu version.
    assert retriever.coverage(query, rule(retriever, 0)) == 0.0
    # Above the Urdu floor (0.40), from the two words the version uses (جعلی, کاغذات).
    assert retriever.coverage(query, rule(retriever, 0), version_weight=DEV_WEIGHT) > 0.45
    # Another rule's version does not use those words; a rule without one changes nothing.
    assert retriever.coverage(query, rule(retriever, 1), version_weight=DEV_WEIGHT) == 0.0
    assert retriever.coverage(query, rule(retriever, 4), version_weight=DEV_WEIGHT) == 0.0


def test_a_glossary_word_the_english_rule_does_not_use_is_found_in_its_urdu_version() -> None:
    # چھٹی is read as "holiday"; the English rule says "leave", its Urdu version چھٹی.
    retriever = retriever_over(versions=True)
    query = normalise_query("چھٹی کب ملتی ہے؟")
    assert retriever.coverage(query, rule(retriever, 1)) == 0.0
    assert retriever.coverage(
        query, rule(retriever, 1), version_weight=DEV_WEIGHT
    ) == pytest.approx(1.0)


def coverage_decides(thresholds: RetrievalThresholds) -> RetrievalThresholds:
    # One vector for every text: the dense pass would answer anything; coverage must decide.
    return dataclasses.replace(thresholds, min_dense=-1.0, strong_dense=2.0)


def test_the_weight_alone_answers_from_the_rule_its_urdu_version_states() -> None:
    # Any version judged vouches (urdu_version_min_shared 0), as urdujudge5 measured it.
    retriever = retriever_over(versions=True)
    urdu = dataclasses.replace(
        coverage_decides(LANGUAGE_THRESHOLDS["ur"]),
        urdu_version_weight=DEV_WEIGHT,
        urdu_version_min_shared=0,
    )
    for question, index in ((FALSE_DOCUMENTS, 0), (MATERNITY, 1)):
        query = normalise_query(question)
        passages = [p for p in retriever.retrieve(query, top_k=4) if p.chunk.id == f"c{index}"]
        assert judge_evidence(query, passages, retriever, urdu).answerable, question
    for question, index in ((FALSE_DOCUMENTS, 0), (MATERNITY, 1)):
        query = normalise_query(question)
        passages = [p for p in retriever.retrieve(query, top_k=4) if p.chunk.id == f"c{index}"]
        off = dataclasses.replace(urdu, urdu_version_weight=0.0)
        assert not judge_evidence(query, passages, retriever, off).answerable, question


def judged_on_rule(question: str, index: int, thresholds: RetrievalThresholds) -> bool:
    retriever = retriever_over(versions=True)
    query = normalise_query(question)
    passages = [p for p in retriever.retrieve(query, top_k=4) if p.chunk.id == f"c{index}"]
    return judge_evidence(query, passages, retriever, coverage_decides(thresholds)).answerable


def test_urdu_reads_the_rules_urdu_versions_when_one_shares_two_unread_words() -> None:
    # جعلی and کاغذات, both unread, are in rule 0's Urdu version: answered with the shipped Urdu
    # setting, declined with the version reading off.
    urdu = LANGUAGE_THRESHOLDS["ur"]
    assert urdu.urdu_version_weight == DEV_WEIGHT and urdu.urdu_version_min_shared == 2
    assert judged_on_rule(FALSE_DOCUMENTS, 0, urdu)
    assert not judged_on_rule(FALSE_DOCUMENTS, 0, dataclasses.replace(urdu, urdu_version_weight=0))
    # Only Urdu: English and Roman Urdu questions, and the defaults, never read the versions.
    assert all(
        t.urdu_version_weight == 0.0 for lang, t in LANGUAGE_THRESHOLDS.items() if lang != "ur"
    )
    assert RetrievalThresholds().urdu_version_weight == 0.0


def test_a_version_sharing_one_unread_word_with_a_near_miss_vouches_for_nothing() -> None:
    assert normalise_query(CALL_COST).unread == ("کال",)
    urdu = LANGUAGE_THRESHOLDS["ur"]
    assert not judged_on_rule(CALL_COST, 3, urdu)
    # Any version judged (urdu_version_min_shared 0, as the weight alone read them): its one word
    # and the Urdu spelling of "help desk" lift the coverage above the floor, and it is answered.
    assert judged_on_rule(CALL_COST, 3, dataclasses.replace(urdu, urdu_version_min_shared=0))
    # The price: MATERNITY shares one unread word (زچگی) with rule 1's version and is declined
    # too (dev_kb3's own question also names the fellowship, which the version uses).
    assert not judged_on_rule(MATERNITY, 1, urdu)
    retriever = retriever_over(versions=True)
    query = normalise_query(CALL_COST)
    assert retriever.coverage(query, rule(retriever, 3), version_weight=DEV_WEIGHT) > 0.40
    assert (
        retriever.coverage(
            query, rule(retriever, 3), version_weight=DEV_WEIGHT, version_min_shared=2
        )
        == 0.0
    )


@pytest.mark.parametrize("question", [*URDU_QUESTIONS, *OTHER_QUESTIONS])
def test_without_urdu_versions_or_in_other_languages_the_judgement_is_unchanged(
    question: str,
) -> None:
    query = normalise_query(question)
    retrievers = [retriever_over(versions=False)]
    if query.language is not Language.URDU:
        retrievers.append(retriever_over(versions=True))
    for retriever in retrievers:
        passages = retriever.retrieve(query, top_k=4)
        for index in range(len(RULES)):
            assert retriever.coverage(
                query, rule(retriever, index), version_weight=DEV_WEIGHT
            ) == retriever.coverage(query, rule(retriever, index)), (question, index)
        urdu = dataclasses.replace(
            coverage_decides(LANGUAGE_THRESHOLDS["ur"]), urdu_version_weight=DEV_WEIGHT
        )
        off = dataclasses.replace(urdu, urdu_version_weight=0.0)
        assert judge_evidence(query, passages, retriever, urdu) == judge_evidence(
            query, passages, retriever, off
        )


def test_the_oblique_plural_of_wala_is_a_grammar_word() -> None:
    # "کمپیوٹر سائنس والوں کے لیے" (for computer science people): والوں is والا, والی, والے in
    # the oblique plural, no topic; an Urdu version's "مکمل کرنے والوں" must not support it.
    assert all(is_function_word(w) for w in ("والا", "والی", "والے", "والوں"))
    assert "والوں" not in normalise_query("کمپیوٹر سائنس والوں کے لیے نوکریاں ہیں؟").unread


# The lexicon reads خرچ (and خرچہ, لاگت) as its head word قیمت, "cost"; a knowledge base's Urdu
# version that writes خرچ, as the question does, must confirm "cost" all the same.
TRAVEL_RULES = (
    "The fellowship pays for travel to workshops.",
    "The cost of a laptop is not paid back.",
)
TRAVEL_VERSIONS = {0: "ورکشاپ کے سفر کا خرچ فیلوشپ دیتی ہے۔", 1: "لیپ ٹاپ کی قیمت واپس نہیں ملتی۔"}
TRAVEL_COST = "سفر کا خرچ کون دیتا ہے؟"  # who pays the cost of travel?


def travel_retriever() -> HybridRetriever:
    chunks: list[Chunk] = [chunk(i, text) for i, text in enumerate(TRAVEL_RULES)]
    chunks += [urdu_version(i, text) for i, text in TRAVEL_VERSIONS.items()]
    loaded = HybridRetriever(
        FakeStore.of_chunks(chunks, SameVectorEmbedder()),  # type: ignore[arg-type]
        RetrievalThresholds(),
    )
    loaded.load()
    return loaded


def test_urdu_spellings_keep_the_word_as_written_and_its_head_word() -> None:
    query = normalise_query(TRAVEL_COST)
    assert query.urdu_spellings[("cost",)] == (("خرچ", "قیمت"),)
    # A word that is its own head word has one spelling; two words read together keep both.
    assert normalise_query("چھٹی کب ملتی ہے؟").urdu_spellings == {("holiday",): (("چھٹی",),)}
    assert normalise_query("کلاس میں آنے کا وقت").urdu_spellings[("arriv", "come")] == (
        ("آنے", "آنا"),
    )


def test_an_urdu_version_writing_the_questions_own_word_confirms_its_reading() -> None:
    retriever = travel_retriever()
    query = normalise_query(TRAVEL_COST)
    assert query.groups == (("cost",),) and query.unread == ("سفر",)
    travel, laptop = retriever.chunks[0], retriever.chunks[1]
    # "cost" is not in rule 0's English text, but its Urdu version writes خرچ, as the question
    # does: not a word the rule leaves out, and found (with سفر, unread, found in the version).
    assert retriever.used_elsewhere(query, travel) == []
    assert retriever.coverage(query, [travel]) == 0.0
    assert retriever.coverage(query, [travel], version_weight=DEV_WEIGHT) == pytest.approx(1.0)
    # The English rule that says "cost" needs no version.
    assert retriever.used_elsewhere(query, laptop) == []
    assert retriever.coverage(query, [laptop]) == pytest.approx(1.0)
