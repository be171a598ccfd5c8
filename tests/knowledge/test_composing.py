"""Which sentence leads the answer: the rule's own, not the FAQ's short restatement of it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge.chunking import Chunk
from knowledge.composing import (
    ScoredSentence,
    Unit,
    _reading_order,
    asked_kinds,
    best_within_two,
    lead_in_retrieval_order,
    rule_units,
    rules_over_restatements,
    second_of_lead,
)
from knowledge.engine import KnowledgeEngine
from knowledge.retrieval import ScoredPassage


def _passage(source: str, section: str, text: str, score: float) -> ScoredPassage:
    chunk = Chunk(
        id=f"{source}#{section}",
        text=text,
        title=source,
        section=section,
        source=source,
        root="kb",
        content_hash="-",
        ordinal=0,
    )
    return ScoredPassage(chunk, score, 0.8, 1.0)


def _unit_vectors(*cosines_to_first: float) -> np.ndarray:
    """Unit vectors whose cosine with the first one is as given (the first is [1, 0])."""
    rows = [[1.0, 0.0]] + [[c, float(np.sqrt(1 - c * c))] for c in cosines_to_first]
    return np.asarray(rows, dtype=np.float32)


FAQ = _passage("faq.md", "FAQ > How long does the licence last?", "One cohort of 6 months.", 1.2)
RULE = _passage(
    "licence-terms.md",
    "Licence terms > How long a licence lasts",
    "A licence lasts for one cohort: 6 months.\nLicences are not extended.",
    1.0,
)


def test_an_faq_sentence_restating_a_rule_leaves_and_the_rule_takes_its_score() -> None:
    passages = [FAQ, RULE]
    units = [rule_units(p.chunk.text) for p in passages]
    flat = [(0, 0), (1, 0), (1, 1)]
    scored = [ScoredSentence(0, 0, 3.0), ScoredSentence(1, 0, 2.0), ScoredSentence(1, 1, 0.5)]
    # The FAQ's sentence and the rule's say the same (0.96); "not extended" is another rule.
    vectors = _unit_vectors(0.96, 0.5)

    kept = rules_over_restatements(passages, units, flat, scored, vectors)

    assert kept == [ScoredSentence(1, 0, 3.0), ScoredSentence(1, 1, 0.5)]


def test_an_faq_sentence_that_only_shares_words_with_a_rule_stays() -> None:
    passages = [FAQ, RULE]
    units = [rule_units(p.chunk.text) for p in passages]
    flat = [(0, 0), (1, 0), (1, 1)]
    scored = [ScoredSentence(0, 0, 3.0), ScoredSentence(1, 0, 2.0), ScoredSentence(1, 1, 0.5)]
    # Same words, but the model does not read them as saying the same thing.
    vectors = _unit_vectors(0.85, 0.5)

    assert rules_over_restatements(passages, units, flat, scored, vectors) == scored


@pytest.mark.parametrize(
    ("question", "document", "first_sentence_holds"),
    [
        # Was led by the FAQ's "One cohort of 6 months.", cited to the FAQ.
        ("How long is the licence valid?", "licence-terms.md", "A licence lasts for one cohort"),
        # Was led by the FAQ's application windows, which say nothing of results.
        (
            "When will I find out whether I got a seat in the autumn batch?",
            "applying-and-intake.md",
            "Results announced: 20 July",
        ),
    ],
)
def test_the_answer_leads_with_the_rule_the_faq_restates(
    sample_engine: KnowledgeEngine, question: str, document: str, first_sentence_holds: str
) -> None:
    answer = sample_engine.answer_sync(question)

    assert not answer.abstained
    assert answer.citations[0].document == document
    assert first_sentence_holds in answer.text.split("[1]")[0]


def test_the_faq_still_answers_what_no_rule_states(sample_engine: KnowledgeEngine) -> None:
    answer = sample_engine.answer_sync(
        "I'm on an exchange semester in Turkey. Can I still use my licence?"
    )

    assert answer.citations[0].document == "faq.md"
    assert "Coursera works from any country" in answer.text


SUPPORT = (
    "- First contact your university's focal person. Focal persons reply within 3 working days.\n"
    "- If your focal person has not replied within 3 working days, email the DLSEI Helpdesk.\n"
    "- For problems with quizzes, use the Coursera Learner Help Center.\n"
)


def test_the_best_sentence_is_never_pushed_past_the_second_one_read() -> None:
    units = rule_units(SUPPORT)
    # The first item (two sentences) and the second, the best, in the document's order.
    assert best_within_two(units, [0, 1], best=1) == [1, 0]
    # One sentence before the best leaves the document's order alone.
    assert best_within_two(units, [1, 2], best=2) == [1, 2]
    assert best_within_two(units, [0, 1], best=0) == [0, 1]


def test_the_helpdesk_address_is_among_the_first_two_sentences(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.evaluate import first_sentences

    answer = sample_engine.answer_sync("My focal person isn't answering my emails. What now?")

    assert "dlsei-helpdesk@example.pk" in " ".join(first_sentences(answer.text, 2))


AFTER_YOU_APPLY = (
    "- You receive an acknowledgement email with an application number of the form\n"
    "  DLSEI-2025-xxxxx.\n"
    "- You can check the status of your application on the DLSEI portal with that number.\n"
    "- Your university's focal person sees the progress of learners of that university.\n"
    '- If you see "You are not part of this program", ask your focal person.\n'
)


def test_a_sentence_naming_that_number_is_read_after_the_sentence_that_gives_it() -> None:
    units = rule_units(AFTER_YOU_APPLY)

    # "with that number" points back past its own sentence: the number comes with it.
    assert _reading_order(units, [1]) == [0, 1]
    # "that university" names the university its own sentence has named already.
    assert _reading_order(units, [2]) == [2]
    # A quoted message ("this program") points nowhere.
    assert _reading_order(units, [3]) == [3]


def test_an_urdu_list_item_ends_with_one_full_stop(sample_engine: KnowledgeEngine) -> None:
    # The Urdu version's items end "؛" as the English ones end ";": it was read "؛۔".
    answer = sample_engine.answer_sync("کیا ایم فل کے طلبہ اس پروگرام کے اہل ہیں؟")

    assert answer.answer_language == "ur"
    assert "•" in answer.text
    assert "؛۔" not in answer.text
    assert "،۔" not in answer.text


def test_tracking_an_application_reads_the_application_number_first_or_second(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.evaluate import first_sentences

    answer = sample_engine.answer_sync("How can I track my application after submitting it?")

    assert "application number" in " ".join(first_sentences(answer.text, 2))


def test_a_lower_passage_leads_only_when_it_wins_by_the_margin() -> None:
    # Best first: passage 2's sentence, then the top passage's best, then passage 1's.
    scored = [ScoredSentence(2, 0, 3.0), ScoredSentence(0, 1, 2.0), ScoredSentence(1, 0, 1.8)]

    # Within the margin the top passage's best sentence leads; the rest keep their order.
    assert lead_in_retrieval_order(scored, 1.5) == [scored[1], scored[0], scored[2]]
    # Beyond it the best sentence leads as before.
    assert lead_in_retrieval_order(scored, 0.5) == scored
    assert lead_in_retrieval_order(scored, 0.0) == scored


def test_the_next_passage_in_retrieval_order_leads_when_the_top_one_is_too_far() -> None:
    scored = [ScoredSentence(2, 0, 3.0), ScoredSentence(1, 0, 2.0), ScoredSentence(0, 0, 0.5)]

    assert lead_in_retrieval_order(scored, 1.5)[0] == ScoredSentence(1, 0, 2.0)


def test_an_urdu_question_leads_with_the_top_passage_when_an_faq_sentence_is_close(
    sample_engine: KnowledgeEngine,
) -> None:
    # "Which day is the monthly online session?" was led by the FAQ's "HEC holds an
    # orientation webinar every month..." (no day), cited to the FAQ, over the webinar rule
    # retrieval ranked first.
    answer = sample_engine.answer_sync("ہر مہینے والا آن لائن سیشن کس دن ہوتا ہے؟")

    assert not answer.abstained
    assert answer.citations[0].document == "focal-persons-and-helpdesk.html"
    assert "first Wednesday of every month" in answer.basis.split("[1]")[0]


@pytest.mark.parametrize(
    "sentence",
    [
        "A printed copy of the certificate can be requested from the DSB office for Rs. 300.",
        "Send the form to Dr. Amna Khan at the help desk.",
    ],
)
def test_a_full_stop_after_rs_or_a_title_ends_no_sentence(sentence: str) -> None:
    """unseen_kb2's answer "...for Rs. [1]" lost the price: "Rs." was read as a sentence end."""
    units = rule_units(f"{sentence} Replies are sent within 2 working days.")
    assert [unit.text for unit in units] == [sentence, "Replies are sent within 2 working days."]


TRACKS_FIRST = _passage(
    "tracks.md",
    "Choosing > Learning tracks",
    "HEC groups recommended content into 28 learning tracks. The most popular tracks are:\n\n"
    "| Track | Example content |\n|---|---|\n| Programming | Python for Everybody |\n",
    2.0,
)
TRACKS_SECOND = _passage(
    "tracks.md",
    "Choosing > Learning tracks",
    "| Programming | Python for Everybody |\n| Cybersecurity | Google Cybersecurity |\n\n"
    "The full list of 28 tracks is on the DLSEI portal.\n",
    2.0,
)


def test_a_passage_brings_its_whole_section_and_a_second_chunk_of_it_nothing() -> None:
    from types import SimpleNamespace
    from typing import cast

    from knowledge.composing import SectionBook, SentenceComposer
    from knowledge.retrieval import HybridRetriever

    second = replace(TRACKS_SECOND.chunk, id="tracks#2", ordinal=1)
    chunks = [TRACKS_FIRST.chunk, second, RULE.chunk]
    retriever = cast(HybridRetriever, SimpleNamespace(chunks=chunks, redirects=[], translations=[]))
    composer = SentenceComposer(retriever, SectionBook(retriever))

    # Retrieval ranked the section's second chunk first: the sentence that answers "how many
    # tracks?" is in the first one, and is read with it; the first chunk brings nothing again.
    units = composer.passage_units([TRACKS_SECOND, TRACKS_FIRST, RULE])

    assert [unit.text for unit in units[0]] == [
        "HEC groups recommended content into 28 learning tracks.",
        "The most popular tracks are:",
        "| Track | Example content |",
        "| Programming | Python for Everybody |",
        "| Cybersecurity | Google Cybersecurity |",
        "The full list of 28 tracks is on the DLSEI portal.",
    ]
    assert units[1] == []
    assert [unit.text for unit in units[2]] == [
        "A licence lasts for one cohort: 6 months.",
        "Licences are not extended.",
    ]


def test_an_urdu_question_on_a_section_of_two_chunks_reads_the_sentence_of_the_other(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.evaluate import first_sentences

    # "How many learning tracks does the programme have?": retrieval ranked the section's
    # second chunk first, and "HEC groups recommended content into 28 learning tracks" is in
    # the first; the answer began with the table's rows.
    answer = sample_engine.answer_sync("اس پروگرام میں کتنے لرننگ ٹریکس ہیں؟")

    assert "28 learning tracks" in " ".join(first_sentences(answer.basis, 2))


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("helpdesk wale kis time phone uthate hain?", {"time"}),
        ("ہیلپ ڈیسک والے کس وقت فون اٹھاتے ہیں؟", {"time"}),
        ("How do I stop getting surveys?", {"howto"}),
        ("licence wapas kaise milega?", {"howto"}),
        ("koi licence bech raha hai, kis ko batayun?", {"contact"}),
        ("How many learning tracks are there?", {"number"}),
        ("Is the licence free?", set()),
        # "however" is not "how", "whoever" not "who".
        ("However I try, whoever I ask, nothing works.", set()),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, kinds: set[str]) -> None:
    from knowledge.composing import asked_kinds

    assert {kind.name for kind in asked_kinds(question)} == kinds


@pytest.mark.parametrize(
    ("kind", "sentence", "holds"),
    [
        ("time", "Monday to Friday, 9:00 a.m. to 5:00 p.m. Pakistan time", True),
        ("time", "Response time | within 2 working days", False),
        ("contact", "Report it to integrity@example.pk.", True),
        ("contact", "Phone | +92 51 0000000", True),
        ("contact", "Tell your focal person.", False),
        ("howto", 'Submit Form DLSEI-F3 "Licence Reinstatement Request".', True),
        ("howto", "Send /surveys off to hecbot.", True),
        ("howto", "Install the app for Android/iOS.", False),
        ("howto", "Fill in the form before the window closes.", False),
        ("number", "HEC groups recommended content into 28 learning tracks.", True),
    ],
)
def test_what_a_sentence_giving_each_kind_of_answer_holds(
    kind: str, sentence: str, holds: bool
) -> None:
    from knowledge.composing import ANSWER_KINDS

    found = next(k for k in ANSWER_KINDS if k.name == kind)
    assert bool(found.holds.search(sentence)) is holds


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        # Each led with another sentence of the right rule: "Opting out of surveys does not
        # stop important notices...", "Licences revoked for misconduct cannot be reinstated.",
        # "No. The licence is completely free...", "The full list of 28 tracks is on the portal".
        ("How do I stop getting surveys?", "/surveys off"),
        ("license revoke ho gaya hai wapas kaise milega plz batayein", "Form DLSEI-F3"),
        ("koi banda paise le kar licence bech raha hai, kis ko batayun?", "integrity@example.pk"),
        ("How many learning tracks are there?", "28 learning tracks"),
    ],
)
def test_the_sentence_holding_what_the_question_asks_for_is_read_first_or_second(
    sample_engine: KnowledgeEngine, question: str, fact: str
) -> None:
    from knowledge.evaluate import first_sentences

    answer = sample_engine.answer_sync(question)

    assert fact in " ".join(first_sentences(answer.text, 2))


def test_the_answer_reads_a_fourth_passage_and_whether_to_answer_is_judged_on_three(
    sample_engine: KnowledgeEngine,
) -> None:
    evidence = sample_engine.gather_evidence("Can I study on my phone?")

    assert len(evidence.passages) == sample_engine.config.top_k == 3
    assert evidence.answer_passages[:3] == evidence.passages
    assert len(evidence.answer_passages) == sample_engine.config.answer_k == 4


def test_a_fourth_passage_moves_no_score_of_the_first_three_passages_sentences(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.composing import SectionBook, SentenceComposer

    retriever = sample_engine.retriever
    composer = SentenceComposer(retriever, SectionBook(retriever))
    evidence = sample_engine.gather_evidence("Can I study on my phone?")
    passages = evidence.answer_passages

    _, three = composer.score_sentences(evidence.query, passages[:3])
    _, four = composer.score_sentences(evidence.query, passages)

    # (The same cosines, computed in a larger product: equal to float32 precision.)
    assert {(s.passage, s.index): s.score for s in four if s.passage < 3} == pytest.approx(
        {(s.passage, s.index): s.score for s in three}, abs=1e-4
    )


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        # Retrieval ranks the rule that answers fourth: "You need ... an Android or iOS phone
        # with a camera and the Coursera app" (identity verification); "After 30 consecutive
        # days without learning activity your licence is revoked".
        ("Can I study on my phone?", "Android or iOS"),
        ("bimari ki wajah se ek mahina parh nahi saka, licence chala gaya kya?", "30 consecutive"),
    ],
)
def test_a_sentence_of_the_fourth_passage_may_answer(
    sample_engine: KnowledgeEngine, question: str, fact: str
) -> None:
    from knowledge.evaluate import first_sentences

    answer = sample_engine.answer_sync(question)

    assert fact in " ".join(first_sentences(answer.text, 2))


HELPDESK = [
    [
        Unit("Email | dlsei-helpdesk@example.pk", row=True),
        Unit("Phone | +92 51 0000000", row=True),
        Unit("Hours | Monday to Friday, 9:00 a.m. to 5:00 p.m. Pakistan time", row=True),
        Unit("Response time | within 2 working days", row=True),
    ]
]


def test_the_sentence_holding_the_time_asked_for_is_read_second_before_a_better_one() -> None:
    # As scored for "helpdesk wale kis time phone uthate hain?": "Response time", then
    # "Email", then the hours (the kind bonus already in its score).
    scored = [
        ScoredSentence(0, 3, 2.3),
        ScoredSentence(0, 0, 2.2),
        ScoredSentence(0, 2, 1.7),
        ScoredSentence(0, 1, 1.6),
    ]
    kinds = asked_kinds("helpdesk wale kis time phone uthate hain?")

    assert second_of_lead(scored, HELPDESK, kinds) == ScoredSentence(0, 2, 1.7)
    # Asked for no kind of answer: the next best.
    assert second_of_lead(scored, HELPDESK) == ScoredSentence(0, 0, 2.2)
    # A lead holding the time asked for keeps the next best with it.
    led_by_hours = [ScoredSentence(0, 2, 2.5), *(s for s in scored if s.index != 2)]
    assert second_of_lead(led_by_hours, HELPDESK, kinds) == ScoredSentence(0, 3, 2.3)
    # Beyond the second sentence's gap it is not read, as no other sentence would be.
    far = [scored[0], ScoredSentence(0, 2, 0.5)]
    assert second_of_lead(far, HELPDESK, kinds) is None


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        # Read third after "Response time" and "Email" (until romanur6 read "kis time" as
        # hours, which also leads with the hours row); after "Search by the name of your
        # university" and "You can also ask your department office".
        ("helpdesk wale kis time phone uthate hain?", "9:00 a.m. to 5:00 p.m."),
        (
            "How do I find out who the coordinator at my university is?",
            "https://dlsei.example.pk/focal-persons",
        ),
    ],
)
def test_the_sentence_holding_what_was_asked_for_is_read_second_when_not_first(
    sample_engine: KnowledgeEngine, question: str, fact: str
) -> None:
    from knowledge.evaluate import first_sentences

    answer = sample_engine.answer_sync(question)

    assert fact in " ".join(first_sentences(answer.text, 2))


def test_the_lead_reads_no_second_sentence_when_a_lower_passage_scored_above_it() -> None:
    units = [[Unit("Submit Form DLSEI-F3."), Unit("Licences revoked for misconduct stay so.")]]
    units.append([Unit("After 30 consecutive days without learning activity it is revoked.")])
    # The top passage leads by retrieval's order (an Urdu question's margin) although passage
    # 1's sentence scored best: that sentence is read second, not the lead's own next one.
    by_margin = [ScoredSentence(0, 1, 0.9), ScoredSentence(1, 0, 2.1), ScoredSentence(0, 0, 0.5)]
    assert second_of_lead(by_margin, units, margin=1.5) is None
    # Led by its own score, the lead reads its next best sentence with it.
    by_score = [ScoredSentence(0, 1, 2.5), ScoredSentence(1, 0, 2.1), ScoredSentence(0, 0, 1.5)]
    assert second_of_lead(by_score, units, margin=1.5) == ScoredSentence(0, 0, 1.5)
    # With no margin (an English question), a lead put first by another rule keeps its own.
    assert second_of_lead(by_margin, units) == ScoredSentence(0, 0, 0.5)


def test_an_urdu_answer_led_by_retrieval_order_reads_the_better_rule_second(
    sample_engine: KnowledgeEngine,
) -> None:
    from knowledge.evaluate import first_sentences

    # "Five weeks without study after my grandmother died: was my licence cancelled?" led with
    # the reinstatement rule (retrieval's first) and its form, and read the 30-day rule third.
    answer = sample_engine.answer_sync(
        "دادی کی وفات کی وجہ سے پانچ ہفتے نہیں پڑھ سکا، کیا لائسنس منسوخ ہو گیا؟"
    )

    assert answer.answer_language == "ur"
    assert "30 consecutive days" in " ".join(first_sentences(answer.basis, 2))


FAQ_MD = """\
# eLearn Helpdesk: frequently asked questions

## Contact and exams

Q: How do I contact the helpdesk?
A: Email elearn-help@nhu.example.pk or call 051-9876543, Monday to Friday, 9 am to 4 pm.

Q: Can I take an online exam on my phone?
A: No. Online exams need a laptop or desktop computer with a webcam.
"""


def test_a_question_written_in_a_rules_text_is_never_the_answer(tmp_path: Path) -> None:
    from knowledge.config import KnowledgeConfig
    from knowledge.engine import build_engine
    from tests.knowledge.conftest import LICENCE_MD

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "licence.md").write_text(LICENCE_MD, encoding="utf-8")
    (docs / "faq.md").write_text(FAQ_MD, encoding="utf-8")
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "data"))
    engine.index_paths([docs])
    answer = engine.answer_sync("How do I contact the helpdesk?")
    assert not answer.abstained, answer.text
    assert answer.text.startswith("A: Email elearn-help@nhu.example.pk"), answer.text
    assert "Q:" not in answer.text


CENTRES_MD = """\
# Exam centres

## Where to sit the final test

The final test is taken in person at an exam centre.

| City | Centre | Reporting time |
|---|---|---|
| Karachi | NED University, Main Auditorium | 9:00 am |
| Hyderabad | Mehran University, Jamshoro | 9:30 am |

## Admit cards

Admit cards are emailed 7 days before the test.
"""


@pytest.mark.parametrize("question", ["reporting time", "centre", "Which centre and city?"])
def test_a_tables_header_row_alone_is_never_the_answer(tmp_path: Path, question: str) -> None:
    """The header row names the columns and answers nothing ("City, Centre, Reporting
    time."): a question naming a column is answered by a row read with its columns' names."""
    from knowledge.config import KnowledgeConfig
    from knowledge.engine import build_engine

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "centres.md").write_text(CENTRES_MD, encoding="utf-8")
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "data"))
    engine.index_paths([docs])
    answer = engine.answer_sync(question)
    assert not answer.abstained, answer.text
    assert "City, Centre, Reporting time" not in answer.text, answer.text
    assert "Centre: " in answer.text or "exam centre" in answer.text, answer.text
