"""Questions the programme does not cover, answered with where to go instead.

A redirect document (front matter ``kind: redirect``) has one section per topic: a "Where to
go" text, and an "Asked as:" line listing the words and phrases (English, Roman Urdu, Urdu,
separated by ";") that point to the topic. HEC edits it like any other document.

A question is redirected when it contains one of a topic's phrases (every word of it, in
any inflected form: "داخلے کا ٹیسٹ" holds "داخلہ ٹیسٹ") and either the phrase's words are
words the rules never use ("laptop", "hostel": the rules cannot be about it; an Urdu word is
looked for in the rules' Urdu versions, and grammar words such as "of" or "کا" are no
evidence), or the rules do not answer the question, or the topic is at least as
close to the question, in the embedding model's eyes, as the best rule (less
``REDIRECT_MARGIN``; "semester fee" names a word the rules use). A redirect is an abstention:
the answer says the question is not the programme's, and where to go.

A question naming such a thing in passing ("My laptop has no webcam: how do I do the identity
verification?") is not redirected when the best rule holds every other word the question asks
about, those words say more (summed IDF) than the topic's phrase, and the rule is clearly closer
to the question than the topic (``PASSING_MARGIN``).

A question that names no topic is still redirected when the closest topic is closer to it than
every rule by ``topic_margin`` (per language, `RetrievalThresholds.topic_margin`): "I want a free
computer at home" names no "Asked as" phrase, but it is about the laptop scheme, not about the
licence being free. Phrases stay the precise signal; closeness catches the ways of asking them
that the list does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.chunking import Chunk
from knowledge.language import (
    NormalisedQuery,
    is_urdu_script,
    normalise_query,
    phrase_words,
    tokenize,
)
from knowledge.retrieval import HybridRetriever, ScoredPassage

# How much closer the best rule may be to the question than a topic its words name, and the
# question still be redirected (cosines). Chosen on the dev split (docs/benchmarks.md).
REDIRECT_MARGIN = 0.01
# A word in at least this share of the rule sections (of its language) is a grammar word
# ("the", "of", "کا", "میں"): no evidence of what the rules are about.
GRAMMAR_WORD_SHARE = 0.25
# How much closer (cosine) the best rule must be than a topic named in passing for the rule to
# answer (see the module docstring). Chosen on the dev split (docs/benchmarks.md, issue 15): the
# in-scope questions naming a laptop or a hostel in passing were 0.016-0.048 closer to their
# rule; out-of-scope ones whose other words the rule also held, 0.008 or less.
PASSING_MARGIN = 0.015
# The share (IDF-weighted) of the question's other words the best rule must hold.
PASSING_COVERAGE = 0.99

_ASKED_AS = re.compile(r"^\s*asked as\s*:(.*)$", re.IGNORECASE | re.MULTILINE)
_WHERE = re.compile(r"^\s*where to go\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Topic:
    chunk: Chunk
    phrases: tuple[frozenset[str], ...]
    where: str  # the "Where to go" text, unwrapped


def parse_topic(chunk: Chunk) -> Topic:
    phrases: list[frozenset[str]] = []
    for match in _ASKED_AS.finditer(chunk.text):
        for phrase in match.group(1).split(";"):
            words = frozenset(_words(phrase))
            if words:
                phrases.append(words)
    body = _ASKED_AS.sub("", chunk.text)
    where = " ".join(line.strip() for line in body.splitlines() if line.strip())
    return Topic(chunk, tuple(phrases), _WHERE.sub("", where))


def _words(text: str) -> list[str]:
    return phrase_words(text)


class RedirectMatcher:
    """Finds the topic a question names, if any, among the redirect documents."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self._retriever = retriever
        self._topics = [parse_topic(chunk) for chunk in retriever.redirects]
        self._by_id = {topic.chunk.id: topic for topic in self._topics}
        # How many of the rules' Urdu sections use each word (translations of rule documents,
        # not of the redirect document itself), for Urdu phrase words.
        topics = {chunk.source for chunk in retriever.redirects}
        urdu = [
            set(_words(chunk.text))
            for chunk in retriever.translations
            if chunk.translates.strip().lstrip("./") not in topics
        ]
        self._urdu_sections = len(urdu)
        self._urdu_frequency: dict[str, int] = {}
        for words in urdu:
            for word in words:
                self._urdu_frequency[word] = self._urdu_frequency.get(word, 0) + 1

    @property
    def topics(self) -> Sequence[Topic]:
        return self._topics

    def topic(self, chunk_id: str) -> Topic | None:
        return self._by_id.get(chunk_id)

    def named(self, question: str) -> list[Topic]:
        words = set(_words(question))
        return [t for t in self._topics if any(phrase <= words for phrase in t.phrases)]

    def _share_of_rules_using(self, word: str) -> float:
        """The share of rule sections (English, or their Urdu versions for an Urdu word) that
        use the word; 0.0 when the rules have no section in that language."""
        if is_urdu_script(word):
            total = self._urdu_sections
            count = self._urdu_frequency.get(word, 0)
        else:
            total = self._retriever.bm25.size
            count = self._retriever.bm25.document_frequency(word)
        return count / total if total else 0.0

    def _foreign_to_the_rules(self, topic: Topic, question: str) -> bool:
        """Whether a phrase of the topic that the question holds names only things no rule
        uses a word for (grammar words aside)."""
        words = set(_words(question))
        for phrase in topic.phrases:
            if not phrase <= words:
                continue
            shares = [self._share_of_rules_using(w) for w in phrase]
            content = [share for share in shares if share < GRAMMAR_WORD_SHARE]
            if content and all(share == 0.0 for share in content):
                return True
        return False

    def _mentioned_in_passing(
        self,
        topic: Topic,
        query: NormalisedQuery,
        passages: Sequence[ScoredPassage],
        topic_similarity: float,
    ) -> bool:
        """Whether the best rule answers the question and the topic is only named in passing:
        the rule holds every other word the question asks about (those the rules use or could
        use), those words weigh more than the topic's phrase, and the rule is clearly closer."""
        if not passages or passages[0].dense is None:
            return False
        if passages[0].dense < topic_similarity + PASSING_MARGIN:
            return False
        return self.rule_holds_the_other_words(topic, query, passages[0].chunk)

    def rule_holds_the_other_words(self, topic: Topic, query: NormalisedQuery, rule: Chunk) -> bool:
        """Whether ``rule`` holds every word the question asks about besides the topic's
        phrase (those the rules use or could use), and those words weigh more than the
        phrase."""
        words = set(_words(query.original))
        named: set[str] = set()
        for phrase in topic.phrases:
            if phrase <= words:
                named |= phrase
        bm25 = self._retriever.bm25
        # The phrase as the question reads it in English: an Urdu "لیپ ٹاپ" is the group
        # ("laptop",), which shares no word with the phrase's own Urdu words, and weighs as
        # that one word, not as two words no English rule uses.
        said = [w for w in query.original.split() if named & set(_words(w))]
        reading = normalise_query(" ".join(said)).groups if said else ()
        named_terms = {term for group in reading for term in group}
        present = set(tokenize(rule.search_text))
        total = found = 0.0
        for group in query.groups:
            if (named | named_terms) & set(group):
                continue
            if group in query.foreign and all(bm25.document_frequency(t) == 0 for t in group):
                continue
            weight = min(bm25.idf(term) for term in group)
            total += weight
            if any(term in present for term in group):
                found += weight
        if reading and any(is_urdu_script(w) for w in named):
            phrase_weight = sum(min(bm25.idf(term) for term in group) for group in reading)
        else:
            phrase_weight = max(
                (sum(bm25.idf(w) for w in phrase) for phrase in topic.phrases if phrase <= words),
                default=0.0,
            )
        return total > phrase_weight and found >= PASSING_COVERAGE * total

    def choose(
        self,
        query: NormalisedQuery,
        passages: Sequence[ScoredPassage],
        answerable: bool,
        margin: float = REDIRECT_MARGIN,
        topic_margin: float | None = None,
    ) -> Topic | None:
        """The topic to redirect the question to, or None when the rules should answer it (or
        decline it plainly). ``topic_margin``: see the module docstring (None: off)."""
        named = self.named(query.original)
        if not named and topic_margin is None:
            return None
        similarity = {
            chunk.id: cosine for chunk, cosine in self._retriever.redirect_similarities(query)
        }
        rule = max((p.dense for p in passages if p.dense is not None), default=None)
        if named:
            best = max(named, key=lambda t: similarity.get(t.chunk.id, 0.0))
            best_similarity = similarity.get(best.chunk.id, 0.0)
            if not answerable:
                return best
            if self._foreign_to_the_rules(best, query.original) and not (
                self._mentioned_in_passing(best, query, passages, best_similarity)
            ):
                return best
            if rule is None or best_similarity >= rule - margin:
                return best
        if topic_margin is None or rule is None or not self._topics:
            return None
        closest = max(self._topics, key=lambda t: similarity.get(t.chunk.id, 0.0))
        if similarity.get(closest.chunk.id, 0.0) >= rule + topic_margin:
            return closest
        return None
