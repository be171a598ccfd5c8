"""Answers composed from the sentences that answer, in the learner's language.

The extractive answer used to open with the best passage's first sentence, which is often not
the one that answers ("How do I apply?" opened with the acknowledgement email). Here every
sentence of the top passages is scored against the question: the embedding model's cosine
(sentence against question, as the passages are embedded) plus the IDF-weighted share of the
question's words the sentence holds, plus a little of its passage's rank. The best one or two
lead, in the rule's own words, with the sentence they depend on (a list's lead-in, a table's
header row, the sentence a leading "It"/"If you do not" refers to); every passage used is
cited.

A section can have a translation (a document with ``translates:`` in its front matter whose
headings read "Urdu heading | English heading"), written sentence for sentence: one line per
sentence or list item of the English section. An Urdu answer shows the same sentences from
it, and cites both. Without a translation (or when its lines do not match the English
sentences one for one) the English sentences are shown, and the answer says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from knowledge.chunking import SECTION_SEPARATOR, Chunk
from knowledge.language import (
    ENGLISH_STOPWORDS,
    QUESTION_WORDS,
    Language,
    NormalisedQuery,
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
SECOND_SENTENCE_GAP = 1.0
# Two passages from different sections this close (fused z-score) make the answer ask
# "Do you mean (a) ... or (b) ...?" and their best sentences must be this close too.
AMBIGUOUS_PASSAGE_GAP = 0.15
AMBIGUOUS_SENTENCE_GAP = 0.25

# Said with an English rule given to a learner who reads Urdu.
NO_TRANSLATION_NOTE = "اس اصول کا اردو ترجمہ ابھی دستیاب نہیں، اس لیے یہ انگریزی میں ہے۔"

# A line break inside a paragraph (not after a hard break "  ", a table row or a blank line,
# nor before a list item or a table row) is only the file's wrapping.
_SOFT_WRAP = re.compile(r"(?<!\n)(?<!  )(?<!\|)\n(?!\n|\s*(?:[-*•]|\d+[.)])\s|\s*\|)")
_NOT_A_RULE = re.compile(r"^\s*(?:>.*|effective(?:\s+date)?\s*:.*)$", re.IGNORECASE | re.MULTILINE)
# A sentence ends at . ! ? before a capital or a digit, but not after "a.m.", "p.m.",
# "e.g." or "i.e." ("at 3:00 p.m. Pakistan time" is one sentence).
_SENTENCE_SPLIT = re.compile(
    r"(?<=[.!?])(?<!a\.m\.)(?<!p\.m\.)(?<!e\.g\.)(?<!i\.e\.)\s+(?=[A-Z0-9\"'(])"
)
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")
_DEPENDENT_OPENING = re.compile(
    r"^(?:it|its|this|that|these|those|they|them|such|then|also|but|otherwise|"
    r"if you do not|if not|after that|in that case|in short)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Unit:
    """One sentence, list item or table row of a section, as the learner would read it."""

    text: str
    item: bool = False  # a list item (its lead-in is the last sentence ending with ":")
    row: bool = False  # a table row (its header is the table's first row)


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
            units.append(Unit(_ITEM.sub("", line).strip(), item=True))
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
            units.append(Unit(_ITEM.sub("", line).strip(), item=True))
        else:
            units.append(Unit(line))
    return units


def english_section(section: str) -> str:
    """The English heading path a translated heading path stands for
    ("آپ کے پاس کیا رہتا ہے | What you keep" -> "What you keep")."""
    return SECTION_SEPARATOR.join(
        part.rsplit(" | ", 1)[-1].strip() for part in section.split(SECTION_SEPARATOR)
    )


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
            seen = {unit.text for unit in units}
            # Neighbouring chunks of one section overlap by a line or two: keep each once.
            units.extend(unit for unit in rule_units(chunk.text) if unit.text not in seen)
        for chunk in retriever.redirects:
            key = SectionKey(chunk.source, chunk.section)
            self._chunks.setdefault(key, []).append(chunk)
            self._units.setdefault(key, []).extend(rule_units(chunk.text))
        self._positions: dict[SectionKey, dict[str, int]] = {}
        self._translations: dict[tuple[str, SectionKey], Translation] = {}
        for chunk in retriever.translations:
            key = SectionKey(
                _sibling(chunk.source, chunk.translates), english_section(chunk.section)
            )
            self._translations[(chunk.language, key)] = Translation(
                chunk, translation_units(chunk.text)
            )

    def units(self, key: SectionKey) -> list[Unit]:
        return self._units.get(key, [])

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

    def translated_sections(self, language: str) -> int:
        return sum(1 for lang, _ in self._translations if lang == language)

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


def _sibling(source: str, translates: str) -> str:
    """The translated document's source name: ``translates`` is relative to the folder the
    knowledge base was indexed from (a translation may sit in a sub-folder such as ur/)."""
    return translates.strip().lstrip("./")


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
        units = [rule_units(p.chunk.text) for p in passages]
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
        spread = float(cosine.std())
        standard = (cosine - cosine.mean()) / spread if spread > 1e-6 else cosine * 0
        groups = [g for g in query.groups if not all(w in QUESTION_WORDS for w in g)]
        weights = [min(self._retriever.idf(w) for w in g) for g in groups]
        total_weight = sum(weights) or 1.0
        top = passages[0].score
        scored: list[ScoredSentence] = []
        headings = [set(tokenize(p.chunk.section)) for p in passages]
        for position, (rank, i) in enumerate(flat):
            # A sentence is about its section's heading too ("How long a licence lasts").
            words = set(tokenize(units[rank][i].text)) | headings[rank]
            overlap = sum(w for g, w in zip(groups, weights, strict=True) if set(g) & words)
            score = (
                float(standard[position])
                + OVERLAP_WEIGHT * overlap / total_weight
                + PASSAGE_WEIGHT * (passages[rank].score - top)
                + (FIRST_SENTENCE_BONUS if i == 0 else 0.0)
            )
            scored.append(ScoredSentence(rank, i, score))
        scored.sort(key=lambda s: -s.score)
        return units, scored

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
        chosen: dict[int, set[int]] = {best.passage: {best.index}}
        second = next((s for s in scored[1:] if s.passage == best.passage), None)
        if second is not None and best.score - second.score <= SECOND_SENTENCE_GAP:
            chosen[best.passage].add(second.index)
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
            chosen[other.passage] = {other.index}
        order = [best.passage, *[rank for rank in chosen if rank != best.passage]]
        english_parts: list[str] = []
        shown_parts: list[str] = []
        used: list[ScoredPassage] = []
        translated: list[Chunk] = []
        missing = False
        for number, rank in enumerate(order, start=1):
            passage = passages[rank]
            indexes = sorted(_with_dependencies(units[rank], chosen[rank]))
            english = [units[rank][i].text for i in indexes]
            english_parts.append(_join(english) + f" [{number}]")
            used.append(passage)
            shown = english
            if language != Language.ENGLISH.value:
                rendered = self._translate(language, passage.chunk, english)
                if rendered is None:
                    missing = True
                else:
                    shown, chunk = rendered
                    translated.append(chunk)
            shown_parts.append(_join(shown) + f" [{number}]")
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

    def _translate(
        self, language: str, chunk: Chunk, english: list[str]
    ) -> tuple[list[str], Chunk] | None:
        key = SectionKey(chunk.source, chunk.section)
        translation = self._book.translation(language, key)
        if translation is None:
            return None
        positions = [self._book.index_of(key, text) for text in english]
        if any(p is None for p in positions):
            return None
        return [translation.units[p].text for p in positions if p is not None], translation.chunk

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


def sentence_text(chunk: Chunk, unit: Unit) -> str:
    """What is embedded for a sentence: it, under its section's heading."""
    return f"{chunk.section}. {unit.text}" if chunk.section else unit.text


def _with_dependencies(units: Sequence[Unit], chosen: set[int]) -> set[int]:
    """The chosen sentences and those they cannot be read without."""
    needed = set(chosen)
    for i in chosen:
        unit = units[i]
        if unit.row:
            header = i
            while header > 0 and units[header - 1].row:
                header -= 1
            needed.add(header)
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
        elif i > 0 and _DEPENDENT_OPENING.match(unit.text):
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


def _join(sentences: Sequence[str]) -> str:
    return " ".join(_as_sentence(s) for s in sentences)


def _as_sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", ":", "۔", "؟", "|")) else text + "."


def _lines(units: Sequence[Unit]) -> str:
    return "\n".join(("• " if unit.item else "") + unit.text for unit in units)


def content_terms(query: NormalisedQuery) -> set[str]:
    return {t for t in query.terms if t not in QUESTION_WORDS and t not in ENGLISH_STOPWORDS}
