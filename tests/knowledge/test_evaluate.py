from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar, cast

from knowledge.answers import Answer, Choice, Citation
from knowledge.engine import KnowledgeEngine
from knowledge.evaluate import (
    TABLE_HEADER,
    EvalOutcome,
    EvalQuestion,
    first_sentences,
    load_questions,
    run_questions,
    run_questions_as_the_bot,
    summarise,
    to_markdown,
)
from knowledge.retrieval import RetrievalMode


def question(qid: str, lang: str, in_scope: bool, split: str = "dev") -> EvalQuestion:
    return EvalQuestion(
        id=qid,
        question=f"question {qid}",
        lang=lang,
        in_scope=in_scope,
        expected_sources=("licence.md",) if in_scope else (),
        fact="six months" if in_scope else None,
        split=split,
    )


def outcome(q: EvalQuestion, sources: tuple[str, ...], answer: str, abstained: bool, ms: float):
    return EvalOutcome(q, RetrievalMode.HYBRID, sources, answer, abstained, ms)


def test_metrics_per_language_and_split() -> None:
    outcomes = [
        outcome(
            question("1", "en", True), ("licence.md", "x.md"), "It lasts Six  Months.", False, 10
        ),
        outcome(question("2", "en", True), ("x.md", "y.md", "licence.md"), "no", False, 20),
        outcome(question("3", "en", True, "heldout"), ("x.md",), "", True, 30),
        outcome(question("4", "en", False), ("x.md",), "", True, 40),
        outcome(question("5", "ur", False), ("x.md",), "answered", False, 50),
    ]
    rows = {row.group: row for row in summarise(outcomes)}
    assert rows["all"].questions == 5
    assert rows["en"].hit1 == 1 / 3
    assert rows["en"].hit3 == 2 / 3
    assert rows["en"].fact == 1 / 3  # case and whitespace are ignored
    assert rows["en"].false_abstention == 1 / 3
    assert rows["en"].oos_abstained == 1.0
    assert rows["ur"].oos_abstained == 0.0
    assert rows["ur"].hit3 is None
    assert rows["heldout"].questions == 1
    assert rows["all"].p50_ms == 30
    table = to_markdown(list(rows.values()))
    assert "| hybrid | en | 4 | 0.33 | 0.67 |" in table


def test_load_questions_reads_alt_sources(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "questions:\n"
        "- {id: q1, question: 'How long?', lang: en, in_scope: true,"
        " expected_source: data/licence.md, alt_sources: [faq.md], fact: 6 months, split: dev}\n"
        "- {id: q2, question: 'Weather?', lang: en, in_scope: false,"
        " expected_source: null, fact: null, split: heldout}\n",
        encoding="utf-8",
    )
    first, second = load_questions(path)
    assert first.expected_sources == ("licence.md", "faq.md")
    assert second.expected_sources == () and not second.in_scope and second.split == "heldout"


def test_metrics_per_split_and_language() -> None:
    outcomes = [
        outcome(question("1", "en", True, "dev"), ("licence.md",), "", False, 10),
        outcome(question("2", "ur", True, "heldout"), ("x.md",), "", False, 10),
        outcome(question("3", "ur", True, "heldout"), ("licence.md",), "", True, 10),
    ]
    rows = {row.group: row for row in summarise(outcomes)}
    assert rows["heldout/ur"].questions == 2
    assert rows["heldout/ur"].hit3 == 0.5
    assert rows["heldout/ur"].false_abstention == 0.5
    assert rows["dev/en"].hit3 == 1.0
    assert "dev/ur" not in rows and "heldout/en" not in rows


def test_what_the_learner_reads_first_citation_first_sentences_language_redirects() -> None:
    def read(q: EvalQuestion, answer: str, cited: str | None, **extra: object) -> EvalOutcome:
        return EvalOutcome(
            q,
            RetrievalMode.HYBRID,
            ("licence.md",),
            answer,
            False,
            1,
            first_citation=cited,
            answer_language=str(extra.get("answer_language", "en")),
            redirected=bool(extra.get("redirected", False)),
            basis=str(extra.get("basis", "")),
        )

    late = read(question("1", "en", True), "Apply first. Then wait. It lasts six months.", "x.md")
    early = read(question("2", "en", True), "It lasts six months. [1]\nMore.", "licence.md")
    urdu = read(
        question("3", "ur", True),
        "لائسنس چھ ماہ چلتا ہے۔ [1]",
        "licence.md",
        answer_language="ur",
        basis="A licence lasts six months.",
    )
    redirect = EvalOutcome(
        question("4", "en", False), RetrievalMode.HYBRID, (), "Ask X.", True, 1, redirected=True
    )
    rows = {row.group: row for row in summarise([late, early, urdu, redirect])}
    assert rows["en"].cite1 == 0.5  # the first citation shown, not any passage retrieved
    assert rows["en"].fact == 1.0 and rows["en"].fact2 == 0.5  # third sentence is too late
    assert rows["ur"].fact2 == 1.0  # checked on the rule the translation renders
    assert rows["ur"].urdu_in_urdu == 1.0
    assert rows["en"].redirected == 1.0 and rows["en"].oos_abstained == 1.0


def test_redirects_to_the_topic_the_set_names_and_to_another_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "questions:\n"
        "- {id: o1, question: 'Laptop?', lang: en, in_scope: false, redirect_topic: Laptops}\n"
        "- {id: o2, question: 'Bus?', lang: en, in_scope: false, redirect_topic: Transport}\n"
        "- {id: o3, question: 'France?', lang: en, in_scope: false, redirect_topic: null}\n"
        "- {id: o4, question: 'Weather?', lang: en, in_scope: false}\n"
        "- {id: o5, question: 'Hostel?', lang: en, in_scope: false, redirect_topic: Hostels}\n",
        encoding="utf-8",
    )
    laptop, bus, france, weather, hostel = load_questions(path)
    assert laptop.redirect_topic == "Laptops" and laptop.topic_labelled
    assert france.redirect_topic is None and france.topic_labelled
    assert not weather.topic_labelled

    def sent(q: EvalQuestion, section: str | None) -> EvalOutcome:
        return EvalOutcome(
            q,
            RetrievalMode.HYBRID,
            (),
            "",
            True,
            1,
            redirected=section is not None,
            redirect_section=section,
        )

    outcomes = [
        sent(laptop, "Laptops"),  # right
        sent(bus, "Hostels"),  # wrong topic
        sent(france, "Transport"),  # the set says no topic fits
        sent(weather, "Transport"),  # the set says nothing: not judged
        sent(hostel, None),  # declined plainly: not a redirect
    ]
    row = {r.group: r for r in summarise(outcomes)}["en"]
    assert (row.right_topic, row.wrong_topic) == (1, 2)
    # New columns come after: the columns of earlier tables keep their places.
    header = to_markdown([row]).splitlines()[0]
    assert "| p95 ms | redirect right/wrong | asked back |" in header
    cells = to_markdown([row]).splitlines()[2].split(" | ")
    assert cells[header.split(" | ").index("redirect right/wrong")] == "1/2"


def test_an_ambiguous_question_counts_either_section_and_either_fact(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "questions:\n"
        "- {id: a1, question: 'Is it included?', lang: en, in_scope: true,"
        " expected_source: choosing.md, fact: not part of the licence, split: fresh,"
        " also_expected: [{source: data/terms.md, section: Courses, fact: not included}]}\n"
        "- {id: a2, question: 'How long?', lang: en, in_scope: true,"
        " expected_source: terms.md, fact: 6 months, split: fresh}\n",
        encoding="utf-8",
    )
    ambiguous, plain = load_questions(path)
    assert ambiguous.expected_sources == ("choosing.md", "terms.md")
    assert ambiguous.facts == ("not part of the licence", "not included")
    assert plain.alt_facts == () and plain.facts == ("6 months",)

    def read(q: EvalQuestion, answer: str, cited: str) -> EvalOutcome:
        return EvalOutcome(
            q, RetrievalMode.HYBRID, (cited,), answer, False, 1, first_citation=cited
        )

    second = read(ambiguous, "MasterTrack is not included. [1]", "terms.md")
    assert second.first_citation_hit and second.hit_at(1)
    assert second.fact_in_answer and second.fact_in_first_sentences
    # The other section's fact does not leak into a plain question's scoring.
    assert not read(plain, "It is not included.", "terms.md").fact_in_answer
    late = read(ambiguous, "Yes. Maybe. It is not included.", "x.md")
    assert late.fact_in_answer and not late.fact_in_first_sentences
    assert not late.first_citation_hit


class AnswersEverything:
    """An engine that answers every question it is asked from licence.md, and notes them."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def _answer(self, question: str) -> tuple[Answer, None]:
        self.asked.append(question)
        cited = [Citation("Licence", "Length", "licence.md", 0.9, "licence.md")]
        return Answer(question, "It lasts six months. [1]", False, cited, 5.0), None

    def answer_with_evidence(self, question: str, mode: RetrievalMode) -> tuple[Answer, None]:
        return self._answer(question)

    async def ask_with_evidence(self, question: str) -> tuple[Answer, None]:
        return self._answer(question)


def asked(qid: str, text: str, lang: str, in_scope: bool) -> EvalQuestion:
    return EvalQuestion(
        id=qid,
        question=text,
        lang=lang,
        in_scope=in_scope,
        expected_sources=("licence.md",) if in_scope else (),
        fact="six months" if in_scope else None,
        split="dev",
    )


def test_a_message_that_asks_nothing_is_declined_as_the_bot_declines_it() -> None:
    """The bot meets "السلام علیکم، آپ کیسے ہیں؟" or "ok thanks" with a request for a full
    question, never the engine's answer: the evaluation counts it as declined, and an in-scope
    question taken for content-free as a false abstention."""
    greeting = asked("g", "السلام علیکم، آپ کیسے ہیں؟", "ur", False)
    thanks = asked("t", "ok thanks", "en", True)  # a question the check wrongly took
    real = asked("r", "How long does a licence last?", "en", True)
    engine = AnswersEverything()
    outcomes = run_questions(
        cast(KnowledgeEngine, engine), [greeting, thanks, real], [RetrievalMode.HYBRID]
    )
    assert engine.asked == [real.question]
    by_id = {o.question.id: o for o in outcomes}
    assert by_id["g"].content_free and by_id["g"].abstained and not by_id["g"].redirected
    assert by_id["t"].content_free and by_id["t"].abstained and by_id["t"].sources == ()
    assert not by_id["r"].content_free and by_id["r"].fact_in_answer

    rows = {row.group: row for row in summarise(outcomes)}
    assert (rows["all"].content_free, rows["en"].content_free, rows["ur"].content_free) == (2, 1, 1)
    assert rows["ur"].oos_abstained == 1.0
    assert rows["en"].false_abstention == 0.5 and rows["en"].fact == 0.5
    assert "| hybrid | ur | 1 |" in to_markdown(list(rows.values()))


def test_answering_as_the_bot_also_declines_what_asks_nothing() -> None:
    engine = AnswersEverything()
    questions = [asked("g", "hi", "en", False), asked("r", "How long is a licence?", "en", True)]
    outcomes = asyncio.run(run_questions_as_the_bot(cast(KnowledgeEngine, engine), questions))
    assert engine.asked == ["How long is a licence?"]
    assert [(o.content_free, o.abstained) for o in outcomes] == [(True, True), (False, False)]


def test_first_sentences_split_as_the_composer_splits() -> None:
    """ "9:00 a.m. to 5:00 p.m." and "Rs. 500" are inside one sentence for the learner, so the
    fact they hold is in the first two sentences (the evaluator once ended a sentence there)."""
    answer = (
        "The Helpdesk answers from 9:00 a.m. to 5:00 p.m. on weekdays. A form costs Rs. 500. Done."
    )
    two = first_sentences(answer, 2)
    assert two == [
        "The Helpdesk answers from 9:00 a.m. to 5:00 p.m. on weekdays.",
        "A form costs Rs. 500.",
    ]
    assert first_sentences("پہلا جملہ۔ دوسرا؟ تیسرا [1] چوتھا", 3) == [
        "پہلا جملہ۔",
        "دوسرا؟",
        "تیسرا [1] چوتھا",
    ]


class AsksBack:
    """An engine that asks back on every question: "Do you mean (a) Licence › Length or (b)
    Fees › Refunds?", its composed text leading with a third rule (terms.md) that neither
    button names; tapping a choice answers from that rule."""

    CHOICES = (
        Choice("licence-1", "Licence", "Length", "licence.md"),
        Choice("fees-1", "Fees", "Refunds", "fees.md"),
    )
    RULES: ClassVar[dict[str, tuple[str, str]]] = {
        "licence-1": ("It lasts six months. [1]", "licence.md"),
        "fees-1": ("Refunds take a week. [1]", "fees.md"),
    }

    def __init__(self) -> None:
        self.tapped: list[str] = []

    def _answer(self, question: str) -> tuple[Answer, None]:
        cited = [Citation("Terms", "Use", "terms.md", 0.9, "terms.md")]
        text = "Use it fairly. The licence lasts six months. [1]"
        return Answer(question, text, False, cited, 5.0, choices=list(self.CHOICES)), None

    def answer_with_evidence(self, question: str, mode: RetrievalMode) -> tuple[Answer, None]:
        return self._answer(question)

    async def ask_with_evidence(self, question: str) -> tuple[Answer, None]:
        return self._answer(question)

    def answer_from_passage(self, question: str, chunk_id: str, language: str | None) -> Answer:
        self.tapped.append(chunk_id)
        text, document = self.RULES[chunk_id]
        cited = [Citation("Rule", "Section", document, 0.9, document)]
        return Answer(question, text, False, cited, 5.0)

    async def answer_choice(self, question: str, chunk_id: str, language: str) -> Answer:
        return self.answer_from_passage(question, chunk_id, language)


def test_an_asked_back_question_is_scored_on_the_choice_the_learner_taps() -> None:
    """The bot shows "Do you mean (a) ... or (b) ...?" and no answer: cite@1 and fact@2s are
    of the answer from the choice in the expected document; with neither choice right, a
    miss; the composed text's figures are kept beside them."""
    right = asked("r", "How long does a licence last?", "en", True)  # licence.md: choice (a)
    wrong = EvalQuestion(
        id="w",
        question="What may I use it for?",
        lang="en",
        in_scope=True,
        expected_sources=("terms.md",),  # the composed text's rule, named by neither button
        fact="use it fairly",
        split="dev",
    )
    off = asked("o", "Can I get a free laptop?", "en", False)
    engine = AsksBack()
    outcomes = run_questions(
        cast(KnowledgeEngine, engine), [right, wrong, off], [RetrievalMode.HYBRID]
    )
    by_id = {o.question.id: o for o in outcomes}
    assert engine.tapped == ["licence-1"]  # only an in-scope question's right choice is tapped
    assert all(o.asked_back for o in outcomes)
    assert by_id["r"].first_citation_hit and by_id["r"].fact_in_first_sentences
    # The composed text cites terms.md first and has the fact second: right for the old reading.
    assert not by_id["r"].composed_first_citation_hit
    assert by_id["r"].composed_fact_in_first_sentences
    assert not by_id["w"].first_citation_hit and not by_id["w"].fact_in_first_sentences
    assert by_id["w"].composed_first_citation_hit and by_id["w"].composed_fact_in_first_sentences
    assert not by_id["o"].abstained  # asked back is not declined

    row = {r.group: r for r in summarise(outcomes)}["en"]
    assert (row.cite1, row.fact2) == (0.5, 0.5)
    assert (row.cite1_composed, row.fact2_composed) == (0.5, 1.0)
    assert (row.asked_back, row.choice_right, row.choice_asked) == (3, 1, 2)
    assert row.oos_abstained == 0.0
    shown = to_markdown([row]).splitlines()[2].strip("| ").split(" | ")
    cells = dict(zip(TABLE_HEADER, shown, strict=True))
    assert (cells["cite@1"], cells["fact@2s"]) == ("0.50", "0.50")
    assert (cells["cite@1 composed"], cells["fact@2s composed"]) == ("0.50", "1.00")
    assert (cells["asked back"], cells["choice right"]) == ("3", "1/2")

    as_bot = asyncio.run(
        run_questions_as_the_bot(cast(KnowledgeEngine, AsksBack()), [right, wrong])
    )
    assert [(o.first_citation_hit, o.fact_in_first_sentences) for o in as_bot] == [
        (True, True),
        (False, False),
    ]


def test_of_two_right_choices_the_learner_taps_the_one_that_answers() -> None:
    """Both rules in expected documents (a question two sections answer): the learner who
    meant one taps it; the eval takes the choice whose answer leads with a fact."""
    both = EvalQuestion(
        id="b",
        question="How long do refunds take?",
        lang="roman_ur",
        in_scope=True,
        expected_sources=("licence.md", "fees.md"),
        fact="a week",
        split="dev",
    )
    outcome = run_questions(cast(KnowledgeEngine, AsksBack()), [both], [RetrievalMode.HYBRID])[0]
    assert outcome.chosen is not None and outcome.chosen.first_citation == "fees.md"
    assert outcome.first_citation_hit and outcome.fact_in_first_sentences
