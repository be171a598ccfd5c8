from __future__ import annotations

import pytest

from knowledge.engine import KnowledgeEngine
from knowledge.language import Language, detect_language, normalise_query, stem
from knowledge.retrieval import RetrievalMode


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How long does a licence last?", Language.ENGLISH),
        ("mujhe certificate kaise milega?", Language.ROMAN_URDU),
        ("license kitne din ka hota hai", Language.ROMAN_URDU),
        ("سرٹیفکیٹ کیسے ملے گا؟", Language.URDU),
    ],
)
def test_language_detection(question: str, language: Language) -> None:
    assert detect_language(question) is language


def test_normalisation_maps_spelling_and_glossary() -> None:
    english = normalise_query("Can my license be extended?")
    assert stem("licence") in english.terms
    assert stem("license") not in english.terms
    roman = normalise_query("licence kab khatam hoga")
    assert {"when", "end"} <= set(roman.glossed)
    urdu = normalise_query("لائسنس کب ختم ہوگا")
    assert stem("licence") in urdu.terms
    assert (stem("end"), stem("expire")) in urdu.groups


@pytest.mark.parametrize(
    ("question", "expected_source", "expected_section"),
    [
        ("How long does a licence last?", "licence.md", "How long a licence lasts"),
        ("What happens if I stop learning for a month?", "licence.md", "Inactivity"),
        ("How do I contact the helpdesk?", "helpdesk.html", "Contacting the helpdesk"),
        ("Which form do I use to get academic credit?", "certificates.docx", "Academic credit"),
        ("mera license kitne mahine chalta hai?", "licence.md", "How long a licence lasts"),
        ("certificate kaise milega?", "certificates.docx", "Getting your certificate"),
        ("سرٹیفکیٹ کیسے ملے گا؟", "certificates.docx", "Getting your certificate"),
        ("لائسنس کے لیے کون درخواست دے سکتا ہے؟", "eligibility.pdf", "1. Who can apply"),
    ],
)
def test_hybrid_retrieval_finds_the_rule_in_every_language(
    engine: KnowledgeEngine, question: str, expected_source: str, expected_section: str
) -> None:
    passages = engine.retriever.retrieve(question, top_k=3)
    found = [(p.chunk.source, p.chunk.section) for p in passages]
    assert (expected_source, expected_section) in found, found


def test_baselines_rank_differently_but_are_usable(engine: KnowledgeEngine) -> None:
    question = "Which form do I use to get academic credit?"
    lexical = engine.retriever.retrieve(question, top_k=1, mode=RetrievalMode.BM25)
    dense = engine.retriever.retrieve(question, top_k=1, mode=RetrievalMode.DENSE)
    assert lexical[0].chunk.source == "certificates.docx"
    assert dense[0].dense is not None
    assert lexical[0].dense is None


def test_answer_is_extracted_from_sources_and_cited(engine: KnowledgeEngine) -> None:
    answer = engine.answer_sync("How long does a license last?")
    assert not answer.abstained
    assert "six months" in answer.text
    assert len(answer.text) <= 700
    assert answer.citations[0].title == "Licence rules"
    assert answer.citations[0].section == "How long a licence lasts"
    assert answer.citations[0].source == "licence.md"
    # Every sentence of the answer is copied from an indexed passage.
    corpus = " ".join(c.text for c in engine.store.all_chunks()).replace("\n", " ")
    for line in answer.text.splitlines():
        body = line.rsplit(" [", 1)[0]
        for sentence in body.split(". "):
            assert sentence.strip(". ") in corpus


def test_html_source_is_cited_by_url(engine: KnowledgeEngine) -> None:
    answer = engine.answer_sync("What is the email address of the helpdesk?")
    assert not answer.abstained
    assert answer.citations[0].source == "https://dlsei.example.pk/helpdesk"
    assert "helpdesk@dlsei.example.pk" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "What will the weather be in Karachi tomorrow?",
        "Who won the cricket match yesterday?",
        "Give me a recipe for chicken biryani",
        "Is there a scholarship for learners in this programme?",
        "kal cricket match kaun jeeta?",
    ],
)
def test_abstains_when_the_knowledge_base_has_no_answer(
    engine: KnowledgeEngine, question: str
) -> None:
    answer = engine.answer_sync(question)
    assert answer.abstained, answer.text
    assert answer.citations == []
    # A way to a person, naming none of one programme's (the knowledge base may be any body's).
    assert "ask the people who run the programme" in answer.text


async def test_ask_runs_off_the_event_loop_and_reports_language(engine: KnowledgeEngine) -> None:
    answer = await engine.ask("certificate kaise milega?")
    assert not answer.abstained
    assert answer.language == "roman_ur"
    assert answer.latency_ms > 0
    empty = await engine.ask("   ")
    assert empty.abstained


def test_document_notes_and_effective_dates_are_never_quoted_as_rules():
    from knowledge.answering import _sentences

    chunk = (
        "Effective date: 2025-07-01\n\n"
        "> SAMPLE: for HEC to replace. Public sources confirm\n> cohort-based licences.\n\n"
        "A licence lasts for one cohort: 6 months."
    )
    assert _sentences(chunk) == ["A licence lasts for one cohort: 6 months."]


def test_a_chosen_sentence_keeps_what_it_cannot_be_read_without() -> None:
    from knowledge.composing import _with_dependencies, rule_units

    units = rule_units(
        "HEC sets a quota.\n"
        "If a university gets too many applications, it ranks them in this order:\n"
        "1. first-time applicants;\n2. learners who completed 2 courses;\n3. everyone else.\n\n"
        "You must accept within 14 days. If you do not, the licence goes to the waiting list."
    )
    third = next(i for i, u in enumerate(units) if u.text.startswith("everyone else"))
    assert _with_dependencies(units, {third}) == {1, 2, 3, 4}  # lead-in and the short list
    last = len(units) - 1
    assert _with_dependencies(units, {last}) == {last - 1, last}  # "If you do not" needs its rule


def test_a_list_item_reads_as_a_sentence_and_a_table_row_names_its_columns() -> None:
    from knowledge.composing import _reading_order, _render, rule_units

    units = rule_units(
        "Students enrolled in these programmes are eligible:\n"
        "- Associate Degree and BS programmes;\n- MS/MPhil programmes;\n- PhD programmes.\n\n"
        "| Cohort | Application window | Results announced |\n|---|---|---|\n"
        "| Spring cohort | 1 December to 31 December | 20 January |\n"
        "| Autumn cohort | 1 June to 30 June | 20 July |\n"
    )
    phd = next(i for i, u in enumerate(units) if u.text.startswith("PhD"))
    order = _reading_order(units, [phd])
    # The chosen item right after its lead-in, then the rest of the short list.
    assert order[:2] == [0, phd] and set(order) == {0, 1, 2, phd}
    pieces = [(units[i], None) for i in order]
    text = _render(pieces)
    assert text.splitlines()[:2] == [
        "Students enrolled in these programmes are eligible:",
        "• PhD programmes.",
    ]
    assert ";." not in text and "• MS/MPhil programmes." in text  # a list's ";" ends it
    autumn = next(u for u in units if u.row and "Autumn" in u.text)
    header = next(u for u in units if u.row)
    assert _render([(autumn, header)]) == (
        "Autumn cohort: Application window: 1 June to 30 June; Results announced: 20 July."
    )
