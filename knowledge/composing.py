"""Answers composed from the sentences that answer, in the learner's language.

The extractive answer used to open with the best passage's first sentence, which is often not
the one that answers ("How do I apply?" opened with the acknowledgement email). Here every
sentence of the top passages is scored against the question: the embedding model's cosine
(sentence against question, as the passages are embedded) plus the IDF-weighted share of the
question's words the sentence holds, plus a little of its passage's rank (for an Urdu-script
question, whose sentence scores are noisier, a lower passage's sentence must win by a margin
to lead). The best one or two lead, in the rule's own words, with the sentence they depend on
(a list's lead-in, a table's header row, the sentence a leading "It"/"If you do not" refers
to); every passage used is cited.

A section can have a translation (a document with ``translates:`` in its front matter whose
headings read "Urdu heading | English heading"), written sentence for sentence: one line per
sentence or list item of the English section. An Urdu answer shows the same sentences from
it, and cites both. Without a translation (or when its lines do not match the English
sentences one for one) the English sentences are shown, and the answer says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge.answering import NOT_AFTER_ABBREVIATION_OR_TIME
from knowledge.chunking import (
    SECTION_SEPARATOR,
    Chunk,
    section_below_title,
    translated_section,
)
from knowledge.language import (
    ENGLISH_STOPWORDS,
    QUESTION_WORDS,
    VOCAB_DIR,
    Language,
    NormalisedQuery,
    stem,
    tokenize,
)
from knowledge.retrieval import HybridRetriever, ScoredPassage

# Weight of the word-overlap share (0..1) against the cosine's standard score.
OVERLAP_WEIGHT = 3.0
# How much of a passage's fused score (a z-score) a sentence inherits.
PASSAGE_WEIGHT = 0.5
# The first sentence of a passage often states its rule: a small head start.
FIRST_SENTENCE_BONUS = 0.0
# A list this short is read whole when one of its items is chosen (an ordered list's items,
# "first ... then ...", mean little alone).
WHOLE_LIST_ITEMS = 4
# A lead-in ("The focal person:") brings at most this many of the items after it.
FOLLOWING_ITEMS = 6
# A sentence this short ("No.", "Yes.") is read with the one after it.
SHORT_SENTENCE_WORDS = 3
# A second sentence leads too when its score is within this of the best one's.
SECOND_SENTENCE_GAP = 1.5
# Two passages from different sections this close (fused z-score) make the answer ask
# "Do you mean (a) ... or (b) ...?" and their best sentences must be this close too.
AMBIGUOUS_PASSAGE_GAP = 0.15
AMBIGUOUS_SENTENCE_GAP = 0.25
# A sentence of a question-headed section (an FAQ entry) restates a sentence of a rule section
# among the evidence when at least this share of its content words are in the rule's sentence
# (a table row with its columns' names) and their vectors are at least this close: "One cohort
# of 6 months" and "A licence lasts for one cohort: 6 months" (0.96), not "HEC does not issue
# its own certificates" and "HEC has issued an advisory ... certifications" (0.87).
RESTATEMENT_SHARE = 0.6
RESTATEMENT_COSINE = 0.9
# The cosine's standard score is taken over the sentences of this many top passages (those
# whether to answer is judged on, KnowledgeConfig.top_k); the answer may also read a passage
# below them (KnowledgeConfig.answer_k), whose sentences are scored on the same scale.
SCALE_PASSAGES = 3
# For an Urdu-script question, a sentence of a lower-ranked passage leads only when it beats
# the best sentence of every passage ranked above it by this much; closer than that, the
# passages lead (and are cited) in retrieval order. Its sentence scores compare an Urdu
# question with English sentences (or their Urdu versions) through a small model and a
# glossed word overlap: one sentence's score is noisier than the ranking of whole passages,
# which also has BM25 over the gloss. An English or Roman Urdu question's sentence scores are
# trusted as they are (a margin lost dev questions there). Chosen on dev: 1.0 / 1.5 / 2 / 3 /
# always the top passage.
LEAD_MARGIN = {Language.URDU: 1.5}
# A sentence of the top passage holding the kind of thing the question asks for (a clock time
# for "what time", an address for "whom do I tell", a form, link or command for "how do I": see
# vocab/answer_kinds.tsv) gains this much. The sentences of one section read alike to the
# embedding model (each is embedded under the section's heading) and often share the
# question's words equally; the kind of thing a sentence holds is what tells them apart. Only
# within the top passage: in another rule, a form or an address named in passing is no sign
# that it answers (it moved the first citation away from the right rule on dev). Chosen on dev
# (185 in-scope questions, fact in the first two sentences): 0.5 / 1 / 1.25 / 1.5 / 1.75 / 2 /
# 3 gained 2 / 4 / 4 / 5 / 5 / 5 / 8 questions and lost 0 / 0 / 0 / 0 / 1 / 1 / 2. Beyond the
# bonus, such a sentence is read second before a better-scored one holding none
# (``second_of_lead``).
ANSWER_KIND_BONUS = 1.5

# Said with an English rule given to a learner who reads Urdu.
NO_TRANSLATION_NOTE = "اس اصول کا اردو ترجمہ ابھی دستیاب نہیں، اس لیے یہ انگریزی میں ہے۔"

# A line break inside a paragraph (not after a hard break "  ", a table row or a blank line,
# nor before a list item or a table row) is only the file's wrapping.
_SOFT_WRAP = re.compile(r"(?<!\n)(?<!  )(?<!\|)\n(?!\n|\s*(?:[-*•]|\d+[.)])\s|\s*\|)")
_NOT_A_RULE = re.compile(r"^\s*(?:>.*|effective(?:\s+date)?\s*:.*)$", re.IGNORECASE | re.MULTILINE)
# A sentence ends at . ! ? before a capital or a digit, but not after "a.m.", "p.m.",
# "e.g." or "i.e." ("at 3:00 p.m. Pakistan time" is one sentence), nor after "Rs." or a title.
_SENTENCE_SPLIT = re.compile(
    r"(?<=[.!?])" + NOT_AFTER_ABBREVIATION_OR_TIME + r"\s+(?=[A-Z0-9\"'(])"
)
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_ORDERED_ITEM = re.compile(r"^\s*\d+[.)]\s+")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")
_DEPENDENT_OPENING = re.compile(
    r"^(?:it|its|this|that|these|those|they|them|such|then|also|but|otherwise|"
    r"if you do not|if not|after that|in that case|in short)\b",
    re.IGNORECASE,
)
# "... on the DLSEI portal with that number": a noun phrase pointing back past its own
# sentence (its noun not named earlier in it) is read with the sentence before.
_BACK_REFERENCE = re.compile(
    r"\b(?:with|in|to|on|for|from|by|of|at|under|after|before|until)\s+(?:that|these|those)"
    r"\s+([a-z]+)",
    re.IGNORECASE,
)


# Sentences come from the knowledge base (a bounded set) and are checked on every answer.
@lru_cache(maxsize=8192)
def _refers_back(text: str) -> bool:
    """Whether a sentence cannot be read without the one before it: it opens with "It",
    "This", "If you do not"..., or its first sentence names "that number", "those
    courses" whose noun it has not named itself (quoted text aside)."""
    if _DEPENDENT_OPENING.match(text):
        return True
    first = re.sub(r'"[^"]*"', "", _SENTENCE_SPLIT.split(text, maxsplit=1)[0])
    if first.endswith(":"):  # a lead-in ("in this order:") points forward
        return False
    for found in _BACK_REFERENCE.finditer(first):
        noun = stem(found.group(1).lower())
        if noun not in {stem(w) for w in re.findall(r"[a-z]+", first[: found.start()].lower())}:
            return True
    return False


@dataclass(frozen=True)
class AnswerKind:
    """A kind of answer: the question phrases that ask for it, what a sentence giving it holds."""

    name: str
    asks: re.Pattern[str]
    holds: re.Pattern[str]


def load_answer_kinds(path: Path = VOCAB_DIR / "answer_kinds.tsv") -> tuple[AnswerKind, ...]:
    """The answer kinds of a data file of ``kind<TAB>asks|holds<TAB>phrase or pattern`` rows."""
    asks: dict[str, list[str]] = {}
    holds: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, side, value = (column.strip() for column in line.split("\t", 2))
        (asks if side == "asks" else holds).setdefault(kind, []).append(value)
    return tuple(
        AnswerKind(
            kind,
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)",
                re.IGNORECASE,
            ),
            re.compile("|".join(f"(?:{pattern})" for pattern in holds[kind]), re.IGNORECASE),
        )
        for kind, phrases in asks.items()
        if kind in holds
    )


ANSWER_KINDS = load_answer_kinds()


def asked_kinds(question: str) -> tuple[AnswerKind, ...]:
    """The kinds of answer a question asks for ("what time" → a clock time)."""
    return tuple(kind for kind in ANSWER_KINDS if kind.asks.search(question))


@dataclass(frozen=True)
class Unit:
    """One sentence, list item or table row of a section, as the learner would read it."""

    text: str
    item: bool = False  # a list item (its lead-in is the last sentence ending with ":")
    row: bool = False  # a table row (its header is the table's first row)
    ordered: bool = False  # an item of a numbered list (steps, an order of priority)


def rule_units(text: str) -> list[Unit]:
    """The sentences, list items and table rows of a rule passage, in order."""
    unwrapped = _SOFT_WRAP.sub(" ", _NOT_A_RULE.sub("", text))
    units: list[Unit] = []
    for raw in unwrapped.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("|"):
            if not _TABLE_RULE.match(line):
                units.append(Unit(line, row=True))
            continue
        if _ITEM.match(line):
            units.append(
                Unit(
                    _ITEM.sub("", line).strip(), item=True, ordered=bool(_ORDERED_ITEM.match(line))
                )
            )
            continue
        units.extend(Unit(s.strip()) for s in _SENTENCE_SPLIT.split(line) if s.strip())
    return units


def translation_units(text: str) -> list[Unit]:
    """A translated section's lines: one per sentence, list item or table row of the
    English section (a translation is written line for line, never re-wrapped)."""
    units: list[Unit] = []
    for raw in _NOT_A_RULE.sub("", text).split("\n"):
        line = raw.strip()
        if not line or (line.startswith("|") and _TABLE_RULE.match(line)):
            continue
        if line.startswith("|"):
            units.append(Unit(line, row=True))
        elif _ITEM.match(line):
            units.append(
                Unit(
                    _ITEM.sub("", line).strip(), item=True, ordered=bool(_ORDERED_ITEM.match(line))
                )
            )
        else:
            units.append(Unit(line))
    return units


@dataclass(frozen=True)
class SectionKey:
    source: str
    section: str


@dataclass
class Translation:
    """A section's translation: its heading and document title as written, and its lines."""

    chunk: Chunk
    units: list[Unit]


class SectionBook:
    """Every rule section's sentences in order, and the translations of sections, by
    (document, heading path). Built once per loaded index."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self._units: dict[SectionKey, list[Unit]] = {}
        self._chunks: dict[SectionKey, list[Chunk]] = {}
        for chunk in sorted(retriever.chunks, key=lambda c: (c.source, c.section, c.ordinal)):
            key = SectionKey(chunk.source, chunk.section)
            self._chunks.setdefault(key, []).append(chunk)
            units = self._units.setdefault(key, [])
            # Neighbouring chunks of one section overlap by a line or two: the lines a chunk
            # opens with that end the one before are kept once. A sentence the section itself
            # says twice ("Bring your CNIC." under two cities) stays twice.
            found = rule_units(chunk.text)
            found = found[_overlap(units, found) :]
            if units and found and _cut_sentence(units[-1], found[0]):
                # A sentence longer than a passage was cut between chunks: read it whole.
                units[-1] = replace(units[-1], text=_joined_pieces(units[-1].text, found[0].text))
                found = found[1:]
            units.extend(found)
        for chunk in retriever.redirects:
            key = SectionKey(chunk.source, chunk.section)
            self._chunks.setdefault(key, []).append(chunk)
            self._units.setdefault(key, []).extend(rule_units(chunk.text))
        self._positions: dict[SectionKey, dict[str, int]] = {}
        self._translations: dict[tuple[str, SectionKey], Translation] = {}
        titles = {key.source: chunks[0].title for key, chunks in self._chunks.items()}
        for chunk in retriever.translations:
            key = self._rule_key(SectionKey(*translated_section(chunk)), titles)
            self._translations[(chunk.language, key)] = Translation(
                chunk, translation_units(chunk.text)
            )

    def _rule_key(self, key: SectionKey, titles: dict[str, str]) -> SectionKey:
        """The rule section a translation's heading path names. A document's first heading is
        kept out of its paths when it repeats the front-matter title, so a translation whose
        own title and first heading are written otherwise than the rule's (the sample's Urdu
        title alone over "Urdu | English"; "# LMS accounts" under a longer title) names the
        same section with that heading or without it: either reads as the section."""
        if key in self._units or key.source not in titles:
            return key
        below = section_below_title(titles[key.source], key.section)
        firsts = {
            k.section.split(SECTION_SEPARATOR)[0]
            for k in self._units
            if k.source == key.source and k.section
        }
        candidates = [below]
        parts = key.section.split(SECTION_SEPARATOR)
        if len(firsts) == 1:
            (first,) = firsts  # every section sits under one first heading
            candidates.append(SECTION_SEPARATOR.join([first, *parts]))
            if len(parts) > 1 and parts[0] == titles[key.source]:
                candidates.append(SECTION_SEPARATOR.join([first, *parts[1:]]))
        found = next(
            (
                SectionKey(key.source, c)
                for c in candidates
                if SectionKey(key.source, c) in self._units
            ),
            None,
        )
        if found is not None:
            return found
        # A translation naming a section by its own heading, or without the chapter above it
        # ("3.2 Refunds" for "3. FEES AND REFUNDS > 3.2 Refunds"): the one section whose path
        # ends so; a heading several chapters share names none.
        ending = [part.casefold() for part in parts]
        ends = [
            k
            for k in self._units
            if k.source == key.source
            and [p.casefold() for p in k.section.split(SECTION_SEPARATOR)][-len(ending) :] == ending
        ]
        return ends[0] if len(ends) == 1 else key

    def units(self, key: SectionKey) -> list[Unit]:
        return self._units.get(key, [])

    def translation_problems(self) -> list[str]:
        """Why a translated section will not be shown, one line each: the document or section
        it names is not indexed, or its lines do not follow the section's one for one. Each is
        otherwise silent: the learner reads the English rule with the "no Urdu version" note."""
        sources = {key.source for key in self._units}
        problems: list[str] = []
        for (_, key), found in sorted(
            self._translations.items(),
            key=lambda item: (item[1].chunk.source, item[1].chunk.ordinal, item[1].chunk.section),
        ):
            where = found.chunk.source + (
                f" › {found.chunk.section}" if found.chunk.section else ""
            )
            if key.source not in sources:
                why = (
                    f"it translates {key.source!r}, which is not indexed (`translates:` is the"
                    " rule's path in the folder indexed)"
                )
            elif not found.units:
                continue  # a heading kept only as the path to its sub-sections
            elif key not in self._units:
                why = f"{key.source} has no section {key.section!r}"
            elif len(found.units) != len(self._units[key]):
                lines = len(found.units)
                why = (
                    f"{lines} line{'s' if lines != 1 else ''} for the {len(self._units[key])}"
                    f" sentences, list items and table rows of {key.source} › {key.section}"
                    " (one line each)"
                )
            else:
                continue
            problems.append(f"{where}: not used, learners read the English rule: {why}")
        return problems

    def chunks(self, key: SectionKey) -> list[Chunk]:
        return self._chunks.get(key, [])

    def translation(self, language: str, key: SectionKey) -> Translation | None:
        """The translation of a section, if it has one written line for line."""
        found = self._translations.get((language, key))
        if found is None or len(found.units) != len(self.units(key)):
            return None
        return found

    def index_of(self, key: SectionKey, text: str) -> int | None:
        """A sentence's position among its section's sentences."""
        positions = self._positions.get(key)
        if positions is None:
            positions = {unit.text: i for i, unit in enumerate(self.units(key))}
            self._positions[key] = positions
        return positions.get(text)

    def sentence_texts(self, retriever: HybridRetriever) -> list[str]:
        """Every sentence text the composer may embed (rules and their translations), for
        seeding the vector cache so that answering never waits on the model for them."""
        texts = [
            sentence_text(chunk, unit)
            for chunk in retriever.chunks
            for unit in rule_units(chunk.text)
        ]
        for translation in self._translations.values():
            texts.extend(sentence_text(translation.chunk, unit) for unit in translation.units)
        return list(dict.fromkeys(texts))


@dataclass(frozen=True)
class ScoredSentence:
    passage: int  # rank of its passage among the evidence
    index: int  # position among the passage's units
    score: float


@dataclass
class Composition:
    """What the learner reads: sentences of rules, with where each came from."""

    text: str
    # (section, passage rank) of every passage used, in the order first shown.
    used: list[ScoredPassage] = field(default_factory=list)
    language: str = Language.ENGLISH.value
    # The rule's own (English) sentences an Urdu answer renders, in the same order.
    basis: str = ""
    translated: list[Chunk] = field(default_factory=list)
    missing_translation: bool = False


class SentenceComposer:
    """Scores the sentences of the top passages and writes the answer from the best."""

    def __init__(self, retriever: HybridRetriever, book: SectionBook) -> None:
        self._retriever = retriever
        self._book = book

    def score_sentences(
        self, query: NormalisedQuery, passages: Sequence[ScoredPassage]
    ) -> tuple[list[list[Unit]], list[ScoredSentence]]:
        units = self.passage_units(passages)
        flat = [(rank, i) for rank, found in enumerate(units) for i in range(len(found))]
        if not flat:
            return units, []
        texts = [sentence_text(passages[rank].chunk, units[rank][i]) for rank, i in flat]
        vectors = np.asarray(self._retriever.embedder.embed_passages(texts), dtype=np.float32)
        question = self._retriever.query_vector(query)
        cosine = vectors @ question
        if query.language is Language.URDU:
            # An Urdu question is closer to an Urdu sentence than to its English original:
            # where the section has a translation, the better of the two cosines counts.
            cosine = np.maximum(cosine, self._translated_cosines(passages, units, flat, question))
        # The scale is set by the sentences of the passages whether to answer was judged on:
        # a further passage's sentences are measured on it and do not move the others' scores.
        judged = [p for p, (rank, _) in enumerate(flat) if rank < SCALE_PASSAGES]
        scale = cosine[judged] if judged else cosine
        spread = float(scale.std())
        standard = (cosine - scale.mean()) / spread if spread > 1e-6 else cosine * 0
        groups = [g for g in query.groups if not all(w in QUESTION_WORDS for w in g)]
        weights = [min(self._retriever.idf(w) for w in g) for g in groups]
        total_weight = sum(weights) or 1.0
        top = passages[0].score
        kinds = asked_kinds(query.original)
        scored: list[ScoredSentence] = []
        headings = [set(tokenize(p.chunk.section)) for p in passages]
        for position, (rank, i) in enumerate(flat):
            unit = units[rank][i]
            # A sentence is about its section's heading too ("How long a licence lasts"), and
            # a table row about its columns' names ("Results announced").
            words = set(tokenize(unit.text)) | headings[rank]
            if unit.row:
                words |= set(tokenize(units[rank][_table_header(units[rank], i)].text))
            overlap = sum(w for g, w in zip(groups, weights, strict=True) if set(g) & words)
            score = (
                float(standard[position])
                + OVERLAP_WEIGHT * overlap / total_weight
                + PASSAGE_WEIGHT * (passages[rank].score - top)
                + (FIRST_SENTENCE_BONUS if i == 0 else 0.0)
            )
            if rank == 0 and any(kind.holds.search(unit.text) for kind in kinds):
                score += ANSWER_KIND_BONUS
            scored.append(ScoredSentence(rank, i, score))
        # The FAQ answers in short what a rule states in full; its heading (the question
        # itself) pulls its sentences up. The learner reads the rule, cited to the rule.
        scored = rules_over_restatements(passages, units, flat, scored, vectors)
        # A question in a rule's text (an FAQ written "Q: ... A: ..." in one plain-text
        # section) asks, it does not answer: the learner's own question read back is no
        # answer, and is closest to it of all.
        # A table's header row names its columns and answers nothing ("City, Centre,
        # Reporting time." for "reporting time"): its rows are read with it.
        answering = [
            s
            for s in scored
            if not _is_question(units[s.passage][s.index])
            and not _is_header_row(units[s.passage], s.index)
        ]
        scored = answering or scored
        scored.sort(key=lambda s: -s.score)
        return units, lead_in_retrieval_order(scored, LEAD_MARGIN.get(query.language, 0.0))

    def passage_units(self, passages: Sequence[ScoredPassage]) -> list[list[Unit]]:
        """The sentences each passage brings: its whole section's (a long section is indexed
        in several chunks, and the sentence that answers may be in a neighbour of the chunk
        retrieved), none for a passage of a section a higher-ranked one already brings."""
        seen: set[SectionKey] = set()
        out: list[list[Unit]] = []
        for passage in passages:
            key = SectionKey(passage.chunk.source, passage.chunk.section)
            if key in seen:
                out.append([])
                continue
            seen.add(key)
            out.append(list(self._book.units(key)) or rule_units(passage.chunk.text))
        return out

    def _translated_cosines(
        self,
        passages: Sequence[ScoredPassage],
        units: list[list[Unit]],
        flat: list[tuple[int, int]],
        question: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float32]:
        texts: list[str] = []
        where: list[int] = []
        for position, (rank, i) in enumerate(flat):
            chunk = passages[rank].chunk
            key = SectionKey(chunk.source, chunk.section)
            translation = self._book.translation(Language.URDU.value, key)
            index = self._book.index_of(key, units[rank][i].text)
            if translation is None or index is None:
                continue
            texts.append(sentence_text(translation.chunk, translation.units[index]))
            where.append(position)
        cosines = np.full(len(flat), -1.0, dtype=np.float32)
        if texts:
            vectors = np.asarray(self._retriever.embedder.embed_passages(texts), dtype=np.float32)
            cosines[where] = vectors @ question
        return cosines

    def ambiguous(
        self, passages: Sequence[ScoredPassage], scored: Sequence[ScoredSentence]
    ) -> tuple[ScoredPassage, ScoredPassage] | None:
        """The two best passages when they are from different sections and neither the
        passages nor their best sentences tell them apart."""
        if len(passages) < 2 or not scored:
            return None
        first, second = passages[0], passages[1]
        if (first.chunk.source, first.chunk.section) == (second.chunk.source, second.chunk.section):
            return None
        if first.score - second.score > AMBIGUOUS_PASSAGE_GAP:
            return None
        best = {rank: next((s.score for s in scored if s.passage == rank), None) for rank in (0, 1)}
        if best[0] is None or best[1] is None or abs(best[0] - best[1]) > AMBIGUOUS_SENTENCE_GAP:
            return None
        return first, second

    def compose(
        self,
        query: NormalisedQuery,
        passages: Sequence[ScoredPassage],
        language: str = Language.ENGLISH.value,
        units_and_scores: tuple[list[list[Unit]], list[ScoredSentence]] | None = None,
    ) -> Composition:
        units, scored = units_and_scores or self.score_sentences(query, passages)
        if not scored:
            return Composition("")
        best = scored[0]
        chosen: dict[int, list[int]] = {best.passage: [best.index]}
        second = second_of_lead(
            scored, units, asked_kinds(query.original), LEAD_MARGIN.get(query.language, 0.0)
        )
        if second is not None:
            chosen[best.passage].append(second.index)
        other = next((s for s in scored if s.passage != best.passage), None)
        if (
            other is not None
            and best.score - other.score <= SECOND_SENTENCE_GAP / 2
            and (
                passages[other.passage].chunk.source,
                passages[other.passage].chunk.section,
            )
            != (passages[best.passage].chunk.source, passages[best.passage].chunk.section)
        ):
            chosen[other.passage] = [other.index]
        order = [best.passage, *[rank for rank in chosen if rank != best.passage]]
        english_parts: list[str] = []
        shown_parts: list[str] = []
        used: list[ScoredPassage] = []
        translated: list[Chunk] = []
        missing = False
        for number, rank in enumerate(order, start=1):
            passage = passages[rank]
            indexes = _reading_order(units[rank], chosen[rank])
            if rank == best.passage:
                indexes = best_within_two(units[rank], indexes, best.index)
            pieces = self._pieces(passage.chunk, units[rank], indexes)
            english_parts.append(_render(pieces) + f" [{number}]")
            used.append(passage)
            shown = _render(pieces)
            if language != Language.ENGLISH.value:
                rendered = self._translate(language, passage.chunk, pieces)
                if rendered is None:
                    missing = True
                else:
                    translated_pieces, chunk = rendered
                    shown = _render(translated_pieces, stop="۔")
                    translated.append(chunk)
            shown_parts.append(shown + f" [{number}]")
        text = "\n".join(shown_parts)
        answer_language = Language.ENGLISH.value
        if language != Language.ENGLISH.value and translated:
            answer_language = language
        if missing and language == Language.URDU.value:
            text = f"{text}\n{NO_TRANSLATION_NOTE}"
        return Composition(
            text=text,
            used=used,
            language=answer_language,
            basis="\n".join(english_parts) if translated else "",
            translated=translated,
            missing_translation=missing,
        )

    def _pieces(
        self, chunk: Chunk, units: Sequence[Unit], indexes: Sequence[int]
    ) -> list[tuple[Unit, Unit | None]]:
        """The chosen units in order, each table row with its table's header row (read from
        the whole section: a chunk may begin inside a table). A header row whose rows are
        shown is not shown on its own."""
        key = SectionKey(chunk.source, chunk.section)
        section = self._book.units(key)
        pieces: list[tuple[Unit, Unit | None]] = []
        for i in indexes:
            unit = units[i]
            header: Unit | None = None
            if unit.row:
                position = self._book.index_of(key, unit.text)
                header = (
                    section[_table_header(section, position)]
                    if position is not None
                    else units[_table_header(units, i)]
                )
                if header.text == unit.text:
                    header = None
            pieces.append((unit, header))
        headers = {header.text for _, header in pieces if header is not None}
        return [(u, h) for u, h in pieces if not (u.row and h is None and u.text in headers)]

    def _translate(
        self, language: str, chunk: Chunk, pieces: Sequence[tuple[Unit, Unit | None]]
    ) -> tuple[list[tuple[Unit, Unit | None]], Chunk] | None:
        key = SectionKey(chunk.source, chunk.section)
        translation = self._book.translation(language, key)
        if translation is None:
            return None
        rendered: list[tuple[Unit, Unit | None]] = []
        for unit, header in pieces:
            position = self._book.index_of(key, unit.text)
            if position is None:
                return None
            translated_header: Unit | None = None
            if header is not None:
                header_position = self._book.index_of(key, header.text)
                if header_position is None:
                    return None
                translated_header = translation.units[header_position]
            rendered.append((translation.units[position], translated_header))
        return rendered, translation.chunk

    def full_section(self, key: SectionKey, language: str) -> tuple[str, Chunk | None] | None:
        """A section's whole text, in ``language`` when it has a translation."""
        units = self._book.units(key)
        if not units:
            return None
        if language != Language.ENGLISH.value:
            translation = self._book.translation(language, key)
            if translation is not None:
                return _lines(translation.units), translation.chunk
        return _lines(units), None


def _cut_sentence(before: Unit, after: Unit) -> bool:
    """Two sentence pieces of one sentence a chunk boundary cut ("... late at night;" and
    "harassment of any kind ..."): the first ends without a full stop or colon, the second
    goes on in lower case."""
    plain = not (before.item or before.row or after.item or after.row)
    return (
        plain
        and not before.text.rstrip().endswith((".", "!", "?", ":", "۔", "؟"))
        and after.text[:1].islower()
    )


def _joined_pieces(first: str, second: str) -> str:
    """A cut sentence's two pieces, the clauses the second repeats of the first (the chunks'
    overlap, whole clauses ending "; " or ", ") read once."""
    for end in range(min(len(first), len(second)), 0, -1):
        repeated = second[:end]
        if repeated.endswith((";", ",")) and first.endswith(repeated):
            second = second[end:].lstrip()
            break
    return f"{first} {second}"


def _overlap(before: list[Unit], after: list[Unit]) -> int:
    """How many of ``after``'s first units repeat ``before``'s last ones (the longest run)."""
    for count in range(min(len(before), len(after)), 0, -1):
        if [u.text for u in after[:count]] == [u.text for u in before[-count:]]:
            return count
    return 0


def _is_header_row(units: Sequence[Unit], i: int) -> bool:
    """The first row of a table with rows under it (its columns' names)."""
    return units[i].row and _table_header(units, i) == i and i + 1 < len(units) and units[i + 1].row


def _is_question(unit: Unit) -> bool:
    return not unit.row and unit.text.rstrip().endswith(("?", "؟"))


def _asks(section: str) -> bool:
    """A section whose own heading is a question: an FAQ entry."""
    return section.rsplit(SECTION_SEPARATOR, maxsplit=1)[-1].strip().endswith(("?", "؟"))


# Function and question words as ``tokenize`` writes them (stemmed).
_STEMMED_STOPWORDS = frozenset(t for w in ENGLISH_STOPWORDS | QUESTION_WORDS for t in tokenize(w))


def _content_words(text: str) -> set[str]:
    """A sentence's stemmed words without function and question words."""
    return {t for t in tokenize(text) if t not in _STEMMED_STOPWORDS}


def rules_over_restatements(
    passages: Sequence[ScoredPassage],
    units: Sequence[Sequence[Unit]],
    flat: Sequence[tuple[int, int]],
    scored: Sequence[ScoredSentence],
    vectors: npt.NDArray[np.float32],
) -> list[ScoredSentence]:
    """The candidates without the FAQ sentences that restate a rule's sentence among them,
    each rule sentence taking the better of its score and its restatement's: the learner
    reads the rule in its own words, cited to the rule, and not the same thing twice.

    ``scored`` and ``vectors`` are in the order of ``flat`` (passage rank, unit index)."""
    asks = [_asks(passage.chunk.section) for passage in passages]
    if all(asks) or not any(asks):
        return list(scored)

    def words_of(rank: int, i: int) -> set[str]:
        unit = units[rank][i]
        words = _content_words(unit.text)
        if unit.row:  # a table row says what its columns' names say too
            words |= _content_words(units[rank][_table_header(units[rank], i)].text)
        return words

    rules = [(p, words_of(rank, i)) for p, (rank, i) in enumerate(flat) if not asks[rank]]
    out = list(scored)
    restatements: set[int] = set()
    for position, (rank, i) in enumerate(flat):
        words = _content_words(units[rank][i].text) if asks[rank] else set()
        if len(words) < 2:  # "No." restates nothing
            continue
        restated = [
            p
            for p, rule_words in rules
            if len(words & rule_words) / len(words) >= RESTATEMENT_SHARE
            and float(vectors[position] @ vectors[p]) >= RESTATEMENT_COSINE
        ]
        if not restated:
            continue
        restatements.add(position)
        target = max(restated, key=lambda p: out[p].score)
        rule = out[target]
        out[target] = ScoredSentence(rule.passage, rule.index, max(rule.score, out[position].score))
    return [s for p, s in enumerate(out) if p not in restatements]


def lead_in_retrieval_order(
    scored: Sequence[ScoredSentence], margin: float
) -> list[ScoredSentence]:
    """The candidates (best first) with the leading sentence taken from the highest-ranked
    passage whose best sentence is within ``margin`` of the best of all. The sentence it
    displaces keeps its score, so the answer still shows it after the lead, cited second.
    Each passage's sentences stay in their order."""
    out = list(scored)
    if margin <= 0 or not out:
        return out
    floor = out[0].score - margin
    best_of: dict[int, ScoredSentence] = {}
    for sentence in out:
        best_of.setdefault(sentence.passage, sentence)
    lead = next(best_of[rank] for rank in sorted(best_of) if best_of[rank].score >= floor)
    return [lead, *(s for s in out if s is not lead)]


def second_of_lead(
    scored: Sequence[ScoredSentence],
    units: Sequence[Sequence[Unit]],
    kinds: Sequence[AnswerKind] = (),
    margin: float = 0.0,
) -> ScoredSentence | None:
    """The sentence read with the leading one (``scored[0]``) from its passage, if any.

    - None when the lead is there by retrieval's order (``margin``, an Urdu question's
      ``LEAD_MARGIN``: its sentence scores are not trusted to pick the passage) and a sentence
      of another passage scores above it: that sentence is read second, as the answer cites
      its passage second, and the lead's own next sentence would make it the third ("five
      weeks without study: was my licence cancelled?" in Urdu read the reinstatement form
      and "Licences revoked for misconduct cannot be reinstated" before the 30-day rule).
    - When the question asks for a kind of answer (a clock time, an address, a form or
      link) that the lead does not hold, the best of the passage's sentences that holds it,
      before a better-scored one that does not: the sentences of one section read alike to
      the embedding model, and with the kind bonus alone "Hours | 9:00 a.m. to 5:00 p.m."
      was read third, after "Response time" and "Email" ("what time do they pick up the
      phone?"); the portal's link to the focal persons' list after "Search by the name of
      your university" ("how do I find out who the coordinator is?").
    - Otherwise the passage's next best sentence.

    Either only when within ``SECOND_SENTENCE_GAP`` of the lead (on dev, with no limit for
    the sentence holding the kind, no answer changed further)."""
    if not scored:
        return None
    lead = scored[0]
    mine = [s for s in scored[1:] if s.passage == lead.passage]
    if margin > 0 and any(s.score > lead.score for s in scored[1:] if s.passage != lead.passage):
        return None

    def holds(sentence: ScoredSentence) -> bool:
        text = units[sentence.passage][sentence.index].text
        return any(kind.holds.search(text) for kind in kinds)

    if kinds and not holds(lead):
        holder = next((s for s in mine if holds(s)), None)
        if holder is not None and lead.score - holder.score <= SECOND_SENTENCE_GAP:
            return holder
    if mine and lead.score - mine[0].score <= SECOND_SENTENCE_GAP:
        return mine[0]
    return None


def sentence_text(chunk: Chunk, unit: Unit) -> str:
    """What is embedded for a sentence: it, under its section's heading."""
    return f"{chunk.section}. {unit.text}" if chunk.section else unit.text


def _table_header(units: Sequence[Unit], i: int) -> int:
    """The position of the header row of the table a row belongs to (its first row)."""
    header = i
    while header > 0 and units[header - 1].row:
        header -= 1
    return header


def _lead_in(units: Sequence[Unit], i: int) -> int | None:
    """The position of the sentence introducing the list an item belongs to ("...:")."""
    first = i
    while first > 0 and units[first - 1].item:
        first -= 1
    if first > 0 and units[first - 1].text.endswith(":"):
        return first - 1
    return None


def _reading_order(units: Sequence[Unit], chosen: Sequence[int]) -> list[int]:
    """The chosen sentences in the document's order, each with what it cannot be read
    without; a chosen item of a plain list comes right after the list's lead-in."""
    order: list[int] = []
    for i in sorted(chosen):
        needed = sorted(_with_dependencies(units, {i}))
        lead_in = _lead_in(units, i) if units[i].item and not units[i].ordered else None
        if lead_in is not None:
            # A plain list's items can be read in any order: the chosen one right after its
            # lead-in, the rest of the list after it.
            needed = [lead_in, i, *[j for j in needed if j not in (lead_in, i)]]
        order.extend(j for j in needed if j not in order)
    return order


def _sentence_count(unit: Unit) -> int:
    """Sentences the learner reads in a unit (a list item may hold two)."""
    return 1 if unit.row else len([p for p in _SENTENCE_SPLIT.split(unit.text) if p.strip()])


def best_within_two(units: Sequence[Unit], order: list[int], best: int) -> list[int]:
    """The reading order, except that the best sentence (with what it cannot be read
    without) comes first when the sentences the document puts before it would make it the
    learner's third sentence or later ("First contact your focal person. They reply within 3
    working days." before "If your focal person has not replied, email the Helpdesk")."""
    position = order.index(best)
    if sum(_sentence_count(units[i]) for i in order[:position]) < 2:
        return order
    first = _reading_order(units, [best])
    return first + [i for i in order if i not in first]


def _with_dependencies(units: Sequence[Unit], chosen: set[int]) -> set[int]:
    """The chosen sentences and those they cannot be read without."""
    needed = set(chosen)
    for i in chosen:
        unit = units[i]
        if unit.row:
            needed.add(_table_header(units, i))
        elif unit.item:
            first = i
            while first > 0 and units[first - 1].item:
                first -= 1
            last = i
            while last + 1 < len(units) and units[last + 1].item:
                last += 1
            if first > 0 and units[first - 1].text.endswith(":"):
                needed.add(first - 1)  # the lead-in ("... in this order:")
                if last - first + 1 <= WHOLE_LIST_ITEMS:
                    needed.update(range(first, last + 1))
            elif i > first and _refers_back(unit.text):
                needed.add(i - 1)
        elif i > 0 and _refers_back(unit.text):
            needed.add(i - 1)
        if unit.text.endswith(":"):
            # A lead-in is read with what it introduces: the list or table after it.
            following = i + 1
            while following < len(units) and (units[following].item or units[following].row):
                if following - i > FOLLOWING_ITEMS:
                    break
                needed.add(following)
                following += 1
        elif (
            not unit.item
            and not unit.row
            and len(unit.text.split()) < SHORT_SENTENCE_WORDS
            and i + 1 < len(units)
        ):
            needed.add(i + 1)  # "No." says little without the sentence after it
    return needed


def _render(pieces: Sequence[tuple[Unit, Unit | None]], stop: str = ".") -> str:
    """Sentences as the learner reads them: running text; list items on lines of their own
    ("• "), except a single item read after its lead-in; a table row as a sentence naming
    its columns ("Autumn cohort: Results announced: 20 July; ...")."""
    out = ""
    previous: Unit | None = None
    for k, (unit, header) in enumerate(pieces):
        text = _as_sentence(_row_sentence(unit, header) if unit.row else unit.text, stop)
        next_is_item = k + 1 < len(pieces) and pieces[k + 1][0].item
        # An item read alone (after its lead-in, or with no other item) is a plain sentence.
        lone_item = unit.item and not next_is_item and (previous is None or not previous.item)
        if not out:
            out = ("• " + text) if unit.item and not lone_item else text
        elif unit.item and not lone_item:
            out += "\n• " + text
        elif previous is not None and previous.item:
            out += "\n" + text
        else:
            out += " " + text
        previous = unit
    return out


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _row_sentence(row: Unit, header: Unit | None) -> str:
    cells = _cells(row.text)
    names = _cells(header.text) if header is not None else []
    if len(names) != len(cells) or len(cells) < 2:
        return ", ".join(cell for cell in cells if cell)
    columns = "; ".join(
        f"{name}: {value}" for name, value in zip(names[1:], cells[1:], strict=True) if value
    )
    return f"{cells[0]}: {columns}" if columns else cells[0]


# How a list item ends when another follows: "programmes;", "the waiting list, and", and
# in Urdu "پروگرام؛", "رکھتا ہے، اور".
_LIST_ITEM_END = re.compile(r"\s*(?:[;,؛،]|[;,؛،]?\s+(?:and|or|اور|یا))\s*$")


def _as_sentence(text: str, stop: str = ".") -> str:
    """A sentence ending as one: a list item's ";" or ", and" (Urdu "؛" or "، اور") becomes
    the full stop."""
    text = _LIST_ITEM_END.sub("", text.strip())
    return text if text.endswith((".", "!", "?", ":", "۔", "؟")) else text + stop


def _lines(units: Sequence[Unit]) -> str:
    return "\n".join(("• " if unit.item else "") + unit.text for unit in units)
