"""Hybrid retrieval: BM25 and exact dense similarity (both in memory), fused by z-scores.

Chroma stores the chunks and their vectors; the retriever loads them once and scores every
chunk for every question (a matrix-vector product: a few milliseconds at 20k chunks), so the
fusion can compare the two signals on one scale: how far each chunk stands above the
knowledge base's average for this question.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from knowledge.chunking import Chunk, translated_section
from knowledge.config import RetrievalThresholds
from knowledge.embeddings import Embedder
from knowledge.language import (
    Language,
    NormalisedQuery,
    bm25_term,
    english_zipf,
    joinable,
    normalise_query,
    open_pairs,
    tokenize,
)
from knowledge.sources import ChunkSource
from knowledge.urdu_words import (
    USED_WORD_WEIGHT,
    UrduVocabulary,
    UrduWords,
    urdu_search_terms,
    urdu_stem,
)


class QuestionVectors:
    """The vector of each question being answered, for as long as its query object lives.

    One question asks for its vector three times (retrieval, the redirect check, the sentence
    scores), in steps that may run on different answer threads with other questions' steps in
    between. A single "last question" slot was overwritten by those other questions under load,
    so a question was encoded two or three times: about half of an instance's CPU with every
    question new. Keyed by the query object, not its text: the same question asked again (a
    benchmark's next round, with the query cache off) is a new question and is encoded again.
    """

    def __init__(self) -> None:
        self._vectors: dict[int, npt.NDArray[np.float32]] = {}
        self._lock = threading.Lock()

    def get(
        self, query: NormalisedQuery, compute: Callable[[], npt.NDArray[np.float32]]
    ) -> npt.NDArray[np.float32]:
        key = id(query)
        with self._lock:
            vector = self._vectors.get(key)
        if vector is not None:
            return vector
        vector = compute()
        with self._lock:
            if key not in self._vectors:
                self._vectors[key] = vector
                # The entry goes with the query (before its id can be reused).
                weakref.finalize(query, self._forget, key)
        return vector

    def _forget(self, key: int) -> None:
        with self._lock:
            self._vectors.pop(key, None)

    def __len__(self) -> int:
        return len(self._vectors)


class RetrievalMode(StrEnum):
    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"


# (BM25 weight, dense weight) in the fusion, per question language. BM25 sees only the English
# words of a question: all of them in English, loanwords and glossary terms in Roman Urdu, and
# only a handful of glossary terms in Urdu script, so Urdu leans on the multilingual dense model
# almost alone. Almost: a short Urdu question ("سرٹیفکیٹ کیسے ملے گا؟") gives the dense model
# little to go on, and its glossary words are then what tells the passages apart. Chosen on the
# dev split (docs/benchmarks.md): 0.05 and 0.1 tie (Urdu hit@1 18/19 against 17/19 at 0), 0.15
# loses one. Dense leads elsewhere too: BM25 breaks its near-ties.
FUSION_WEIGHTS: dict[Language, tuple[float, float]] = {
    Language.ENGLISH: (0.35, 1.0),
    Language.ROMAN_URDU: (0.35, 1.0),
    Language.URDU: (0.1, 1.0),
}

# Weight, in the fusion, of BM25 over the rules' Urdu versions for an Urdu-script question
# (``retrieve_for_answer``): the question's own Urdu words ("نیلامی", "فروخت", "بیماری") that
# no glossary reads into English, matched against the Urdu text of each rule that has one.
# Chosen on the dev split (docs/benchmarks.md, issue 15 round 6), Urdu in scope (40): first
# citation right 27 at 0 and 0.15, 28 from 0.2 to 0.35, 27 at 0.4, 26 at 0.5; the middle of
# that range. (Top passage right 29 at 0, 32 at 0.15-0.2, 31 at 0.25, 30 at 0.3-0.35.)
URDU_VERSION_BM25_WEIGHT = 0.25

# Words at least this common in general English (Zipf scale, ~30 uses per million words:
# "use", "long", "chance", "going") are too generic to name a topic the rules might miss.
GENERIC_WORD_ZIPF = 4.5


@dataclass(frozen=True)
class ScoredPassage:
    chunk: Chunk
    score: float  # fused score (higher is better)
    dense: float | None  # cosine similarity, if the dense retriever saw it
    coverage: float  # share of the query's IDF mass present in the passage
    # The cosine as standard deviations above this question's mean over every chunk.
    dense_z: float | None = None


@dataclass(frozen=True)
class Retrieved:
    """The passages whether to answer is judged on (the ranking the abstention floors were
    calibrated on), and those the answer is read from (``HybridRetriever.retrieve_for_answer``)."""

    judged: list[ScoredPassage]
    read: list[ScoredPassage]


class BM25Index:
    """Okapi BM25 over an inverted index (fast enough for tens of thousands of chunks).

    Postings are built in typed arrays, one document at a time, so indexing 20,000 chunks
    never holds their tokens or millions of Python ints at once."""

    def __init__(
        self, documents: Iterable[Sequence[str]], k1: float = 1.5, b: float = 0.75
    ) -> None:
        self._k1 = k1
        self._b = b
        building: dict[str, tuple[array[int], array[float]]] = {}
        lengths = array("f")
        for doc_index, doc in enumerate(documents):
            lengths.append(len(doc))
            for term, tf in Counter(doc).items():
                entry = building.get(term)
                if entry is None:
                    entry = building[term] = (array("i"), array("f"))
                entry[0].append(doc_index)
                entry[1].append(tf)
        self.size = len(lengths)
        doc_lengths = np.frombuffer(lengths, dtype=np.float32) if self.size else np.zeros(0)
        self._avgdl = float(doc_lengths.mean()) if self.size else 1.0
        self._norm = (k1 * (1 - b + b * doc_lengths / max(self._avgdl, 1e-6))).astype(np.float32)
        self._postings = {
            term: (np.frombuffer(ids, dtype=np.int32), np.frombuffer(tfs, dtype=np.float32))
            for term, (ids, tfs) in building.items()
        }

    def document_frequency(self, term: str) -> int:
        return len(self._postings[term][0]) if term in self._postings else 0

    def documents(self, term: str) -> npt.NDArray[np.int32]:
        """Positions of the documents using the term, in order."""
        posting = self._postings.get(term)
        return posting[0] if posting is not None else np.zeros(0, dtype=np.int32)

    def idf(self, term: str) -> float:
        """Smoothed IDF; a term the corpus never uses gets the highest possible value."""
        df = self.document_frequency(term)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, terms: Sequence[str]) -> npt.NDArray[np.float32]:
        total = np.zeros(self.size, dtype=np.float32)
        for term in set(terms):
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids, tfs = posting
            total[ids] += self.idf(term) * tfs * (self._k1 + 1) / (tfs + self._norm[ids])
        return total


class CompoundWords:
    """A knowledge base's rules as a ``CompoundVocabulary``: which words they use, and which
    word they write as two ("help desk" for a question's "helpdesk").

    A word is split only when the rules never use it and write its two halves next to each
    other, so "scholarship" is never "scholar ship" unless the rules write that. Splits are
    looked up in the few rules using both halves and kept (most questions ask none: every
    word they use is in the rules)."""

    # Rules using both halves read for the two written side by side; more only slows a
    # question on a large knowledge base down, where so common a pair shows in the first few.
    MAX_RULES_READ = 64

    def __init__(self, bm25: BM25Index, texts: Sequence[str]) -> None:
        self._bm25 = bm25
        self._texts = texts
        self.split = lru_cache(maxsize=4096)(self._split)

    def knows(self, word: str) -> bool:
        return self._bm25.document_frequency(bm25_term(word)) > 0

    def _split(self, word: str) -> tuple[str, str] | None:
        if len(word) < 4 or not word.isascii() or not word.isalpha() or self.knows(word):
            return None
        for cut in range(2, len(word) - 1):
            first, second = word[:cut], word[cut:]
            if (
                joinable(first, second)
                and self.knows(first)
                and self.knows(second)
                and self._side_by_side(bm25_term(first), bm25_term(second))
            ):
                return first, second
        return None

    def _side_by_side(self, first: str, second: str) -> bool:
        """Whether a rule writes a word read as ``first`` just before one read as ``second``."""
        both = np.intersect1d(self._bm25.documents(first), self._bm25.documents(second))
        for position in both[: self.MAX_RULES_READ]:
            for one, other in open_pairs(self._texts[int(position)].lower()):
                if bm25_term(one) == first and bm25_term(other) == second:
                    return True
        return False


def _word_set(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def standardise(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Scores as standard deviations above their mean (all zeros when they do not vary)."""
    spread = float(scores.std()) if scores.size else 0.0
    if spread < 1e-9:
        return np.zeros(scores.shape, dtype=np.float32)
    standard: npt.NDArray[np.float32] = ((scores - scores.mean()) / spread).astype(np.float32)
    return standard


def unsupported_terms(
    query: NormalisedQuery, document_frequency: dict[str, int] | BM25Index
) -> list[str]:
    """The question's salient words that the knowledge base never uses.

    A word counts when no chunk contains it (document frequency 0), it is not generic English
    (see GENERIC_WORD_ZIPF), it is not a number, and — in Roman Urdu — it is an English word
    (an Urdu word's absence from English rules says nothing). Glossary groups never count:
    the glossary is programme vocabulary. "scholarship", "visa" or "laptop" in a question
    about a rule book that never mentions them marks a question it cannot answer. English
    loanwords in Urdu script ("اسکالرشپ") count by their English reading.
    """
    frequency = (
        document_frequency.document_frequency
        if isinstance(document_frequency, BM25Index)
        else (lambda term: document_frequency.get(term, 0))
    )
    found: list[str] = []
    for group in query.groups:
        readings = query.loanwords.get(group)
        if readings is not None:
            # An English loanword in Urdu script: unsupported when none of its readings is in
            # the knowledge base and none is generic English.
            if all(english_zipf(w) < GENERIC_WORD_ZIPF for w in readings) and all(
                frequency(term) == 0 for term in group
            ):
                found.append("/".join(readings))
            continue
        if group in query.foreign or group in query.glossary:
            continue
        # The word itself, then the joined form of a hyphenated compound it is part of
        # ("e-mail": "mail" is supported where the rules write "email").
        term = group[0]
        if term.isdigit() or any(frequency(form) > 0 for form in group):
            continue
        surface = query.surface.get(term, term)
        if english_zipf(surface) >= GENERIC_WORD_ZIPF:
            continue
        found.append(surface)
    return found


_KB_WORD = re.compile(r"[a-z]{3,}")


def knowledge_base_words(chunks: Sequence[Chunk]) -> list[str]:
    """The distinct words (three letters or more, lower case, as written) of the chunks."""
    words: set[str] = set()
    for chunk in chunks:
        words.update(_KB_WORD.findall(chunk.search_text.lower()))
    return sorted(words)


def _spelled_in(spelled: tuple[tuple[str, ...], ...], version_terms: frozenset[str]) -> bool:
    """Whether an Urdu version's words (stemmed) hold each of the question's words a group was
    read from, in one of its spellings (``NormalisedQuery.urdu_spellings``): as the question
    writes it ("خرچ") or as the lexicon's head word ("قیمت")."""
    return bool(spelled) and all(
        any(urdu_stem(word) in version_terms for word in spellings) for spellings in spelled
    )


def _top_positions(scores: npt.NDArray[np.float32], k: int) -> list[int]:
    """Positions of the k highest finite scores, best first (partial sort: O(n))."""
    if k <= 0 or not scores.size:
        return []
    k = min(k, scores.size)
    candidates = np.argpartition(-scores, k - 1)[:k]
    ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
    return [int(i) for i in ordered if np.isfinite(scores[i])]


class HybridRetriever:
    """Loads chunks and vectors once; scores every chunk with BM25 and cosine similarity."""

    def __init__(self, store: ChunkSource, thresholds: RetrievalThresholds) -> None:
        self._store = store
        self._thresholds = thresholds
        self._chunks: list[Chunk] = []
        self._position: dict[str, int] = {}
        self._bm25 = BM25Index([])
        self._compounds = CompoundWords(self._bm25, [])
        self._vectors: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._words: list[str] = []
        self._word_vectors: npt.NDArray[np.float32] | None = None
        # The words of recently retrieved passages, for coverage. Tokenised on demand: keeping
        # every chunk's word set took ~200 MB at 20,000 chunks; only the top few are ever read.
        self._terms_of = lru_cache(maxsize=4096)(_word_set)
        self._redirects: list[Chunk] = []
        self._redirect_vectors: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._translations: list[Chunk] = []
        # BM25 over the Urdu versions of rule sections, and for each rule chunk whose section
        # has one (``_urdu_rows``) which version it is (``_urdu_version_of``): a long section's
        # chunks share their section's version.
        self._urdu_bm25 = BM25Index([])
        # A question's Urdu words, read twice per question (whether to use them, their scores).
        self._urdu_terms_of = lru_cache(maxsize=1024)(urdu_search_terms)
        self._urdu_rows: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)
        self._urdu_version_of: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)
        # The words (``urdu_search_terms``) of the Urdu version of each rule chunk that has one,
        # by chunk id, for coverage (``version_weight``).
        self._urdu_version_terms: dict[str, frozenset[str]] = {}
        self._urdu = UrduVocabulary()
        # Each question's vector while it is being answered, so the redirect check and the
        # sentence scores reuse its one embedding.
        self._question_vectors = QuestionVectors()

    def load(self) -> None:
        """(Re)build the in-memory indexes from the chunks and vectors in the store.

        Only rules are searched. Redirects (topics the programme does not cover) are kept
        apart with their vectors, so their words neither count as the rules' vocabulary nor
        lift a rule; translations are kept by the section they translate, for rendering."""
        stored = self._store.all_chunks()
        self._chunks = [chunk for chunk in stored if chunk.kind == "rule"]
        self._redirects = [chunk for chunk in stored if chunk.kind == "redirect"]
        self._translations = [chunk for chunk in stored if chunk.kind == "translation"]
        self._position = {chunk.id: i for i, chunk in enumerate(self._chunks)}
        redirect_position = {chunk.id: i for i, chunk in enumerate(self._redirects)}
        self._bm25 = BM25Index(tokenize(chunk.search_text) for chunk in self._chunks)
        self._compounds = CompoundWords(self._bm25, [chunk.search_text for chunk in self._chunks])
        self._terms_of.cache_clear()
        dim = self._store.embedder.dim
        matrix = np.zeros((len(self._chunks), dim), dtype=np.float32)
        redirect_matrix = np.zeros((len(self._redirects), dim), dtype=np.float32)
        for ids, vectors in self._store.vector_pages():
            for positions, target in (
                (self._position, matrix),
                (redirect_position, redirect_matrix),
            ):
                rows = np.array([positions.get(chunk_id, -1) for chunk_id in ids])
                known = rows >= 0
                if known.any():
                    target[rows[known]] = vectors[known]
        self._vectors = matrix
        self._redirect_vectors = redirect_matrix
        self._words = knowledge_base_words(self._chunks)
        self._load_urdu_versions()
        # The Urdu versions of the rules, not of the redirect topics (whose words are what the
        # rules leave out).
        topics = {chunk.source for chunk in self._redirects}
        self._urdu = UrduVocabulary.of(
            (
                f"{chunk.section}\n{chunk.text}"
                for chunk in self._translations
                if chunk.translates.strip().lstrip("./") not in topics
            ),
            self._words,
        )
        self._word_vectors = None  # embedded on first use by nearest_words

    def _load_urdu_versions(self) -> None:
        versions = [chunk for chunk in self._translations if chunk.language == Language.URDU]
        version_of = {translated_section(chunk): i for i, chunk in enumerate(versions)}
        pairs = [
            (position, version_of[(chunk.source, chunk.section)])
            for position, chunk in enumerate(self._chunks)
            if (chunk.source, chunk.section) in version_of
        ]
        self._urdu_rows = np.array([row for row, _ in pairs], dtype=np.intp)
        self._urdu_version_of = np.array([version for _, version in pairs], dtype=np.intp)
        terms = [urdu_search_terms(chunk.search_text) for chunk in versions]
        self._urdu_bm25 = BM25Index(terms)
        version_terms = [frozenset(words) for words in terms]
        self._urdu_version_terms = {
            self._chunks[row].id: version_terms[version] for row, version in pairs
        }

    def reads_urdu_versions(self, query: NormalisedQuery) -> bool:
        """Whether ``retrieve_for_answer`` ranks the passages read for this question apart from
        those judged: an Urdu-script question with Urdu words, over rules of which some have
        an Urdu version."""
        return (
            query.language is Language.URDU
            and bool(self._urdu_rows.size)
            and bool(self._urdu_terms_of(query.original))
        )

    @property
    def chunk_count(self) -> int:
        return len(self._chunks)

    @property
    def chunks(self) -> Sequence[Chunk]:
        """The searchable rules, in index order."""
        return self._chunks

    @property
    def redirects(self) -> Sequence[Chunk]:
        return self._redirects

    @property
    def translations(self) -> Sequence[Chunk]:
        return self._translations

    @property
    def embedder(self) -> Embedder:
        return self._store.embedder

    def query_vector(self, query: NormalisedQuery) -> npt.NDArray[np.float32]:
        """The question's embedding (computed once per question)."""
        return self._question_vectors.get(
            query,
            lambda: np.asarray(
                self._store.embedder.embed_queries([query.text])[0], dtype=np.float32
            ),
        )

    def redirect_similarities(self, query: NormalisedQuery) -> list[tuple[Chunk, float]]:
        """Every redirect with its cosine to the question, most similar first."""
        if not self._redirects:
            return []
        similarity = self._redirect_vectors @ self.query_vector(query)
        order = np.argsort(-similarity, kind="stable")
        return [(self._redirects[int(i)], float(similarity[int(i)])) for i in order]

    @property
    def bm25(self) -> BM25Index:
        return self._bm25

    def urdu_words(self, query: NormalisedQuery) -> UrduWords:
        """An Urdu-script question's own words against the rules' Urdu versions (see
        knowledge/urdu_words.py); none for other questions, or when the rules have no Urdu
        versions (a word's absence from them then says nothing)."""
        if query.language is not Language.URDU or not self._urdu:
            return UrduWords()
        return self._urdu.check(query.original)

    def coverage(
        self,
        query: NormalisedQuery,
        passages: Sequence[Chunk],
        urdu: UrduWords | None = None,
        *,
        version_weight: float = 0.0,
        version_min_shared: int = 0,
    ) -> float:
        """IDF-weighted share of the question's content words found in the passages.

        Words the knowledge base never uses weigh the most, so a question about something the
        rules never mention ("scholarship") scores low even if "course" matches. A glossary
        entry counts as one word, present if any of its English alternatives is. Roman Urdu
        words that are neither English nor in the knowledge base are left out: their absence
        is expected, not evidence. With ``urdu`` (``urdu_words``), an Urdu-script question's
        own words count too: one no Urdu rule uses as a word the knowledge base never uses, one
        some Urdu rule uses as found, at USED_WORD_WEIGHT of its Urdu IDF.

        With ``version_weight``, the Urdu versions of the passages count too, for an
        Urdu-script question: a word the glossary read into English the rule does not use is
        found when the rule's Urdu version uses the Urdu word itself (چھٹی read as "holiday",
        where the rule says "leave"); a word no vocabulary reads (``NormalisedQuery.unread``)
        that a version uses counts as found, at ``version_weight`` of its IDF over the Urdu
        versions. A knowledge base's own Urdu rules use words the bundled glossary cannot know;
        unread words no version uses are left out, as before (their absence from a glossary
        says nothing). With ``version_min_shared``, only the versions sharing at least that
        many of the question's unread words count (``_vouching_versions``). Without Urdu
        versions nothing changes.
        """
        present: set[str] = set()
        for chunk in passages:
            present |= self._terms_of(chunk.search_text)
        in_versions: frozenset[str] = frozenset()
        if version_weight and query.language is Language.URDU:
            in_versions = self._vouching_versions(query, passages, version_min_shared)
        total = found = 0.0
        for group in query.groups:
            if group in query.foreign and all(
                self._bm25.document_frequency(term) == 0 for term in group
            ):
                continue
            weight = min(self._bm25.idf(term) for term in group)
            total += weight
            # Found in the English rule, or (an Urdu word) in its Urdu version as written.
            if any(term in present for term in group) or _spelled_in(
                query.urdu_spellings.get(group, ()), in_versions
            ):
                found += weight
        if in_versions and query.unread:
            for term in dict.fromkeys(urdu_stem(word) for word in query.unread):
                if term in in_versions:
                    weight = version_weight * self._urdu_bm25.idf(term)
                    total += weight
                    found += weight
        if urdu is not None:
            total += len(urdu.missing) * self._bm25.idf("")
            for word in urdu.used:
                weight = USED_WORD_WEIGHT * self._urdu.idf(word)
                total += weight
                found += weight
        return found / total if total else 0.0

    def used_elsewhere(self, query: NormalisedQuery, chunk: Chunk) -> list[str]:
        """The question's content words that some rule uses but ``chunk`` does not (nor, for an
        Urdu-script question, the chunk's Urdu version in the question's own spelling).

        A word the knowledge base never uses says nothing here (``unsupported_terms`` judges
        those); one it uses in other rules is a sign the question asks about something this
        passage does not speak of: "how many days before the licence ends does a *reminder*
        *message* come?" against the rule on how long a licence lasts."""
        present = self._terms_of(chunk.search_text)
        version = self._urdu_version_terms.get(chunk.id, frozenset())
        absent: list[str] = []
        for group in query.groups:
            # A number is a detail of the question ("after 5 weeks"), not what it is about.
            if group[0].isdigit() or any(term in present for term in group):
                continue
            if all(self._bm25.document_frequency(term) == 0 for term in group):
                continue
            if _spelled_in(query.urdu_spellings.get(group, ()), version):
                continue
            absent.append(query.surface.get(group[0], group[0]))
        return absent

    def _vouching_versions(
        self, query: NormalisedQuery, passages: Sequence[Chunk], min_shared: int
    ) -> frozenset[str]:
        """The words of the Urdu versions of ``passages`` that vouch for an Urdu question's
        words: of the versions that share at least ``min_shared`` of its unread words (one
        shared word is what a near miss has too: "the help desk answers calls" for "is the
        cost of a call to the help desk paid back?")."""
        unread = {urdu_stem(word) for word in query.unread}
        versions = [self._urdu_version_terms.get(chunk.id, frozenset()) for chunk in passages]
        return frozenset().union(*(v for v in versions if len(v & unread) >= min_shared))

    def _urdu_version_scores(self, query: NormalisedQuery) -> npt.NDArray[np.float32]:
        """Each rule chunk's BM25 score through its section's Urdu version (0 without one)."""
        per_version = self._urdu_bm25.scores(self._urdu_terms_of(query.original))
        scores = np.zeros(len(self._chunks), dtype=np.float32)
        scores[self._urdu_rows] = per_version[self._urdu_version_of]
        return scores

    def nearest_words(self, words: Sequence[str]) -> list[tuple[str, float]]:
        """For each word, the knowledge base's word the embedding model puts closest to it,
        and their cosine (("", 0.0) when the knowledge base has no words)."""
        if not words:
            return []
        if not self._words:
            return [("", 0.0) for _ in words]
        if self._word_vectors is None:
            # Every word of the knowledge base, embedded as a query like the question words it
            # is compared with: ~900 words, 7-14 s on one core, hence only when asked for.
            self._word_vectors = np.asarray(
                self._store.embedder.embed_queries(self._words), dtype=np.float32
            )
        vectors = np.asarray(self._store.embedder.embed_queries(list(words)), dtype=np.float32)
        similarity = vectors @ self._word_vectors.T
        best = similarity.argmax(axis=1)
        return [(self._words[int(j)], float(similarity[i, j])) for i, j in enumerate(best)]

    def unsupported_terms(
        self, query: NormalisedQuery, neighbour_support: float | None = None
    ) -> list[str]:
        """Salient question words the knowledge base never uses (see ``unsupported_terms``);
        with ``neighbour_support``, minus those with a knowledge-base word at least that close
        in embedding space ("teachers" next to "teaching"; "scholarship" has no such word)."""
        missing = unsupported_terms(query, self._bm25)
        if neighbour_support is None or not missing:
            return missing
        nearest = self.nearest_words(missing)
        return [
            word
            for word, (_, similarity) in zip(missing, nearest, strict=True)
            if similarity < neighbour_support
        ]

    def idf(self, term: str) -> float:
        return self._bm25.idf(term)

    def normalise(self, question: str) -> NormalisedQuery:
        """The question normalised, its compounds read as these rules write them."""
        return normalise_query(question, self._compounds)

    def retrieve(
        self,
        question: str | NormalisedQuery,
        *,
        top_k: int = 3,
        mode: RetrievalMode = RetrievalMode.HYBRID,
    ) -> list[ScoredPassage]:
        """The ``top_k`` rule chunks that best match the question, best first."""
        return self._retrieve(question, top_k, mode, urdu_versions=False).judged

    def retrieve_for_answer(
        self,
        question: str | NormalisedQuery,
        *,
        top_k: int = 3,
        mode: RetrievalMode = RetrievalMode.HYBRID,
    ) -> Retrieved:
        """``retrieve``'s passages, to judge whether to answer, and those to answer from: an
        Urdu-script question is also matched word for word against the Urdu versions of the
        rules that have one (``URDU_VERSION_BM25_WEIGHT``). A rule without one scores as a
        version sharing no word with the question would; with no Urdu versions at all, or for
        another language, both are the same."""
        return self._retrieve(question, top_k, mode, urdu_versions=True)

    def _retrieve(
        self,
        question: str | NormalisedQuery,
        top_k: int,
        mode: RetrievalMode,
        *,
        urdu_versions: bool,
    ) -> Retrieved:
        query = self.normalise(question) if isinstance(question, str) else question
        if not self._chunks:
            return Retrieved([], [])
        bm25_weight, dense_weight = FUSION_WEIGHTS[query.language]
        if mode is RetrievalMode.BM25:
            bm25_weight, dense_weight = 1.0, 0.0
        elif mode is RetrievalMode.DENSE:
            bm25_weight, dense_weight = 0.0, 1.0
        lexical = (
            self._bm25.scores(query.terms)
            if bm25_weight and query.terms
            else np.zeros(len(self._chunks), dtype=np.float32)
        )
        dense: npt.NDArray[np.float32] | None = None
        dense_z: npt.NDArray[np.float32] | None = None
        fused = bm25_weight * standardise(lexical)
        if dense_weight:
            dense = (self._vectors @ self.query_vector(query)).astype(np.float32)
            dense_z = standardise(dense)
            fused = fused + dense_weight * dense_z
        if dense is None:  # lexical only: a chunk sharing no word with the question is no hit
            fused = np.where(lexical > 0, fused, -np.inf).astype(np.float32)
        judged = self._passages(query, fused, dense, dense_z, top_k)
        if not (urdu_versions and dense is not None and self.reads_urdu_versions(query)):
            return Retrieved(judged, judged)
        urdu = standardise(self._urdu_version_scores(query))
        read_fused = (fused + URDU_VERSION_BM25_WEIGHT * urdu).astype(np.float32)
        coverage = {passage.chunk.id: passage.coverage for passage in judged}
        read = self._passages(query, read_fused, dense, dense_z, top_k, known_coverage=coverage)
        return Retrieved(judged, read)

    def _passages(
        self,
        query: NormalisedQuery,
        fused: npt.NDArray[np.float32],
        dense: npt.NDArray[np.float32] | None,
        dense_z: npt.NDArray[np.float32] | None,
        top_k: int,
        *,
        known_coverage: dict[str, float] | None = None,
    ) -> list[ScoredPassage]:
        """The best ``top_k`` chunks by ``fused`` (coverage already known by chunk id reused)."""
        passages: list[ScoredPassage] = []
        for position in _top_positions(fused, top_k):
            chunk = self._chunks[position]
            coverage = (known_coverage or {}).get(chunk.id)
            passages.append(
                ScoredPassage(
                    chunk=chunk,
                    score=float(fused[position]),
                    dense=None if dense is None else float(dense[position]),
                    coverage=self.coverage(query, [chunk]) if coverage is None else coverage,
                    dense_z=None if dense_z is None else float(dense_z[position]),
                )
            )
        return passages
