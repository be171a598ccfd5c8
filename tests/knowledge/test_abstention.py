"""The abstention signals on small synthetic corpora (no embedding model needed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np
import pytest

from knowledge.answering import judge_evidence
from knowledge.chunking import Chunk
from knowledge.config import RetrievalThresholds
from knowledge.engine import KnowledgeEngine
from knowledge.language import (
    Language,
    known_name_stems,
    normalise_query,
    proper_names,
    stem,
    tokenize,
    with_known_names,
)
from knowledge.retrieval import (
    BM25Index,
    HybridRetriever,
    RetrievalMode,
    ScoredPassage,
    knowledge_base_words,
    standardise,
    unsupported_terms,
)
from tests.knowledge.conftest import HashEmbedder

RULES = (
    "A licence lasts six months. Students and faculty of recognised universities can apply.",
    "Coursera issues a certificate when you pass every graded assignment of a course.",
    "Email the helpdesk about a voucher; cash is never paid instead of a voucher.",
)


def chunk(index: int, text: str) -> Chunk:
    return Chunk(
        id=f"c{index}",
        text=text,
        title="Rules",
        section=f"Rule {index}",
        source=f"rule-{index}.md",
        root="test",
        content_hash="x",
        ordinal=0,
    )


class FakeStore:
    """The part of ChunkStore the retriever reads, over fixed chunks and hash vectors."""

    def __init__(self, texts: Sequence[str], embedder: object | None = None) -> None:
        self.embedder = embedder or HashEmbedder()
        self._chunks = [chunk(i, text) for i, text in enumerate(texts)]

    @classmethod
    def of_chunks(cls, chunks: Sequence[Chunk], embedder: object | None = None) -> FakeStore:
        """A store over these chunks as they are (translations among them, say)."""
        store = cls([], embedder)
        store._chunks = list(chunks)
        return store

    def all_chunks(self) -> list[Chunk]:
        return list(self._chunks)

    def vector_pages(self) -> Iterator[tuple[list[str], np.ndarray]]:
        vectors = self.embedder.embed_passages([c.search_text for c in self._chunks])
        yield [c.id for c in self._chunks], np.asarray(vectors, dtype=np.float32)


@pytest.fixture
def retriever() -> HybridRetriever:
    loaded = HybridRetriever(FakeStore(RULES), RetrievalThresholds())  # type: ignore[arg-type]
    loaded.load()
    return loaded


def corpus_index(texts: Sequence[str] = RULES) -> BM25Index:
    return BM25Index([tokenize(text) for text in texts])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is there a scholarship for students?", ["scholarship"]),
        ("How do I get a laptop and a visa?", ["laptop", "visa"]),
        ("How long does a licence last?", []),  # every content word is in the rules
        ("Is there still a chance to join?", []),  # absent, but generic English words
        ("Can I apply 8 months later?", []),  # numbers name no topic
        ("laptop scheme mein apply kaise karte hain?", ["laptop", "scheme"]),
        ("kya voucher ke badle cash mil sakta hai?", []),  # "badle" is Urdu, not English
    ],
)
def test_unsupported_terms_are_salient_words_the_corpus_never_uses(
    question: str, expected: list[str]
) -> None:
    assert unsupported_terms(normalise_query(question), corpus_index()) == expected


def test_unsupported_terms_follow_the_corpus_not_a_word_list() -> None:
    question = normalise_query("Is there a scholarship for students?")
    with_scholarships = corpus_index([*RULES, "Scholarships are not part of this programme."])
    assert unsupported_terms(question, with_scholarships) == []
    known = {stem("scholarship"): 1, stem("students"): 3}
    assert unsupported_terms(question, known) == []
    assert unsupported_terms(question, {stem("students"): 3}) == ["scholarship"]
    assert unsupported_terms(question, {}) == ["scholarship", "students"]


def test_roman_urdu_words_unknown_to_english_do_not_lower_coverage(
    retriever: HybridRetriever,
) -> None:
    question = normalise_query("voucher ke iwaz cash milega?")  # iwaz: in exchange for
    assert question.language is Language.ROMAN_URDU
    assert (stem("iwaz"),) in question.foreign
    chunks = retriever.retrieve(question, top_k=3, mode=RetrievalMode.BM25)
    assert retriever.coverage(question, [p.chunk for p in chunks]) == pytest.approx(1.0)
    english = normalise_query("Can I get cash for a scholarship?")
    assert retriever.coverage(english, [p.chunk for p in chunks]) < 1.0


def passages_with(retriever: HybridRetriever, dense: float) -> list[ScoredPassage]:
    return [ScoredPassage(chunk(0, RULES[0]), 1.0, dense, 0.0)]


@pytest.mark.parametrize("blocks", [True, False])
def test_an_unsupported_term_withdraws_the_paraphrase_pass(
    retriever: HybridRetriever, blocks: bool
) -> None:
    thresholds = RetrievalThresholds(
        min_dense=0.8, strong_dense=0.85, unsupported_blocks_dense=blocks
    )
    off_topic = normalise_query("Is there a scholarship for laptops?")
    on_topic = normalise_query("Is there a certificate for assignments?")
    for dense in (0.87, 0.99):  # a strong paraphrase-level match, then a near-copy
        judged = judge_evidence(off_topic, passages_with(retriever, dense), retriever, thresholds)
        assert judged.answerable is not blocks
        assert "scholarship" in judged.reason or not blocks
        judged = judge_evidence(on_topic, passages_with(retriever, dense), retriever, thresholds)
        assert judged.answerable  # nothing unsupported: the strong match stands


def test_unsupported_question_is_answered_when_its_words_are_covered(
    retriever: HybridRetriever,
) -> None:
    # "helpdesk" and "voucher" are in the passage; only "scholarship" is missing, and coverage
    # weighs the missing word against the found ones.
    question = normalise_query("helpdesk voucher cash email scholarship")
    passage = [ScoredPassage(chunk(2, RULES[2]), 1.0, 0.82, 0.0)]
    judged = judge_evidence(question, passage, retriever, RetrievalThresholds())
    assert retriever.unsupported_terms(question) == ["scholarship"]
    assert judged.answerable, judged.reason


def test_urdu_question_without_glossary_words_is_judged_by_similarity(
    retriever: HybridRetriever,
) -> None:
    question = normalise_query("ہم نے سنا ہے کہ اب کیا ہوگا")  # "we heard ... what now"
    assert question.language is Language.URDU and not question.groups
    thresholds = RetrievalThresholds(min_dense=0.8)
    close = judge_evidence(question, passages_with(retriever, 0.82), retriever, thresholds)
    far = judge_evidence(question, passages_with(retriever, 0.78), retriever, thresholds)
    assert close.answerable and not far.answerable


def test_glossary_words_are_never_unsupported() -> None:
    question = normalise_query("کیا اس لائسنس کی کوئی فیس ہے؟")  # فیس → fee, absent below
    assert (stem("fee"),) in question.groups
    assert unsupported_terms(question, corpus_index()) == []


def test_low_similarity_abstains_whatever_the_words(retriever: HybridRetriever) -> None:
    question = normalise_query("How long does a licence last?")
    judged = judge_evidence(
        question, passages_with(retriever, 0.7), retriever, RetrievalThresholds()
    )
    assert not judged.answerable


def test_standardise_centres_scores_and_leaves_flat_ones_at_zero() -> None:
    scores = standardise(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert scores.mean() == pytest.approx(0.0, abs=1e-6)
    assert scores[2] > scores[1] > scores[0]
    assert not standardise(np.array([2.0, 2.0], dtype=np.float32)).any()


class FixedSimilarityEmbedder:
    """Every question gets one vector; a passage gets the cosine to it that the test sets for
    the first key its text contains."""

    dim = 8
    name = "fixed-similarity"

    def __init__(self, similarity: dict[str, float]) -> None:
        self._similarity = similarity

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.eye(self.dim, dtype=np.float32)[0], (len(texts), 1))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        basis = np.eye(self.dim, dtype=np.float32)
        rows = []
        for row, text in enumerate(texts):
            cosine = next(v for k, v in self._similarity.items() if k in text)
            rows.append(cosine * basis[0] + np.sqrt(1 - cosine**2) * basis[row + 1])
        return np.asarray(rows, dtype=np.float32)


@pytest.mark.parametrize(
    ("licence_rule", "first"),
    [
        (0.852, "c1"),  # a near-tie: the glossary's "certificate" decides
        (0.900, "c0"),  # a clear lead of the dense model stands
    ],
)
def test_urdu_glossary_words_break_near_ties_of_the_dense_model(
    licence_rule: float, first: str
) -> None:
    question = normalise_query("سرٹیفکیٹ کیسے ملے گا؟")
    assert question.language is Language.URDU
    assert stem("certificate") in question.terms
    embedder = FixedSimilarityEmbedder(
        {"six months": licence_rule, "certificate": 0.85, "helpdesk": 0.80}
    )
    loaded = HybridRetriever(FakeStore(RULES, embedder), RetrievalThresholds())  # type: ignore[arg-type]
    loaded.load()
    assert loaded.retrieve(question, mode=RetrievalMode.DENSE)[0].chunk.id == "c0"
    assert loaded.retrieve(question)[0].chunk.id == first


def test_lexical_mode_returns_only_chunks_sharing_a_word(retriever: HybridRetriever) -> None:
    found = retriever.retrieve("graded assignment", top_k=3, mode=RetrievalMode.BM25)
    assert [p.chunk.id for p in found] == ["c1"]
    assert found[0].dense is None


class SynonymEmbedder:
    """Words of one synonym set share a direction; every other word gets its own random
    direction (seeded by the word), so unrelated words are far apart (cosine ~0 in 256-d)."""

    SYNONYMS = ({"teachers", "teaching", "faculty"}, {"payment", "paying", "pay"})
    dim = 256
    name = "synonym-test"

    def _word(self, word: str) -> np.ndarray:
        for index, group in enumerate(self.SYNONYMS):
            if word in group:
                vector = np.zeros(self.dim, dtype=np.float32)
                vector[index] = 1.0
                return vector
        seed = int(hashlib.md5(word.encode()).hexdigest(), 16) % 2**32
        vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        vector[: len(self.SYNONYMS)] = 0.0
        return vector / np.linalg.norm(vector)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        rows = [sum((self._word(w) for w in tokenize_plain(t)), np.zeros(self.dim)) for t in texts]
        return np.vstack([r / max(float(np.linalg.norm(r)), 1e-6) for r in rows]).astype(np.float32)

    embed_passages = embed_queries


def tokenize_plain(text: str) -> list[str]:
    return [w.strip("?.,!").lower() for w in text.split() if w.strip("?.,!")]


class SynonymStore(FakeStore):
    def __init__(self, texts: Sequence[str]) -> None:
        super().__init__(texts)
        self.embedder = SynonymEmbedder()  # type: ignore[assignment]


def test_knowledge_base_words_are_the_distinct_words_as_written() -> None:
    words = knowledge_base_words([chunk(0, "Faculty apply; faculty pay 5 fees. An ox.")])
    assert "faculty" in words and "apply" in words and "fees" in words
    assert "ox" not in words and "an" not in words  # under three letters
    assert words == sorted(set(words))


def test_a_missing_word_with_a_near_neighbour_in_the_corpus_is_supported() -> None:
    loaded = HybridRetriever(SynonymStore(RULES), RetrievalThresholds())  # type: ignore[arg-type]
    loaded.load()
    question = normalise_query("Can teachers get a scholarship?")
    assert loaded.unsupported_terms(question) == ["teachers", "scholarship"]
    # "faculty" is in the rules and shares a direction with "teachers"; "scholarship" has none.
    assert loaded.unsupported_terms(question, neighbour_support=0.9) == ["scholarship"]
    [(word, similarity)] = loaded.nearest_words(["teachers"])
    assert word == "faculty" and similarity == pytest.approx(1.0)


def strong_passage(dense_z: float | None) -> list[ScoredPassage]:
    return [ScoredPassage(chunk(0, RULES[0]), 1.0, 0.9, 0.0, dense_z)]


def test_an_unsupported_term_keeps_the_paraphrase_pass_only_when_one_passage_stands_out(
    retriever: HybridRetriever,
) -> None:
    thresholds = RetrievalThresholds(strong_dense=0.85, unsupported_min_z=2.5)
    question = normalise_query("Is there a scholarship for laptops?")
    stands_out = judge_evidence(question, strong_passage(3.4), retriever, thresholds)
    assert stands_out.answerable and "strong" in stands_out.reason
    for flat in (1.8, None):  # "everything a little similar", or no dense spread known
        judged = judge_evidence(question, strong_passage(flat), retriever, thresholds)
        assert not judged.answerable
        assert "scholarship" in judged.reason


def test_retrieval_reports_how_far_the_best_chunk_stands_out(retriever: HybridRetriever) -> None:
    found = retriever.retrieve("graded assignment certificate", top_k=3)  # all 3 chunks
    z = [p.dense_z for p in found]
    dense = [p.dense for p in found]
    assert None not in z and None not in dense
    # Standard deviations over every chunk: centred on zero, ordered like the cosines.
    assert sum(v for v in z if v is not None) == pytest.approx(0.0, abs=1e-4)
    assert sorted(range(3), key=lambda i: z[i] or 0.0) == sorted(
        range(3), key=lambda i: dense[i] or 0.0
    )
    lexical = retriever.retrieve("graded assignment", top_k=3, mode=RetrievalMode.BM25)
    assert lexical[0].dense_z is None


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("PSL ka final kab hai?", {"psl"}),  # an acronym, even first
        ("FSc wale students apply kar sakte hain?", {"fsc"}),  # inner capital
        ("mujhe Fulbright ki application chahiye", {"fulbright"}),  # capitalised mid-sentence
        ("Fulbright ki application kab khulti hai?", set()),  # first word: phones capitalise it
        ("licence mil gaya. Dost ne kaha", set()),  # first word of the second sentence
        ("I think Coursera is good", {"coursera"}),  # "I" is one letter
    ],
)
def test_proper_names_are_acronyms_and_capitalised_words_inside_a_sentence(
    question: str, names: set[str]
) -> None:
    assert proper_names(question) == names


def test_a_roman_urdu_name_the_rules_never_use_counts_against_coverage() -> None:
    rules = ("The final date: a licence lasts six months.",)
    loaded = HybridRetriever(FakeStore(rules), RetrievalThresholds())  # type: ignore[arg-type]
    loaded.load()
    # "psl" is no English word, but written as an acronym it is a name, not an Urdu word.
    named = normalise_query("PSL ka final kab hai?")
    unnamed = normalise_query("psl ka final kab hai?")
    assert (stem("psl"),) not in named.foreign and (stem("psl"),) in unnamed.foreign
    assert unsupported_terms(named, corpus_index(rules)) == ["psl"]
    assert unsupported_terms(unnamed, corpus_index(rules)) == []
    passage = [chunk(0, rules[0])]
    assert loaded.coverage(unnamed, passage) == pytest.approx(1.0)
    assert loaded.coverage(named, passage) < 0.5


@pytest.mark.parametrize(
    "question",
    [
        "agar mera account kisi aur ne use kiya to kya saza hai?",
        "maine course complete kar liya, ab certificate kahan milega?",
        "tumhara helpdesk kab jawab deta hai?",
    ],
)
def test_roman_urdu_grammar_words_are_not_topics(question: str) -> None:
    # "ne" (the ergative postposition), "maine", "tumhara": if they were terms, their absence
    # from English rules would count against coverage and decline an in-scope question.
    terms = set(normalise_query(question).terms)
    assert not terms & {"ne", "maine", "tumhara"}


def test_names_of_the_programmes_universities_are_no_evidence_against_a_question() -> None:
    known = known_name_stems(["Allama Iqbal Open University", "AIOU", "Azad Jammu and Kashmir"])
    assert {stem("allama"), stem("iqbal"), stem("aiou"), stem("jammu")} <= known
    # Words English uses stay ordinary words: the rules may or may not use them.
    assert not {stem("open"), stem("university"), stem("and")} & known
    question = normalise_query("Can students of Allama Iqbal Open University apply?")
    assert unsupported_terms(question, corpus_index()) == ["allama", "iqbal"]
    marked = with_known_names(question, known)
    assert unsupported_terms(marked, corpus_index()) == []
    # Unrelated words are untouched: "hostel" still names something the rules leave out.
    hostel = with_known_names(normalise_query("Is there a hostel at Allama Iqbal?"), known)
    assert unsupported_terms(hostel, corpus_index()) == ["hostel"]
    loaded = HybridRetriever(FakeStore(RULES), RetrievalThresholds())  # type: ignore[arg-type]
    loaded.load()
    rule = [chunk(0, RULES[0])]
    assert loaded.coverage(marked, rule) > 0.45 > loaded.coverage(question, rule)


def test_one_rule_must_hold_the_question_words_not_several_between_them(
    retriever: HybridRetriever,
) -> None:
    # "certificate" is in the second rule only, "voucher" in the third only: together the
    # three passages hold every word, but no rule is about a certificate voucher.
    question = normalise_query("Is there a certificate voucher?")
    everything = [ScoredPassage(chunk(i, text), 1.0, 0.82, 0.0) for i, text in enumerate(RULES)]
    pooled = RetrievalThresholds(min_dense=0.8, strong_dense=0.9, min_coverage=0.6)
    thresholds = replace(pooled, one_rule_coverage=True)
    assert retriever.coverage(question, [p.chunk for p in everything]) == pytest.approx(1.0)
    assert judge_evidence(question, everything, retriever, pooled).answerable
    judged = judge_evidence(question, everything, retriever, thresholds)
    assert not judged.answerable
    assert "coverage 0.5" in judged.reason
    # A rule holding both words answers it.
    both = [
        *everything,
        ScoredPassage(chunk(3, "A certificate voucher is emailed."), 1.0, 0.82, 0.0),
    ]
    assert judge_evidence(question, both, retriever, thresholds).answerable


def test_roman_urdu_questions_whose_words_only_several_rules_share_are_declined(
    sample_engine: KnowledgeEngine,
) -> None:
    # "facebook", "account", "hack": no one rule holds them (before, the three top passages
    # pooled held enough of them and the login rule answered); likewise a cover letter.
    for question in (
        "facebook account hack ho gaya wapas kaise milega",
        "cover letter likhne mein madad kar do",
    ):
        assert sample_engine.answer_sync(question).abstained, question
    assert not sample_engine.answer_sync("DLSEI program kab shuru hua tha?").abstained


@pytest.mark.parametrize(
    ("question", "without", "person"),
    [
        (
            "Can my cousin apply for a licence? Can students apply?",
            "Can I apply for a licence? Can students apply?",
            ("cousin",),
        ),
        (
            "mere bhai ko licence chahiye, students apply kar sakte hain?",
            "mujhe licence chahiye, students apply kar sakte hain?",
            ("brother",),
        ),
        ("My roommate's licence lasts how long?", "My licence lasts how long?", ("roommat",)),
        # vocab/place_words.txt: where, not what ("mera cousin Dubai mein hai": a name in
        # Roman Urdu is otherwise a word the rules either use or are not about).
        (
            "main Dubai mein hoon, students apply kar sakte hain?",
            "main yahan hoon, students apply kar sakte hain?",
            ("dubai",),
        ),
        ("I live in the UK. Can students apply?", "I live here. Can students apply?", ("uk",)),
    ],
)
def test_a_person_in_the_learners_life_is_no_evidence_against_the_rules(
    retriever: HybridRetriever, question: str, without: str, person: tuple[str, ...]
) -> None:
    # vocab/people_words.txt: a cousin, a brother, a roommate say whose situation it is, not
    # what is asked (and vocab/place_words.txt: where it is). The rules never use the word,
    # yet it was "a word no rule uses" at the top of the IDF scale, sinking coverage ("My
    # cousin in Dubai wants to borrow my licence for a month. Is that allowed?" 0.09).
    query = normalise_query(question)
    assert person in query.groups and person in query.foreign
    assert not unsupported_terms(query, retriever.bm25)
    rule = [chunk(0, RULES[0])]
    alone = retriever.coverage(normalise_query(without), rule)
    assert retriever.coverage(query, rule) == pytest.approx(alone)


def test_a_person_the_rules_speak_of_counts_as_usual(retriever: HybridRetriever) -> None:
    query = normalise_query("Can my friend use my voucher?")
    held = HybridRetriever(
        FakeStore(["A friend may not use your voucher.", *RULES]),  # type: ignore[arg-type]
        RetrievalThresholds(),
    )
    held.load()
    assert held.coverage(query, [chunk(0, RULES[2])]) < 1.0  # "friend" is the rules' word
