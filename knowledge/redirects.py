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

A question naming such a thing only in a clause that gives its context, not in the clause it
asks ("hostel ka wifi slow hai, lectures download kar sakta hoon?", "Our hostel has no wifi.
Can I watch the videos offline?"), is judged by that asked clause (``asked_clause``,
``stands_alone``): answered when the clause on its own is a question the rules answer, naming
no topic, with the named topic not as close to it as its best rule, no word the rules never
use, and words that weigh more than the topic's phrase ("Can I apply?" after "I need a hostel
room." asks about the room: "apply" says less than "hostel"). A question about the topic itself
asks it in the clause that asks ("hostel kaise milega?"), and is redirected as before. A topic
named by its own words (below) rather than a phrase is judged the same way, each naming word
weighing as much as a word can ("The library computers block Coursera. Can I study on my phone
instead?"). The answer is read from the whole question's passages.

A question that names no topic is still redirected when the closest topic is closer to it than
every rule by ``topic_margin`` (per language, `RetrievalThresholds.topic_margin`): "I want a free
computer at home" names no "Asked as" phrase, but it is about the laptop scheme, not about the
licence being free. Phrases stay the precise signal; closeness catches the ways of asking them
that the list does not hold. Closeness alone is no evidence of what a question is about, though:
some topic is always the closest, even to "What is the capital of France?" ("Transport"). So
the question must also use a word of that topic's own section (``shared_terms``: its heading,
"Where to go" text, "Asked as" line and Urdu version, read as a question's words are, glossed
and stemmed; "free", "scheme" for the laptop scheme), leaving out words most topics use
("HEC", "website"). Else it gets the plain decline, which leads to a person: declined all
the same (the margin was chosen as a decline), but not sent to an office that has nothing to do
with it. The document's
opening, with neither a "Where to go" text nor an "Asked as" line, is no topic.

A question is also redirected by a word of a topic's own section that no rule uses (its
heading, "Where to go" text or "Asked as" line, or those of its Urdu version): "tuition",
"لائبریری" (library), "رکنیت" (membership) are in no phrase, yet the redirect document speaks of
them and the rules never do. A single word is weaker evidence than a listed phrase, so the rules
still answer when their best passage is a paraphrase of the question that stands out from the
rest (``Evidence.stands_out``), or when one retrieved rule holds more of the question's other
words than the naming words say, and as much of them as the abstention floor asks ("Can I use
the library's computers, or study on my phone?" keeps its rule; "When does the library close?"
does not, nor "I want a library card. Can I apply?", whose "card" and "apply" two rules hold
between them, each less than "library" says). A listed phrase that decides keeps choosing the
topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.answering import Evidence
from knowledge.chunking import Chunk, translated_section
from knowledge.language import (
    ROMAN_VARIANTS,
    VOCAB_DIR,
    NormalisedQuery,
    is_content_free,
    is_urdu_script,
    message_words,
    normalise_query,
    phrase_words,
    tokenize,
    urdu_base_form,
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
# A word that at least this share of the redirect topics use (and at least TOPIC_SHARED_MIN
# of them) is the redirect document's common vocabulary ("HEC", "website", "programme"): a
# question using it is no more about one topic than another.
TOPIC_SHARED_SHARE = 0.25
TOPIC_SHARED_MIN = 3

# A clause ends at a sentence's or a list's mark followed by a space ("hai, lectures"; not
# "1,000" or "Rs.300"), or at an Urdu mark (writers often put no space after "،").
_CLAUSE_END = re.compile(r"(?<=[.!?;,])\s+|(?<=[\u060c\u061b\u061f\u06d4])\s*|\n+")
_QUESTION_MARKS = ("?", "\u061f")


def _spelled(word: str) -> str:
    return ROMAN_VARIANTS.get(word, word)


def _ask_words() -> dict[str, frozenset[str]]:
    """knowledge/vocab/ask_words.tsv: its words by where they mark an asking clause."""
    kinds: dict[str, set[str]] = {"start": set(), "any": set(), "joiner": set()}
    for line in (VOCAB_DIR / "ask_words.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, kind = (column.strip() for column in line.split("\t")[:2])
        # As a question's words are read: Roman Urdu in its one spelling ("kia" → "kya").
        kinds[kind].update({word, _spelled(word)})
    return {kind: frozenset(words) for kind, words in kinds.items()}


ASK_WORDS = _ask_words()


def clauses(question: str) -> list[str]:
    """The question's clauses: split at commas and sentence marks, and before a joining word
    ("but", "lekin", "مگر")."""
    found: list[str] = []
    for part in _CLAUSE_END.split(question.strip()):
        current: list[str] = []
        for token in part.split():
            words = message_words(token)
            if current and words and _spelled(words[0]) in ASK_WORDS["joiner"]:
                found.append(" ".join(current))
                current = []
            current.append(token)
        if current:
            found.append(" ".join(current))
    return found


def _asks(clause: str) -> bool:
    """Whether a clause (of a question with no question mark) reads as asking."""
    words = [_spelled(w) for w in message_words(clause)]
    if not words:
        return False
    return words[0] in ASK_WORDS["start"] or any(w in ASK_WORDS["any"] for w in words)


def asked_and_context(question: str) -> tuple[str, list[str]] | None:
    """The clause(s) the question asks, joined, and the clauses that only give its context;
    None for a question of one clause or with no clause that asks. The asking clauses are those
    ending with a question mark, or, when none does, those holding an asking word
    (knowledge/vocab/ask_words.tsv)."""
    parts = clauses(question)
    if len(parts) < 2:
        return None
    asking = [c for c in parts if c.rstrip(" .!").endswith(_QUESTION_MARKS)]
    if not asking:
        asking = [c for c in parts if _asks(c)]
    if not asking or len(asking) == len(parts):
        return None
    return " ".join(asking), [c for c in parts if c not in asking]


_ASKED_AS = re.compile(r"^\s*asked as\s*:(.*)$", re.IGNORECASE | re.MULTILINE)
_WHERE = re.compile(r"^\s*where to go\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Topic:
    chunk: Chunk
    phrases: tuple[frozenset[str], ...]
    where: str  # the "Where to go" text, unwrapped
    # Whether the section is a topic at all: it has a "Where to go" text or an "Asked as"
    # line (the document's opening, which says what the document is, has neither).
    signposted: bool = True


@dataclass(frozen=True)
class RestOfQuestion:
    """A question apart from the words naming a redirect topic (IDF weights)."""

    said: float  # what the naming words weigh
    rest: float  # what the question's other words weigh
    found: float  # of those, what the one retrieved rule holding the most of them holds

    def answered(self, min_coverage: float) -> bool:
        """Whether one rule holds more of the other words than the naming ones say, and enough
        of them (``min_coverage``)."""
        return self.found > self.said and self.found >= min_coverage * self.rest


def parse_topic(chunk: Chunk) -> Topic:
    phrases: list[frozenset[str]] = []
    for match in _ASKED_AS.finditer(chunk.text):
        for phrase in match.group(1).split(";"):
            words = frozenset(_words(phrase))
            if words:
                phrases.append(words)
    body = _ASKED_AS.sub("", chunk.text)
    where = " ".join(line.strip() for line in body.splitlines() if line.strip())
    signposted = bool(phrases) or _WHERE.match(where) is not None
    return Topic(chunk, tuple(phrases), _WHERE.sub("", where), signposted)


def _words(text: str) -> list[str]:
    return phrase_words(text)


class RedirectMatcher:
    """Finds the topic a question names, if any, among the redirect documents."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self._retriever = retriever
        # A topic is a section with an "Asked as" line. The document's other text (its
        # introduction: "Each section below names one such topic...") names no topic and says
        # nowhere to go: as a topic, the closest-topic redirect sent questions to it, and the
        # learner read the introduction ("My roommate and I want to submit identical answers").
        parsed = (parse_topic(chunk) for chunk in retriever.redirects)
        self._topics = [topic for topic in parsed if topic.phrases]
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
        self._topic_words = self._words_of_topics()
        self._topic_terms = self._terms_of_topics()

    def _words_of_topics(self) -> dict[str, frozenset[str]]:
        """Every word of each topic's section, as ``phrase_words`` reads it: its heading, its
        "Where to go" text and "Asked as" line, and those of its Urdu version if any."""
        texts = {
            (topic.chunk.source, topic.chunk.section): [topic.chunk.section, topic.chunk.text]
            for topic in self._topics
        }
        for chunk in self._retriever.translations:
            source, section = translated_section(chunk)
            for (topic_source, topic_section), parts in texts.items():
                # A translation's ``translates`` is relative to the folder indexed; the
                # topic's source may carry that folder.
                if topic_section == section and topic_source.endswith(source):
                    parts.extend((chunk.section, chunk.text))
        return {
            topic.chunk.id: frozenset(
                word
                for text in texts[(topic.chunk.source, topic.chunk.section)]
                for word in _words(text)
            )
            for topic in self._topics
        }

    def _terms_of_topics(self) -> dict[str, frozenset[str]]:
        """What each topic is about, as a question's words are read (``NormalisedQuery.groups``,
        ``unread``): the words of its section (``_words_of_topics``) and the English readings of
        its Roman Urdu and Urdu phrases and Urdu version (glossary, lexicon, loanwords). Words
        that most topics use ("HEC", "website", "programme") name none of them."""
        terms: dict[str, set[str]] = {}
        for topic in self._topics:
            found = set(self._topic_words.get(topic.chunk.id, frozenset()))
            texts = [p for m in _ASKED_AS.finditer(topic.chunk.text) for p in m.group(1).split(";")]
            for chunk in self._retriever.translations:
                source, section = translated_section(chunk)
                if section == topic.chunk.section and topic.chunk.source.endswith(source):
                    texts.append(chunk.text)
            for text in texts:
                for group in normalise_query(text).groups:
                    found.update(group)
            terms[topic.chunk.id] = found
        spread: dict[str, int] = {}
        for found in terms.values():
            for term in found:
                spread[term] = spread.get(term, 0) + 1
        most = max(TOPIC_SHARED_MIN, TOPIC_SHARED_SHARE * len(terms))
        return {
            topic_id: frozenset(t for t in found if spread[t] < most)
            for topic_id, found in terms.items()
        }

    def shared_terms(self, topic: Topic, query: NormalisedQuery) -> frozenset[str]:
        """The question's content words (English readings, and an Urdu question's words no
        vocabulary reads, in their base form) that the topic's section uses."""
        words = {term for group in query.groups for term in group}
        words.update(urdu_base_form(word) for word in query.unread)
        return frozenset(words & self._topic_terms.get(topic.chunk.id, frozenset()))

    def named_by_words(self, query: NormalisedQuery) -> dict[str, frozenset[str]]:
        """Topics whose own section uses a word of the question that no rule uses, each with
        those words (as ``phrase_words`` reads them). The words are the question's unsupported
        words (``retrieval.unsupported_terms``: English and loanwords) and, for an Urdu-script
        question, its words no Urdu rule uses (``urdu_words.UrduVocabulary.check``)."""
        absent: set[str] = set()
        for surface in self._retriever.unsupported_terms(query):
            for reading in surface.split("/"):  # a loanword's readings
                absent.update(_words(reading))
        for word in self._retriever.urdu_words(query).missing:
            absent.update(_words(word))
        if not absent:
            return {}
        named: dict[str, frozenset[str]] = {}
        for topic in self._topics:
            shared = absent & self._topic_words.get(topic.chunk.id, frozenset())
            if shared:
                named[topic.chunk.id] = frozenset(shared)
        return named

    def rest_of_question(
        self, query: NormalisedQuery, naming: frozenset[str], passages: Sequence[ScoredPassage]
    ) -> RestOfQuestion:
        """How much the question says besides the words naming a topic, and how much of that
        the retrieved rule holding the most of it holds (IDF weights; Roman Urdu words the
        rules could not use left out, as in coverage). One rule, not the retrieved rules
        together: pieced from several ("The lectures are long. When does the library close?":
        "lectures" from one rule, "long" from another, "close" from a third), the other words
        answered from a rule about none of them."""
        rest, _ = self._weigh_other_words(query, set(naming), set())
        found = max(
            (
                self._weigh_other_words(query, set(naming), set(tokenize(p.chunk.search_text)))[1]
                for p in passages
            ),
            default=0.0,
        )
        # A word no rule uses weighs as much as a word can (``BM25Index.idf`` of an unseen word).
        return RestOfQuestion(len(naming) * self._retriever.bm25.idf(""), rest, found)

    def _weigh_other_words(
        self, query: NormalisedQuery, naming: set[str], present: set[str]
    ) -> tuple[float, float]:
        """The IDF weight of the question's words besides ``naming`` (Roman Urdu words the
        rules could not use left out, as in coverage), and of those among ``present``."""
        bm25 = self._retriever.bm25
        total = found = 0.0
        for group in query.groups:
            if naming & set(group):
                continue
            if group in query.foreign and all(bm25.document_frequency(t) == 0 for t in group):
                continue
            weight = min(bm25.idf(term) for term in group)
            total += weight
            if any(term in present for term in group):
                found += weight
        return total, found

    def word_topic(
        self,
        query: NormalisedQuery,
        passages: Sequence[ScoredPassage],
        similarity: dict[str, float] | None = None,
        by_words: dict[str, frozenset[str]] | None = None,
    ) -> tuple[Topic, RestOfQuestion] | None:
        """The closest topic named by a word (``named_by_words``; ``by_words`` when the caller
        has read it already), with the rest of the question, or None."""
        if by_words is None:
            by_words = self.named_by_words(query)
        if not by_words:
            return None
        scores = similarity
        if scores is None:
            scores = {c.id: s for c, s in self._retriever.redirect_similarities(query)}
        named = [t for t in self._topics if t.chunk.id in by_words]
        best = max(named, key=lambda t: scores.get(t.chunk.id, 0.0))
        return best, self.rest_of_question(query, by_words[best.chunk.id], passages)

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
        named = self._named_words(topic, query.original)
        reading, phrase_weight = self._phrase_reading(topic, query.original)
        named_terms = {term for group in reading for term in group}
        present = set(tokenize(rule.search_text))
        total, found = self._weigh_other_words(query, named | named_terms, present)
        return total > phrase_weight and found >= PASSING_COVERAGE * total

    def _named_words(self, topic: Topic, question: str) -> set[str]:
        """The words of the topic's phrases the question holds."""
        words = set(_words(question))
        named: set[str] = set()
        for phrase in topic.phrases:
            if phrase <= words:
                named |= phrase
        return named

    def _phrase_reading(
        self, topic: Topic, question: str
    ) -> tuple[tuple[tuple[str, ...], ...], float]:
        """The topic's phrase as the question reads it in English, and what it weighs (summed
        IDF): an Urdu "لیپ ٹاپ" is the group ("laptop",), which shares no word with the
        phrase's own Urdu words, and weighs as that one word, not as two words no English rule
        uses."""
        named = self._named_words(topic, question)
        bm25 = self._retriever.bm25
        said = [w for w in question.split() if named & set(_words(w))]
        reading = normalise_query(" ".join(said)).groups if said else ()
        if reading and any(is_urdu_script(w) for w in named):
            weight = sum(min(bm25.idf(term) for term in group) for group in reading)
        else:
            words = set(_words(question))
            weight = max(
                (sum(bm25.idf(w) for w in phrase) for phrase in topic.phrases if phrase <= words),
                default=0.0,
            )
        return reading, weight

    def asked_clause(
        self, topic: Topic, question: str, by_words: frozenset[str] = frozenset()
    ) -> str | None:
        """The clause the question asks, when the topic is named only in a clause that gives
        its context ("hostel ka wifi slow hai," before "lectures download kar sakta hoon?"),
        that clause asks something (not only grammar words) and names no topic itself; else
        None. ``by_words``: the words that named the topic when no phrase of it did
        (``named_by_words``: "The library computers block Coursera." before "Can I study on my
        phone instead?")."""
        split = asked_and_context(question)
        if split is None:
            return None
        asked, _ = split
        named = self._named_words(topic, question) or set(by_words)
        if not named or named & set(_words(asked)):
            return None
        if is_content_free(asked) or self.named(asked):
            return None
        return asked

    def stands_alone(
        self,
        topic: Topic,
        question: str,
        asked: Evidence,
        by_words: frozenset[str] = frozenset(),
    ) -> bool:
        """Whether the asked clause (``asked_clause``), judged on its own (``asked``), is a
        question the rules answer without the topic: the rules answer it, the topic is not as
        close to it as its best rule (``REDIRECT_MARGIN``), it holds no word the rules never
        use, and its own words weigh more than the topic's phrase (summed IDF; "Can I apply?"
        after "I need a hostel room." asks about the room: "apply" says less than "hostel")."""
        return asked.answerable and self.clause_stands_apart(
            topic, question, asked.query, asked.passages, by_words
        )

    def clause_stands_apart(
        self,
        topic: Topic,
        question: str,
        query: NormalisedQuery,
        passages: Sequence[ScoredPassage],
        by_words: frozenset[str] = frozenset(),
    ) -> bool:
        """``stands_alone`` but for whether the rules answer the clause (the floors'
        judgement, which ``hecbot kb calibrate`` varies): everything else about it."""
        rule = max((p.dense for p in passages if p.dense is not None), default=None)
        if rule is None:
            return False
        similarity = {
            chunk.id: cosine for chunk, cosine in self._retriever.redirect_similarities(query)
        }
        if similarity.get(topic.chunk.id, 0.0) >= rule - REDIRECT_MARGIN:
            return False
        bm25 = self._retriever.bm25
        groups = [
            group
            for group in query.groups
            if not (group in query.foreign and all(bm25.document_frequency(t) == 0 for t in group))
        ]
        # A word no rule uses in the clause ("which course helps with biology?" after "I am
        # preparing for MDCAT,"): the rules are not what it asks about, whatever the floors say.
        # As the abstention check reads such words (``unsupported_terms``): an everyday word
        # the rules happen not to write ("Can I study on my phone instead?") names nothing.
        if self._retriever.unsupported_terms(query):
            return False
        if self._retriever.urdu_words(query).missing:
            return False
        weight = sum(min(bm25.idf(term) for term in group) for group in groups)
        if self._named_words(topic, question):
            return weight > self._phrase_reading(topic, question)[1]
        # Named by words no rule uses: each weighs as much as a word can (``rest_of_question``).
        return weight > len(by_words) * bm25.idf("")

    def choose(
        self,
        query: NormalisedQuery,
        passages: Sequence[ScoredPassage],
        answerable: bool,
        margin: float = REDIRECT_MARGIN,
        topic_margin: float | None = None,
        *,
        by_words: bool = True,
        stands_out: bool = False,
        min_coverage: float = 0.0,
    ) -> Topic | None:
        """The topic to redirect the question to, or None when the rules should answer it (or
        decline it plainly). ``topic_margin``: see the module docstring (None: off).
        ``by_words``: a topic's own word no rule uses names it too (module docstring), left to
        the rules when ``stands_out`` (``Evidence.stands_out``) or when one retrieved rule holds
        more of the rest of the question than the naming words say, at ``min_coverage`` (the
        language's abstention floor; ``RestOfQuestion.answered``)."""
        named = self.named(query.original)
        # Read once: the check below and ``word_topic`` both need it (every question).
        named_by_words = self.named_by_words(query) if by_words else {}
        word = bool(named_by_words)
        if not named and not word and topic_margin is None:
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
        found = self.word_topic(query, passages, similarity, named_by_words) if word else None
        if found is not None:
            # A listed phrase is the precise signal, so it chooses the topic when it decides;
            # a word alone decides only what no phrase did.
            topic, rest = found
            if not answerable or not (stands_out or rest.answered(min_coverage)):
                return topic
        if topic_margin is None or rule is None:
            return None
        close = self.closest_topic(query, similarity)
        if close is not None and close[1] >= rule + topic_margin:
            return close[0]
        return None

    def closer_than_the_rules(
        self, query: NormalisedQuery, passages: Sequence[ScoredPassage], topic_margin: float | None
    ) -> bool:
        """Whether some section of the redirect document is closer to the question than every
        rule by ``topic_margin``: the question is then declined (``hecbot kb calibrate`` chose
        the margin on that), with a redirect only when ``closest_topic`` finds what it is about,
        else plainly."""
        if topic_margin is None:
            return False
        lead = self.topic_lead(query, passages)
        return lead is not None and lead >= topic_margin

    def topic_lead(self, query: NormalisedQuery, passages: Sequence[ScoredPassage]) -> float | None:
        """How much closer (cosine) the closest topic is to the question than the best rule
        (None without a topic or a rule vector). Topics only: the redirect document's
        introduction, which names nothing and says nowhere to go, is no topic."""
        rule = max((p.dense for p in passages if p.dense is not None), default=None)
        if rule is None or not self._topics:
            return None
        similarity = {c.id: s for c, s in self._retriever.redirect_similarities(query)}
        return max(similarity.get(t.chunk.id, 0.0) for t in self._topics) - rule

    def closest_topic(
        self, query: NormalisedQuery, similarity: dict[str, float] | None = None
    ) -> tuple[Topic, float] | None:
        """The topic closeness alone may send the question to (``topic_margin``), with its
        cosine: the closest topic, when the question uses a word of its section
        (``shared_terms``). A question that is closer to some topic than to any rule is not
        thereby about it: "What is the capital of France?" is far from everything, and some
        topic ("Transport") is nearest; it is declined plainly, not sent to an office that
        has nothing to do with it. The document's opening, which names no topic, is none."""
        topics = [t for t in self._topics if t.signposted]
        if not topics:
            return None
        if similarity is None:
            similarity = {c.id: s for c, s in self._retriever.redirect_similarities(query)}
        closest = max(topics, key=lambda t: similarity.get(t.chunk.id, 0.0))
        if not self.shared_terms(closest, query):
            return None
        return closest, similarity.get(closest.chunk.id, 0.0)
