"""Answers composed only from retrieved passages, with citations, or an honest abstention."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from knowledge.answers import Citation
from knowledge.chunking import Chunk
from knowledge.config import RetrievalThresholds
from knowledge.language import (
    ENGLISH_STOPWORDS,
    QUESTION_WORDS,
    NormalisedQuery,
    tokenize,
)
from knowledge.retrieval import HybridRetriever, ScoredPassage

# The engine's own "I don't know" (`hecbot ask`; the bot shows its catalogue's, which names
# the bot's own ways to a person). It names no programme and no desk: the knowledge base may be
# another body's, whose people the engine cannot know (it once named "the HEC helpdesk" over
# every knowledge base). In Urdu for a learner reading Urdu, as the redirect lead is.
ASK_PEOPLE = "Please ask the people who run the programme, who can help you further."
ASK_PEOPLE_UR = "براہ کرم پروگرام چلانے والوں سے پوچھیں، وہ آپ کی مزید مدد کر سکتے ہیں۔"
ABSTAIN_TEXT = (
    "I don't know: the programme's rules in my knowledge base don't answer this, and I'd "
    f"rather not guess. {ASK_PEOPLE}"
)
ABSTAIN_TEXT_UR = (
    "پروگرام کے قواعد میں اس سوال کا جواب مجھے معلوم نہیں، اور میں اندازہ نہیں لگانا چاہتا۔ "
    + ASK_PEOPLE_UR
)
# Before the "Where to go" text of a topic the programme does not cover.
# It names no programme: the knowledge base may be another body's (its redirect document says
# whose), and the abstention text above names none either.
REDIRECT_LEAD = "This is not covered by the programme's rules."
REDIRECT_LEAD_UR = "یہ سوال پروگرام کے قواعد میں شامل نہیں۔"
# A full stop after a title or "Rs." ("Rs. 300", "Dr. Amna") ends no sentence.
NOT_AFTER_ABBREVIATION = r"(?<!\bRs\.)(?<!\bDr\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bProf\.)"
# Nor does one after "a.m.", "p.m.", "e.g." or "i.e." ("from 9:00 a.m. to 5:00 p.m." is one
# sentence); the composer and the evaluator both split with this, so the fact the evaluator looks
# for in the first two sentences is in the sentences the composer put there.
NOT_AFTER_ABBREVIATION_OR_TIME = (
    r"(?<!a\.m\.)(?<!p\.m\.)(?<!e\.g\.)(?<!i\.e\.)" + NOT_AFTER_ABBREVIATION
)
_SENTENCE_SPLIT = re.compile(rf"(?<=[.!?]){NOT_AFTER_ABBREVIATION}\s+(?=[A-Z0-9\"'(])|\n+")


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for a question, and whether it is enough to answer."""

    query: NormalisedQuery
    passages: list[ScoredPassage]
    answerable: bool
    reason: str
    # A topic the programme does not cover that the question names (knowledge/redirects.py):
    # the answer is where to go instead, whatever the passages say.
    redirect: Chunk | None = None
    # The passages the extractive answer reads its sentences from: ``passages`` and the next
    # of retrieval's ranking (KnowledgeConfig.answer_k). Empty: ``passages``.
    reading: list[ScoredPassage] = field(default_factory=list)
    # The best passage is a paraphrase of the question (cosine at least ``strong_dense``) and
    # stands out from the rest (``unsupported_min_z``): the strong pass that a word the rules
    # never use does not withdraw. A redirect topic named by such a word alone then leaves the
    # question to the rule (knowledge/redirects.py).
    stands_out: bool = False

    @property
    def answer_passages(self) -> list[ScoredPassage]:
        """The passages the answer's sentences are chosen from."""
        return self.reading or self.passages


class Answerer(Protocol):
    def compose(self, evidence: Evidence) -> tuple[str, list[Citation]]: ...


def judge_evidence(
    query: NormalisedQuery,
    passages: Sequence[ScoredPassage],
    retriever: HybridRetriever,
    thresholds: RetrievalThresholds,
) -> Evidence:
    """Decide whether the knowledge base holds the answer.

    Two independent signals must agree: the best passage must be semantically close to the
    question (dense cosine), and the question's content words must occur in the top passages
    (IDF-weighted coverage) — unless the semantic match alone is very strong (a paraphrase).
    A question naming something the knowledge base never mentions, nor anything near it
    ("scholarship"; "teachers" is near "teaching"), loses that paraphrase pass unless its best
    passage clearly stands out from the rest (``unsupported_blocks_dense``,
    ``neighbour_support``, ``unsupported_min_z``): its words must then be found.
    """
    if not passages:
        return Evidence(query, list(passages), False, "no passages")
    # An Urdu-script question's own words against the rules' Urdu versions (when on): one no
    # Urdu rule uses is missing, as an English word the rules never use ("ای کیٹ", "لائبریری").
    urdu = retriever.urdu_words(query) if thresholds.urdu_words else None

    def covered(chunks: list[Chunk]) -> float:
        return retriever.coverage(
            query,
            chunks,
            urdu,
            version_weight=thresholds.urdu_version_weight,
            version_min_shared=thresholds.urdu_version_min_shared,
        )

    if thresholds.one_rule_coverage:
        # One rule must hold the question's words: words found only spread over several
        # passages ("fees" in one, "semester" in another) are no sign that any rule answers it.
        coverage = max(covered([p.chunk]) for p in passages)
    else:
        coverage = covered([p.chunk for p in passages])
    if all(p.dense is None for p in passages):  # lexical-only retrieval: coverage decides
        ok = coverage >= thresholds.min_coverage
        return Evidence(query, list(passages), ok, f"coverage {coverage:.2f} (lexical only)")
    dense = max((p.dense for p in passages if p.dense is not None), default=0.0)
    stand_out = max((p.dense_z for p in passages if p.dense_z is not None), default=None)
    stands_out = (
        dense >= thresholds.strong_dense
        and stand_out is not None
        and stand_out >= thresholds.unsupported_min_z
    )
    if dense < thresholds.min_dense:
        return Evidence(query, list(passages), False, f"dense {dense:.3f} < min")
    missing_urdu = list(urdu.missing) if urdu is not None else []
    if not query.groups and not missing_urdu:
        # Nothing lexical to check (an Urdu-script question with no glossary word, no English
        # loanword and no word the Urdu rules lack): coverage would read 0 for lack of words,
        # not for lack of support, so similarity decides.
        reason = f"dense {dense:.3f} (no words to check)"
        return Evidence(query, list(passages), True, reason, stands_out=stands_out)
    unsupported: list[str] = []
    elsewhere: list[str] = []
    if dense >= thresholds.strong_dense and thresholds.elsewhere_withdraws_dense:
        paraphrase = max(passages, key=lambda p: p.dense if p.dense is not None else -1.0)
        elsewhere = retriever.used_elsewhere(query, paraphrase.chunk)
        if len(elsewhere) < thresholds.elsewhere_withdraws_dense:
            elsewhere = []
    if dense >= thresholds.strong_dense and not elsewhere:
        if thresholds.unsupported_blocks_dense and not stands_out:
            # Only here is the embedding of the missing words worth its ~10 ms.
            unsupported = [
                *retriever.unsupported_terms(query, thresholds.neighbour_support),
                *missing_urdu,
            ]
        if not unsupported:
            reason = f"dense {dense:.3f} strong"
            return Evidence(query, list(passages), True, reason, stands_out=stands_out)
    else:
        unsupported = missing_urdu
    why = f" (not in the knowledge base: {', '.join(unsupported)})" if unsupported else ""
    if elsewhere:
        why += f" (not in the closest rule: {', '.join(elsewhere)})"
    answerable = coverage >= thresholds.min_coverage
    below = "" if answerable else " < min"
    reason = f"coverage {coverage:.2f}{below}{why}"
    return Evidence(query, list(passages), answerable, reason, stands_out=stands_out)


_SOFT_WRAP = re.compile(r"(?<!\n)\n(?!\n|\s*(?:[-*•]|\d+[.)])\s)")


# Lines that describe the document rather than state a rule: its effective date (already in the
# citation's metadata) and block-quoted editor's notes such as "SAMPLE: for HEC to replace".
_NOT_A_RULE = re.compile(r"^\s*(?:>.*|effective(?:\s+date)?\s*:.*)$", re.IGNORECASE | re.MULTILINE)


def _sentences(text: str) -> list[str]:
    """Sentences and list items; lines wrapped inside a paragraph are joined first."""
    unwrapped = _SOFT_WRAP.sub(" ", _NOT_A_RULE.sub("", text))
    return [s.strip(" -*•\t") for s in _SENTENCE_SPLIT.split(unwrapped) if s.strip(" -*•\t")]


class ExtractiveAnswerer:
    """Picks the sentences of the best passages that share the most (rare) words with the
    question; writes nothing of its own except the joins."""

    def __init__(self, retriever: HybridRetriever, max_chars: int = 700) -> None:
        self._retriever = retriever
        self._max_chars = max_chars

    def _sentence_score(self, sentence: str, terms: set[str]) -> float:
        words = set(tokenize(sentence))
        return sum(self._retriever.idf(t) for t in terms if t in words)

    def compose(self, evidence: Evidence) -> tuple[str, list[Citation]]:
        terms = {
            t
            for t in evidence.query.terms
            if t not in QUESTION_WORDS and t not in ENGLISH_STOPWORDS
        }
        passages = evidence.passages
        top_score = passages[0].score
        parts: list[str] = []
        citations: list[Citation] = []
        budget = self._max_chars
        for rank, passage in enumerate(passages):
            # Later passages only when they are nearly as relevant as the best one.
            if rank > 0 and passage.score < 0.8 * top_score:
                continue
            sentences = _sentences(passage.chunk.text)
            scored = [(self._sentence_score(s, terms), i) for i, s in enumerate(sentences)]
            if rank > 0 and max((score for score, _ in scored), default=0.0) == 0.0:
                continue
            marker = f" [{len(citations) + 1}]"
            chosen: list[int] = []
            used = len(marker)
            # The best passage leads with its opening sentence (it usually states the rule).
            order = sorted(scored, key=lambda item: (-item[0], item[1]))
            if rank == 0 and sentences:
                order = [(0.0, 0), *[item for item in order if item[1] != 0]]
            for score, i in order:
                if score == 0.0 and (rank > 0 or used > self._max_chars // 2):
                    break
                cost = len(sentences[i]) + 1
                if used + cost > budget:
                    continue
                chosen.append(i)
                used += cost
                if rank > 0 and len(chosen) >= 2:
                    break
            if not chosen:
                continue
            text = " ".join(_as_sentence(sentences[i]) for i in sorted(chosen))
            parts.append(text + marker)
            budget -= used + 1
            chunk = passage.chunk
            citations.append(
                Citation(
                    title=chunk.title,
                    section=chunk.section,
                    source=chunk.citation_source,
                    score=passage.dense if passage.dense is not None else passage.score,
                    document=chunk.source,
                )
            )
            if budget < 80:
                break
        return "\n".join(parts), citations


def _as_sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", ":")) else text + "."
