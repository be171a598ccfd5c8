"""Evaluation of retrieval and answering on a question set (knowledge/eval/questions.yaml).

Metrics per language and split, for hybrid retrieval and the BM25-only and dense-only
baselines: hit@1, hit@3 (expected source among the top passages), fact-in-answer, abstention
on out-of-scope questions, false abstention on in-scope ones, and p50/p95 latency.

And what the learner reads (issue 15): whether the first citation shown is the expected
document ("cite@1"), whether the fact is in the answer's first two sentences ("fact@2s"), the
share of Urdu-script questions answered in Urdu ("ur→ur"), and the share of out-of-scope
questions sent to another office by a redirect ("redirected"; a redirect also counts as
declined), and, of those whose set names the topic that fits ("redirect_topic"), how many went
to that topic and how many to another ("redirect right/wrong", the table's last column).

When the engine cannot tell two rules apart it asks back ("Do you mean (a) ... or (b)
...?", two buttons) and the learner reads no answer until they tap one. cite@1 and fact@2s
then score what the learner reads after tapping: for an in-scope question, the answer from
the choice in the expected document (``answer_from_passage``, as the button answers); when
neither choice is in it, a miss (no tap gets there). The figures of the composed text the
bot did not show are kept ("cite@1 composed", "fact@2s composed"), and each group counts the
questions asked back ("asked back") and, of the in-scope ones, those offered the right rule
("choice right"). An out-of-scope question asked back is not declined.

Every question first passes the bot's content-free check (``is_content_free``), as in the bot:
a message that asks nothing is met by a request for a full question, never by the engine, so
it counts as declined (an in-scope one is a false abstention) and each group reports how many
there were ("content-free").
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from knowledge.answering import NOT_AFTER_ABBREVIATION_OR_TIME, Evidence
from knowledge.answers import Answer
from knowledge.engine import KnowledgeEngine
from knowledge.language import is_content_free
from knowledge.retrieval import RetrievalMode


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    lang: str
    in_scope: bool
    expected_sources: tuple[str, ...]
    fact: str | None
    split: str
    # A question two sections answer ("also_expected" in the question file): the other
    # section's fact counts like ``fact`` (its document is already in expected_sources).
    alt_facts: tuple[str, ...] = ()
    # Out of scope: the redirect topic (heading) whose office is the right place to send it,
    # when the set says ("redirect_topic"; ``topic_labelled``); None there means none is.
    redirect_topic: str | None = None
    topic_labelled: bool = False

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(f for f in (self.fact, *self.alt_facts) if f)


@dataclass(frozen=True)
class Reading:
    """What the learner reads of an answer: its first citation and its text (and, for an
    answer written from a translation, the rule's own sentences it renders)."""

    first_citation: str | None
    answer: str
    basis: str = ""


@dataclass(frozen=True)
class EvalOutcome:
    question: EvalQuestion
    mode: RetrievalMode
    sources: tuple[str, ...]
    answer: str
    abstained: bool
    latency_ms: float
    first_citation: str | None = None
    answer_language: str = "en"
    redirected: bool = False
    # For an answer written from a translation: the rule's own sentences it renders, in the
    # order shown (facts are checked there; numbers, forms and addresses are kept as written).
    basis: str = ""
    # The bot's content-free check took it for a message that asks nothing: the learner was
    # asked for a full question, the engine never saw it (``abstained`` is true: not answered).
    content_free: bool = False
    # The heading of the redirect topic the question was sent to, if any.
    redirect_section: str | None = None
    # The bot asked back which of two rules the learner means (``answer``, ``first_citation``
    # and ``basis`` are then the composed text it did not show).
    asked_back: bool = False
    # Asked back: the answer the learner who meant the expected rule gets by tapping it;
    # None when neither choice is in an expected document.
    chosen: Reading | None = None

    @property
    def right_topic(self) -> bool | None:
        """For a redirected out-of-scope question whose set names its topic (or none): whether
        it was sent to that topic; None when there is nothing to judge."""
        item = self.question
        if item.in_scope or not self.redirected or not item.topic_labelled:
            return None
        return item.redirect_topic is not None and self.redirect_section == item.redirect_topic

    def hit_at(self, k: int) -> bool:
        return any(Path(s).name in self.question.expected_sources for s in self.sources[:k])

    @property
    def composed(self) -> Reading:
        """The composed answer as the engine wrote it (shown unless the bot asked back)."""
        return Reading(self.first_citation, self.answer, self.basis)

    @property
    def read(self) -> Reading | None:
        """What the learner reads: the composed answer, or after asking back the answer of
        the choice they tap (None: no choice is the rule they meant)."""
        return self.chosen if self.asked_back else self.composed

    @property
    def first_citation_hit(self) -> bool:
        """The first citation the learner reads is an expected document."""
        return not self.abstained and _cites(self.read, self.question)

    @property
    def composed_first_citation_hit(self) -> bool:
        """The composed answer's first citation is an expected document (whether shown)."""
        return not self.abstained and _cites(self.composed, self.question)

    @property
    def fact_in_answer(self) -> bool:
        if self.abstained:
            return False
        answer, basis = _squash(self.answer), _squash(self.basis)
        return any(_squash(f) in answer or _squash(f) in basis for f in self.question.facts)

    @property
    def fact_in_first_sentences(self) -> bool:
        """The fact is within the first two sentences the learner reads."""
        return not self.abstained and _fact_first(self.read, self.question)

    @property
    def composed_fact_in_first_sentences(self) -> bool:
        """The fact is within the composed answer's first two sentences (whether shown)."""
        return not self.abstained and _fact_first(self.composed, self.question)


def _cites(reading: Reading | None, item: EvalQuestion) -> bool:
    if reading is None or reading.first_citation is None:
        return False
    return Path(reading.first_citation).name in item.expected_sources


def _fact_first(reading: Reading | None, item: EvalQuestion) -> bool:
    if reading is None:
        return False
    texts = (reading.answer, reading.basis)
    firsts = [_squash(" ".join(first_sentences(t, 2))) for t in texts if t]
    return any(_squash(f) in first for f in item.facts for first in firsts)


@dataclass(frozen=True)
class MetricsRow:
    mode: str
    group: str
    questions: int
    hit1: float | None
    hit3: float | None
    fact: float | None
    oos_abstained: float | None
    false_abstention: float | None
    p50_ms: float
    p95_ms: float
    cite1: float | None = None
    fact2: float | None = None
    urdu_in_urdu: float | None = None
    redirected: float | None = None
    content_free: int = 0
    # Out-of-scope questions redirected to the topic their set names, and to another topic
    # (or to any, when the set says none fits); questions the set gives no topic for are left out.
    right_topic: int = 0
    wrong_topic: int = 0
    # Questions the bot asked back ("Do you mean (a) ... or (b) ...?"); of the in-scope ones,
    # how many were offered the expected rule among the two.
    asked_back: int = 0
    choice_right: int = 0
    choice_asked: int = 0
    # cite@1 and fact@2s of the composed text, as if the bot never asked back.
    cite1_composed: float | None = None
    fact2_composed: float | None = None


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


# A sentence ends at . ! ? or the Urdu full stop and question mark, before a space or a line
# break, but not after "a.m.", "Rs." or a title (as the composer splits); a list item or a line
# of its own is a sentence too. Citation markers ("[1]") stay with the sentence they close.
_SENTENCE_END = re.compile(
    r"(?<=[.!?۔؟])" + NOT_AFTER_ABBREVIATION_OR_TIME + r"(?:\s*\[\d+\])?\s+|\n+"
)


def first_sentences(text: str, count: int) -> list[str]:
    """The first ``count`` sentences of an answer as the learner reads them."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip(" []0123456789")]
    return parts[:count]


def load_questions(path: Path) -> list[EvalQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions: list[EvalQuestion] = []
    for item in data["questions"]:
        # Optional "also_expected": the second section of an ambiguous question, with its fact.
        also = item.get("also_expected") or []
        sources = [
            item.get("expected_source"),
            *(item.get("alt_sources") or []),
            *(a.get("source") for a in also),
        ]
        questions.append(
            EvalQuestion(
                id=str(item["id"]),
                question=str(item["question"]),
                lang=str(item["lang"]),
                in_scope=bool(item["in_scope"]),
                expected_sources=tuple(Path(s).name for s in sources if s),
                fact=str(item["fact"]) if item.get("fact") else None,
                split=str(item.get("split", "heldout")),
                alt_facts=tuple(str(a["fact"]) for a in also if a.get("fact")),
                redirect_topic=str(item["redirect_topic"]) if item.get("redirect_topic") else None,
                topic_labelled="redirect_topic" in item,
            )
        )
    return questions


def run_questions(
    engine: KnowledgeEngine,
    questions: Sequence[EvalQuestion],
    modes: Iterable[RetrievalMode] = tuple(RetrievalMode),
    on_done: Callable[[EvalOutcome], None] | None = None,
) -> list[EvalOutcome]:
    outcomes: list[EvalOutcome] = []
    for mode in modes:
        for item in questions:
            if is_content_free(item.question):
                outcome = _content_free_outcome(item, mode)
            else:
                answer, evidence = engine.answer_with_evidence(item.question, mode)
                outcome = _outcome(item, mode, answer, evidence)
                if outcome.asked_back:
                    outcome = _tapped(outcome, answer, _button(engine, item.question))
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
    return outcomes


async def run_questions_as_the_bot(
    engine: KnowledgeEngine, questions: Sequence[EvalQuestion]
) -> list[EvalOutcome]:
    """Hybrid retrieval answered as the bot answers: through the LLM when one is configured
    (its NOT_IN_SOURCES counts as an abstention), so a deployment with an LLM can measure it."""
    outcomes: list[EvalOutcome] = []
    for item in questions:
        if is_content_free(item.question):
            outcomes.append(_content_free_outcome(item, RetrievalMode.HYBRID))
            continue
        answer, evidence = await engine.ask_with_evidence(item.question)
        outcome = _outcome(item, RetrievalMode.HYBRID, answer, evidence)
        if outcome.asked_back:
            chosen: dict[str, Answer | None] = {}
            for choice in answer.choices:
                # The question's script decides the reading as when it was first answered
                # ("en": Urdu script is still answered in Urdu).
                chosen[choice.chunk_id] = await engine.answer_choice(
                    item.question, choice.chunk_id, "en"
                )
            outcome = _tapped(outcome, answer, chosen.__getitem__)
        outcomes.append(outcome)
    return outcomes


def _button(engine: KnowledgeEngine, question: str) -> Callable[[str], Answer | None]:
    """What tapping a choice answers (the bot's ``answer_choice``, not in a thread)."""
    return lambda chunk_id: engine.answer_from_passage(question, chunk_id, None)


def _tapped(
    outcome: EvalOutcome, answer: Answer, answer_from: Callable[[str], Answer | None]
) -> EvalOutcome:
    """An asked-back question with what the learner reads after tapping: the choice in an
    expected document (of two, the one whose answer leads with the fact), or nothing."""
    item = outcome.question
    if not item.in_scope:
        return outcome
    readings: list[Reading] = []
    for choice in answer.choices[:2]:
        if Path(choice.document).name not in item.expected_sources:
            continue
        chosen = answer_from(choice.chunk_id)
        if chosen is None or chosen.abstained:
            continue
        readings.append(_reading(chosen))
    readings.sort(key=lambda r: (_fact_first(r, item), _cites(r, item)), reverse=True)
    return replace(outcome, chosen=readings[0] if readings else None)


def _reading(answer: Answer) -> Reading:
    first = answer.citations[0] if answer.citations and not answer.abstained else None
    return Reading(
        first_citation=(first.document or first.source) if first else None,
        answer=answer.text,
        basis=str(getattr(answer, "basis", "") or ""),
    )


def _content_free_outcome(item: EvalQuestion, mode: RetrievalMode) -> EvalOutcome:
    """What the learner gets for a message that asks nothing: a request for a full question,
    no passage, no answer, at once."""
    return EvalOutcome(
        question=item,
        mode=mode,
        sources=(),
        answer="",
        abstained=True,
        latency_ms=0.0,
        content_free=True,
    )


def _outcome(
    item: EvalQuestion, mode: RetrievalMode, answer: Answer, evidence: Evidence | None
) -> EvalOutcome:
    passages = evidence.passages if evidence else []
    reading = _reading(answer)
    return EvalOutcome(
        question=item,
        mode=mode,
        sources=tuple(p.chunk.source for p in passages),
        answer=reading.answer,
        abstained=answer.abstained,
        latency_ms=answer.latency_ms,
        first_citation=reading.first_citation,
        answer_language=_answer_language(answer),
        redirected=bool(getattr(answer, "redirect", False)),
        redirect_section=(
            evidence.redirect.section if evidence is not None and evidence.redirect else None
        ),
        basis=reading.basis,
        asked_back=answer.asked_back,
    )


_URDU_LETTER = re.compile(r"[\u0600-\u06FF]")


def _answer_language(answer: Answer) -> str:
    """The language the learner reads: the answer's own word for it, else Urdu when most
    letters of the answer are Urdu script."""
    declared = getattr(answer, "answer_language", None)
    if isinstance(declared, str) and declared:
        return declared
    letters = [ch for ch in answer.text if ch.isalpha()]
    urdu = sum(1 for ch in letters if _URDU_LETTER.match(ch))
    return "ur" if letters and urdu / len(letters) >= 0.5 else "en"


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarise(outcomes: Sequence[EvalOutcome]) -> list[MetricsRow]:
    """One row per (mode, group); groups: all, each language, each split, each split/language."""
    rows: list[MetricsRow] = []
    modes = list(dict.fromkeys(o.mode for o in outcomes))
    for mode in modes:
        mine = [o for o in outcomes if o.mode is mode]
        groups: dict[str, list[EvalOutcome]] = {"all": mine}
        for lang in ("en", "roman_ur", "ur"):
            groups[lang] = [o for o in mine if o.question.lang == lang]
        splits = list(dict.fromkeys(o.question.split for o in mine))
        for split in splits:
            groups[split] = [o for o in mine if o.question.split == split]
        for split in splits:
            for lang in ("en", "roman_ur", "ur"):
                groups[f"{split}/{lang}"] = [
                    o for o in mine if o.question.split == split and o.question.lang == lang
                ]
        for name, group in groups.items():
            if not group:
                continue
            in_scope = [o for o in group if o.question.in_scope]
            out_scope = [o for o in group if not o.question.in_scope]
            latencies = [o.latency_ms for o in group]
            rows.append(
                MetricsRow(
                    mode=mode.value,
                    group=name,
                    questions=len(group),
                    hit1=_share([o.hit_at(1) for o in in_scope]),
                    hit3=_share([o.hit_at(3) for o in in_scope]),
                    fact=_share([o.fact_in_answer for o in in_scope]),
                    oos_abstained=_share([o.abstained for o in out_scope]),
                    false_abstention=_share([o.abstained for o in in_scope]),
                    p50_ms=_percentile(latencies, 50),
                    p95_ms=_percentile(latencies, 95),
                    cite1=_share([o.first_citation_hit for o in in_scope]),
                    fact2=_share([o.fact_in_first_sentences for o in in_scope]),
                    urdu_in_urdu=_share(
                        [
                            o.answer_language == "ur"
                            for o in group
                            if o.question.lang == "ur" and not o.abstained
                        ]
                    ),
                    redirected=_share([o.redirected for o in out_scope]),
                    content_free=sum(o.content_free for o in group),
                    right_topic=sum(o.right_topic is True for o in group),
                    wrong_topic=sum(o.right_topic is False for o in group),
                    asked_back=sum(o.asked_back for o in group),
                    choice_right=sum(o.asked_back and o.chosen is not None for o in in_scope),
                    choice_asked=sum(o.asked_back for o in in_scope),
                    cite1_composed=_share([o.composed_first_citation_hit for o in in_scope]),
                    fact2_composed=_share([o.composed_fact_in_first_sentences for o in in_scope]),
                )
            )
    return rows


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


TABLE_HEADER = (
    "mode",
    "group",
    "n",
    "hit@1",
    "hit@3",
    "fact",
    "OOS abstained",
    "false abst.",
    "cite@1",
    "fact@2s",
    "ur→ur",
    "redirected",
    "content-free",
    "p50 ms",
    "p95 ms",
    # Last, so that the columns before keep their places in earlier tables.
    "redirect right/wrong",
    # Asking back (``EvalOutcome.asked_back``), and the composed text's figures beside those
    # of what the learner reads (cite@1, fact@2s), added after the columns earlier runs had.
    "asked back",
    "choice right",
    "cite@1 composed",
    "fact@2s composed",
)


def table_cells(row: MetricsRow) -> list[str]:
    return [
        row.mode,
        row.group,
        str(row.questions),
        _fmt(row.hit1),
        _fmt(row.hit3),
        _fmt(row.fact),
        _fmt(row.oos_abstained),
        _fmt(row.false_abstention),
        _fmt(row.cite1),
        _fmt(row.fact2),
        _fmt(row.urdu_in_urdu),
        _fmt(row.redirected),
        str(row.content_free),
        f"{row.p50_ms:.0f}",
        f"{row.p95_ms:.0f}",
        f"{row.right_topic}/{row.wrong_topic}",
        str(row.asked_back),
        f"{row.choice_right}/{row.choice_asked}",
        _fmt(row.cite1_composed),
        _fmt(row.fact2_composed),
    ]


def to_markdown(rows: Sequence[MetricsRow], title: str = "") -> str:
    lines = [f"### {title}", ""] if title else []
    lines.append("| " + " | ".join(TABLE_HEADER) + " |")
    lines.append("|" + "---|" * len(TABLE_HEADER))
    lines.extend("| " + " | ".join(table_cells(row)) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def failures(outcomes: Sequence[EvalOutcome], mode: RetrievalMode) -> list[dict[str, Any]]:
    """Questions the given mode got wrong (for inspecting the dev split)."""
    wrong: list[dict[str, Any]] = []
    for o in outcomes:
        if o.mode is not mode:
            continue
        q = o.question
        bad = (q.in_scope and (not o.hit_at(3) or o.abstained)) or (
            not q.in_scope and not o.abstained
        )
        if bad:
            wrong.append(
                {
                    "id": q.id,
                    "q": q.question,
                    "lang": q.lang,
                    "split": q.split,
                    "want": q.expected_sources,
                    "got": o.sources,
                    "abstained": o.abstained,
                    "content_free": o.content_free,
                }
            )
    return wrong
