"""The knowledge engine facade: one object that indexes, retrieves and answers.

Built once by :func:`build_engine` from a :class:`KnowledgeConfig`; heavy parts (the embedding
model, the chroma client, the BM25 index) load lazily on first use and are reused.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from knowledge.answering import (
    ABSTAIN_TEXT,
    ABSTAIN_TEXT_UR,
    ASK_PEOPLE,
    ASK_PEOPLE_UR,
    REDIRECT_LEAD,
    REDIRECT_LEAD_UR,
    Evidence,
    ExtractiveAnswerer,
    judge_evidence,
)
from knowledge.answers import Answer, Choice, Citation
from knowledge.batching import CLOSE_WAIT_SECONDS, BatchingEmbedder
from knowledge.chunking import Chunk
from knowledge.composing import (
    NO_TRANSLATION_NOTE,
    SectionBook,
    SectionKey,
    SentenceComposer,
)
from knowledge.config import EMBEDDING_SEEDS_DIR, MAX_QUESTION_CHARS, KnowledgeConfig
from knowledge.embeddings import CachedEmbedder, Closable, Embedder, make_embedder
from knowledge.errors import EngineClosedError
from knowledge.language import (
    Language,
    NormalisedQuery,
    known_name_stems,
    with_known_names,
)
from knowledge.redirects import RedirectMatcher, parse_topic
from knowledge.retrieval import HybridRetriever, RetrievalMode, ScoredPassage
from knowledge.snapshot import capture, chroma_stamp, read_snapshot, write_snapshot
from knowledge.sources import ChunkSource

if TYPE_CHECKING:
    # Imported where used: Chroma (index), langchain (llm) and the document loaders cost a
    # second or more of start-up, and answering from the snapshot needs none of them.
    from knowledge.index import ChunkStore, IndexReport, IndexStats, ProgressCallback, SourceInfo
    from knowledge.llm import LLMAnswerer

log = logging.getLogger(__name__)
T = TypeVar("T")


# Sentences embedded per call while indexing (each call with new ones saves the vector cache).
SENTENCE_BATCH = 2048

EMPTY_INDEX_DETAIL = (
    "the rules index is empty: run `hecbot kb index --bundled` (or `hecbot kb index PATH`)"
)


@dataclass(frozen=True)
class Health:
    ok: bool
    chunks: int
    embedder: str
    detail: str
    # Answering works, from the in-memory index, but the index server is unreachable.
    degraded: bool = False


@dataclass(frozen=True)
class _AnswerParts:
    retriever: HybridRetriever
    book: SectionBook
    composer: SentenceComposer
    redirects: RedirectMatcher


@dataclass(frozen=True)
class FullRule:
    """A section in full, as "Show the full rule" shows it."""

    text: str
    citation: Citation
    language: str


def _abstention(query: NormalisedQuery, reading: str) -> Answer:
    """The engine's "I don't know", in Urdu for a learner reading Urdu."""
    urdu = reading == Language.URDU.value
    return Answer(
        query.original,
        ABSTAIN_TEXT_UR if urdu else ABSTAIN_TEXT,
        True,
        [],
        0.0,
        query.language.value,
        answer_language=reading if urdu else Language.ENGLISH.value,
    )


def _citation(passage: ScoredPassage, translation: Chunk | None) -> Citation:
    chunk = passage.chunk
    return Citation(
        title=chunk.title,
        section=chunk.section,
        source=chunk.citation_source,
        score=passage.dense if passage.dense is not None else passage.score,
        document=chunk.source,
        translation_title=translation.title if translation else "",
        translation_section=translation.section if translation else "",
        translation_source=translation.source if translation else "",
    )


class KnowledgeEngine:
    """Indexing, retrieval and answering over one chroma collection."""

    def __init__(self, config: KnowledgeConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self._embedder = embedder
        self._store: ChunkStore | None = None
        # The Chroma client the store reads and writes through, closed by `shutdown`.
        self._client: Any = None
        self._retriever: HybridRetriever | None = None
        self._llm: LLMAnswerer | None = None
        self._known_names: frozenset[str] = frozenset()
        self._answer_parts: _AnswerParts | None = None
        self._lock = threading.RLock()
        # Questions are answered in threads of the engine's own (the event loop never waits
        # for the CPU work), enough of them that questions asked together are encoded together.
        self._answer_threads: ThreadPoolExecutor | None = None
        # Questions being answered, which `shutdown` lets finish before it closes the client.
        self._in_flight: set[Future[Any]] = set()
        # Only the embedder it made is the engine's to close: one passed in may serve others.
        self._owns_embedder = embedder is None
        self._closed = False

    # -- lazy construction ---------------------------------------------------------------------
    def _make_embedder(self) -> Embedder:
        """The configured embedder behind a passage cache seeded with the bundled KB's vectors."""
        inner = make_question_encoder(self.config)
        file_name = f"{inner.name}.npz"
        return CachedEmbedder(
            inner,
            self.config.data_dir / "embedding-cache" / file_name,
            seeds=[EMBEDDING_SEEDS_DIR / file_name],
            query_cache_size=self.config.query_cache_size,
        )

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                if self._closed:
                    raise EngineClosedError("the knowledge engine was shut down")
                self._embedder = self._make_embedder()
            return self._embedder

    @property
    def store(self) -> ChunkStore:
        from knowledge.index import ChunkStore, close_chroma_client, make_chroma_client

        with self._lock:
            if self._store is None:
                if self._closed:
                    raise EngineClosedError("the knowledge engine was shut down")
                client = make_chroma_client(self.config.chroma_path, self.config.chroma_url)
                location = self.config.chroma_url or str(self.config.chroma_path)
                try:
                    self._store = ChunkStore(
                        client, self.embedder, self.config.collection, location
                    )
                except BaseException:  # e.g. an index built with another embedder
                    close_chroma_client(client)
                    raise
                self._client = client
            return self._store

    @property
    def retriever(self) -> HybridRetriever:
        with self._lock:
            if self._retriever is None:
                retriever = HybridRetriever(self._retrieval_source(), self.config.thresholds)
                retriever.load()
                self._retriever = retriever
            return self._retriever

    @property
    def _snapshot_dir(self) -> Path:
        return self.config.data_dir / "retrieval-snapshot"

    def _retrieval_source(self) -> ChunkSource:
        """What the retriever loads: the snapshot of a local index when it is current (no
        Chroma import at all), else the store itself, snapshotted on the way."""
        if self.config.chroma_url:
            return self.store
        stamp = chroma_stamp(self.config.chroma_path, self.config.collection)
        snapshot = read_snapshot(self._snapshot_dir, self.config.collection, self.embedder, stamp)
        if snapshot is not None:
            return snapshot
        return self._refresh_snapshot()

    def _refresh_snapshot(self) -> ChunkSource:
        """Read the local store once and keep a snapshot of it for the next start."""
        store = self.store
        captured = capture(store)
        stamp = chroma_stamp(self.config.chroma_path, self.config.collection)
        if stamp is not None and stamp.get("vectors") == len(captured.chunks):
            try:
                write_snapshot(self._snapshot_dir, self.config.collection, captured, stamp)
            except OSError as error:  # a read-only data dir: answer anyway, from Chroma
                log.warning("could not write the retrieval snapshot: %s", error)
        return captured

    def reload(self) -> None:
        """Forget the in-memory indexes; the next question rebuilds them from the store."""
        self._invalidate()

    def _invalidate(self) -> None:
        with self._lock:
            self._retriever = None

    def _llm_answerer(self) -> LLMAnswerer | None:
        if not self.config.llm.provider:
            return None
        if self._llm is None:
            from knowledge.llm import LLMAnswerer, make_chat_model

            self._llm = LLMAnswerer(
                make_chat_model(self.config.llm),
                ExtractiveAnswerer(self.retriever, self.config.max_answer_chars),
                self.config.llm.timeout_s,
            )
        return self._llm

    # -- indexing ------------------------------------------------------------------------------
    def index_paths(
        self,
        paths: Sequence[Path],
        *,
        progress: ProgressCallback | None = None,
        rebuild: bool = False,
        named: Mapping[Path, str] | None = None,
    ) -> IndexReport:
        """Index files/folders incrementally (``rebuild`` first drops the whole index);
        ``named``: paths indexed under a name of their own (`knowledge.index.index_paths`)."""
        from knowledge.index import index_paths, source_name

        for name in (named or {}).values():
            source_name(name)  # a wrong name fails before the index is dropped
        if rebuild:
            self.reset()
        limit = int(self.config.max_file_mb * 1_000_000) if self.config.max_file_mb else None
        report = index_paths(
            self.store, list(paths), progress=progress, max_file_bytes=limit, named=named
        )
        if report.changed:
            self._invalidate()
        self._ensure_snapshot()
        if report.changed:
            self._embed_sentences()
            # A translation that will never be shown says why now, not by its absence.
            report.warnings.extend(self._parts().book.translation_problems())
        return report

    def _embed_sentences(self) -> None:
        """Embed the sentences the answer composer scores now, while indexing, so that no
        learner waits for them: the first question on a new section used to embed its ~30
        sentences and rewrite the vector cache (seconds). Only sentences the cache does not
        hold yet are computed (the bundled knowledge base's are shipped in the seeds)."""
        texts = self.sentence_texts()
        for start in range(0, len(texts), SENTENCE_BATCH):
            self.embedder.embed_passages(texts[start : start + SENTENCE_BATCH])

    def _ensure_snapshot(self) -> None:
        """After a write: snapshot the local index now, so the next process (a bot start, a
        `hecbot ask`) reads it without opening Chroma."""
        if self.config.chroma_url:
            return
        stamp = chroma_stamp(self.config.chroma_path, self.config.collection)
        if read_snapshot(self._snapshot_dir, self.config.collection, self.embedder, stamp) is None:
            self._refresh_snapshot()

    def reset(self) -> None:
        """Drop the index, including one built with another embedder."""
        from knowledge.index import close_chroma_client, make_chroma_client

        client = make_chroma_client(self.config.chroma_path, self.config.chroma_url)
        try:
            existing = {getattr(c, "name", c) for c in client.list_collections()}
            if self.config.collection in existing:
                client.delete_collection(self.config.collection)
        finally:
            close_chroma_client(client)
        with self._lock:
            previous, self._client = self._client, None
            self._store = None
            self._retriever = None
        if previous is not None:
            close_chroma_client(previous)

    def list_sources(self) -> list[SourceInfo]:
        return self.store.sources()

    def stats(self) -> IndexStats:
        return self.store.stats(None if self.config.chroma_url else self.config.chroma_path)

    def remove_source(self, source: str) -> list[str]:
        from knowledge.index import remove_source

        removed = remove_source(self.store, source)
        if removed:
            self._invalidate()
            self._ensure_snapshot()
        return removed

    def health(self) -> Health:
        retriever = self._retriever
        if retriever is not None and not self.config.chroma_url:
            # Loaded from a local index (or its snapshot): what answers is in memory.
            count = retriever.chunk_count
            detail = "ready" if count else EMPTY_INDEX_DETAIL
            return Health(count > 0, count, self.embedder.name, detail)
        try:
            count = self.store.count()
        except Exception as exc:  # report, never raise, from a health probe
            problem = f"{type(exc).__name__}: {exc}"
            if retriever is not None and retriever.chunk_count:
                # The Chroma server is down, but the index loaded from it answers from memory.
                return Health(
                    True,
                    retriever.chunk_count,
                    self.embedder.name,
                    f"answering from memory; index server unreachable: {problem}",
                    degraded=True,
                )
            return Health(False, 0, self.config.embedder, problem)
        detail = "ready" if count else EMPTY_INDEX_DETAIL
        return Health(count > 0, count, self.store.embedder.name, detail)

    # -- answering -----------------------------------------------------------------------------
    def set_known_names(self, names: Iterable[str]) -> None:
        """Names of the programme's universities and places (the bot's registry): a question
        naming one is not asking about something the rules leave out."""
        self._known_names = known_name_stems(names)

    def gather_evidence(
        self, question: str, mode: RetrievalMode = RetrievalMode.HYBRID
    ) -> Evidence:
        query = with_known_names(
            self.retriever.normalise(question[:MAX_QUESTION_CHARS]), self._known_names
        )
        evidence, read = self._judge(query, mode)
        if mode is RetrievalMode.BM25:
            return evidence  # no question vector to compare topics with
        redirects = self._parts().redirects
        thresholds = self.config.thresholds_for(query.language.value)
        topic = redirects.choose(
            query,
            evidence.passages,
            evidence.answerable,
            topic_margin=thresholds.topic_margin,
            stands_out=evidence.stands_out,
            min_coverage=thresholds.min_coverage,
        )
        # Closer to a topic than to any rule, yet using none of its words: declined plainly
        # (knowledge/redirects.py, ``closest_topic``), not sent to that topic's office.
        plainly = topic is None and redirects.closer_than_the_rules(
            query, evidence.passages, thresholds.topic_margin
        )
        if topic is not None:
            # A topic named only in a clause that gives the question's context: the clause
            # that asks is judged alone (knowledge/redirects.py), and answered when it stands.
            # A topic no phrase named was named by its own words (``named_by_words``).
            by_words = redirects.named_by_words(query).get(topic.chunk.id, frozenset())
            asked = redirects.asked_clause(topic, query.original, by_words)
            if asked is not None:
                clause = with_known_names(self.retriever.normalise(asked), self._known_names)
                clause_evidence, _ = self._judge(clause, mode)
                if redirects.stands_alone(topic, query.original, clause_evidence, by_words):
                    topic = None
                    if not evidence.answerable:
                        # Read from the whole question's passages: its context says what the
                        # clause is about ("...block Coursera. Can I study on my phone
                        # instead?" is the device rule's, not the one the clause alone finds).
                        evidence = replace(
                            evidence, answerable=True, reason=f"asked: {clause_evidence.reason}"
                        )
        if plainly:
            return replace(evidence, answerable=False, reason="closest to a topic it does not name")
        if topic is None:
            # Whether to answer is judged on the ranking its floors were calibrated on; which
            # rule the learner reads first also weighs the rules' Urdu versions.
            if evidence.answerable:
                return replace(evidence, passages=read[: self.config.top_k], reading=read)
            return evidence
        return replace(evidence, redirect=topic.chunk, reason=f"redirect: {topic.chunk.section}")

    def _judge(
        self, query: NormalisedQuery, mode: RetrievalMode
    ) -> tuple[Evidence, list[ScoredPassage]]:
        """Whether the rules answer the question, judged on the first ``top_k`` passages of
        the ranking the floors were calibrated on, and the passages to answer from: the first
        ``answer_k`` of the ranking the learner reads (which also weighs the rules' Urdu
        versions)."""
        top_k = self.config.top_k
        retrieved = self.retriever.retrieve_for_answer(
            query, top_k=max(top_k, self.config.answer_k), mode=mode
        )
        thresholds = self.config.thresholds_for(query.language.value)
        evidence = judge_evidence(query, retrieved.judged[:top_k], self.retriever, thresholds)
        return evidence, retrieved.read

    def _parts(self) -> _AnswerParts:
        """The sentence composer, section book and redirect topics of the loaded index."""
        retriever = self.retriever
        with self._lock:
            parts = self._answer_parts
            if parts is None or parts.retriever is not retriever:
                book = SectionBook(retriever)
                parts = _AnswerParts(
                    retriever, book, SentenceComposer(retriever, book), RedirectMatcher(retriever)
                )
                self._answer_parts = parts
            return parts

    def sentence_texts(self) -> list[str]:
        """Every sentence the answer composer may embed (see ``SectionBook.sentence_texts``)."""
        parts = self._parts()
        return parts.book.sentence_texts(parts.retriever)

    def answer_sync(
        self,
        question: str,
        mode: RetrievalMode = RetrievalMode.HYBRID,
        language: str | None = None,
    ) -> Answer:
        """Answer with the extractive answerer (no LLM), blocking."""
        return self.answer_with_evidence(question, mode, language)[0]

    def answer_with_evidence(
        self,
        question: str,
        mode: RetrievalMode = RetrievalMode.HYBRID,
        language: str | None = None,
    ) -> tuple[Answer, Evidence | None]:
        """The extractive answer and the retrieval evidence behind it (for evaluation).

        ``language`` is the learner's ("en" or "ur"); None reads it from the question (Urdu
        script is answered in Urdu)."""
        started = time.perf_counter()
        question = question.strip()
        if not question:
            return Answer(question, "Please type a question.", True), None
        evidence = self.gather_evidence(question, mode)
        return self._extractive_answer(evidence, started, language), evidence

    def _reading_language(self, query: NormalisedQuery, language: str | None) -> str:
        """Urdu when the question is in Urdu script or the learner's setting is Urdu."""
        if query.language is Language.URDU:
            return Language.URDU.value
        if language in {Language.ENGLISH.value, Language.URDU.value}:
            return language
        return Language.ENGLISH.value

    def _extractive_answer(
        self, evidence: Evidence, started: float, language: str | None = None
    ) -> Answer:
        query = evidence.query
        reading = self._reading_language(query, language)

        def finish(answer: Answer) -> Answer:
            answer.latency_ms = (time.perf_counter() - started) * 1000
            return answer

        if evidence.redirect is not None:
            return finish(self._redirect_answer(evidence.redirect, query, reading))
        if not evidence.answerable:
            return finish(_abstention(query, reading))
        parts = self._parts()
        passages = evidence.answer_passages
        scored = parts.composer.score_sentences(query, passages)
        pair = parts.composer.ambiguous(passages, scored[1])
        composition = parts.composer.compose(query, passages, reading, scored)
        if not composition.text:
            return finish(_abstention(query, reading))
        citations = [
            _citation(p, self._translation_shown(parts, p.chunk, reading, composition.translated))
            for p in composition.used
        ]
        return finish(
            Answer(
                query.original,
                composition.text,
                False,
                citations,
                0.0,
                query.language.value,
                answer_language=composition.language,
                basis=composition.basis,
                full_rule=composition.used[0].chunk.id if composition.used else None,
                choices=[
                    Choice(p.chunk.id, p.chunk.title, p.chunk.section, p.chunk.source) for p in pair
                ]
                if pair
                else [],
                missing_translation=composition.missing_translation,
            )
        )

    @staticmethod
    def _translation_shown(
        parts: _AnswerParts, chunk: Chunk, reading: str, shown: Sequence[Chunk]
    ) -> Chunk | None:
        """The translation the answer shows of a passage's section, found as the composer
        found it (the book knows which rule section a translation's headings name)."""
        found = parts.book.translation(reading, SectionKey(chunk.source, chunk.section))
        return found.chunk if found is not None and any(c is found.chunk for c in shown) else None

    def _redirect_answer(self, chunk: Chunk, query: NormalisedQuery, reading: str) -> Answer:
        parts = self._parts()
        topic = parts.redirects.topic(chunk.id)
        where = topic.where if topic is not None else chunk.text
        # "Where to go: degree attestation is done by..." reads, after the lead, as a sentence.
        where = where[:1].upper() + where[1:]
        key = SectionKey(chunk.source, chunk.section)
        translation = (
            parts.book.translation(reading, key) if reading != Language.ENGLISH.value else None
        )
        answer_language = Language.ENGLISH.value
        # A topic listed without a "Where to go" text still sends the learner somewhere: to
        # the people who run the programme, as the plain decline does.
        if translation is not None:
            translated = parse_topic(translation.chunk).where
            text = f"{REDIRECT_LEAD_UR} {translated or ASK_PEOPLE_UR}"
            answer_language = reading
        elif reading == Language.URDU.value:
            # The lead is the bot's own words, in the reader's language; only the operator's
            # "Where to go" text, which has no Urdu version, is shown in English.
            text = f"{REDIRECT_LEAD_UR} {where or ASK_PEOPLE_UR}"
            if where:
                text = f"{text}\n{NO_TRANSLATION_NOTE}"
        else:
            text = f"{REDIRECT_LEAD} {where or ASK_PEOPLE}"
        citation = _citation(
            ScoredPassage(chunk, 0.0, None, 0.0), translation.chunk if translation else None
        )
        return Answer(
            query.original,
            text,
            True,
            [citation],
            0.0,
            query.language.value,
            answer_language=answer_language,
            redirect=True,
            full_rule=None,
            missing_translation=reading != Language.ENGLISH.value and translation is None,
        )

    def answer_from_passage(
        self, question: str, chunk_id: str, language: str | None
    ) -> Answer | None:
        """The answer composed from one chosen passage (after "Do you mean (a) or (b)?"), or
        None when the index no longer has that passage (a button older than a re-index)."""
        started = time.perf_counter()
        query = with_known_names(
            self.retriever.normalise(question[:MAX_QUESTION_CHARS]), self._known_names
        )
        retriever = self.retriever
        chunk = next((c for c in retriever.chunks if c.id == chunk_id), None)
        if chunk is None:
            return None
        passage = ScoredPassage(chunk, 0.0, None, retriever.coverage(query, [chunk]))
        evidence = Evidence(query, [passage], True, "chosen by the learner")
        answer = self._extractive_answer(evidence, started, language)
        answer.choices = []
        return answer

    def full_rule(self, chunk_id: str, language: str | None) -> FullRule | None:
        """The whole section of a passage ("Show the full rule"), in the learner's language
        when it has a translation."""
        parts = self._parts()
        chunk = next((c for c in parts.retriever.chunks if c.id == chunk_id), None)
        if chunk is None:
            return None
        reading = language or Language.ENGLISH.value
        found = parts.composer.full_section(SectionKey(chunk.source, chunk.section), reading)
        if found is None:
            return None
        text, translation = found
        return FullRule(
            text=text,
            citation=_citation(ScoredPassage(chunk, 0.0, None, 0.0), translation),
            language=reading if translation is not None else Language.ENGLISH.value,
        )

    async def ask(self, question: str, language: str | None = None) -> Answer:
        """Answer a question without blocking the event loop (CPU work runs in a thread).
        ``language`` is the learner's ("en"/"ur"; None: Urdu script is answered in Urdu)."""
        return (await self.ask_with_evidence(question, language))[0]

    async def ask_with_evidence(
        self, question: str, language: str | None = None
    ) -> tuple[Answer, Evidence | None]:
        """The answer the bot gives (the LLM's when one is configured) and the evidence."""
        started = time.perf_counter()
        question = question.strip()
        if not question:
            return Answer(question, "Please type a question.", True), None
        evidence = await self._in_answer_thread(self.gather_evidence, question)
        llm = self._llm_answerer() if evidence.answerable and evidence.redirect is None else None
        if llm is None:
            answer = await self._in_answer_thread(
                self._extractive_answer, evidence, started, language
            )
            return answer, evidence
        from knowledge.llm import LLMOutcome

        reply = await llm.compose(evidence)
        if reply.outcome is LLMOutcome.NOT_IN_SOURCES:
            declined = Evidence(evidence.query, evidence.passages, False, "LLM: not in sources")
            return self._extractive_answer(declined, started, language), declined
        answer = Answer(
            question,
            reply.text,
            False,
            reply.citations,
            (time.perf_counter() - started) * 1000,
            evidence.query.language.value,
        )
        return answer, evidence

    async def ask_in(self, question: str, language: str | None) -> Answer:
        """The answer in the learner's language (``ask`` with the language first)."""
        return await self.ask(question, language)

    async def answer_choice(self, question: str, chunk_id: str, language: str) -> Answer | None:
        """The answer from the rule the learner chose among two."""
        return await self._in_answer_thread(self.answer_from_passage, question, chunk_id, language)

    async def expand_rule(self, chunk_id: str, language: str) -> FullRule | None:
        """A rule's whole section ("Show the full rule")."""
        return await self._in_answer_thread(self.full_rule, chunk_id, language)

    async def _in_answer_thread(self, work: Callable[..., T], *args: Any) -> T:
        with self._lock:
            if self._answer_threads is None:
                if self._closed:
                    raise EngineClosedError("the knowledge engine was shut down")
                self._answer_threads = ThreadPoolExecutor(
                    max(1, self.config.answer_threads), thread_name_prefix="answer"
                )
            future = self._answer_threads.submit(functools.partial(work, *args))
            self._in_flight.add(future)
        future.add_done_callback(self._answered)
        return await asyncio.wrap_future(future)

    def _answered(self, future: Future[Any]) -> None:
        with self._lock:
            self._in_flight.discard(future)

    async def warm_up(self) -> None:
        """Load the model and indexes ahead of the first question."""
        await asyncio.to_thread(lambda: self.retriever)

    async def close(self) -> None:
        """End the engine's threads at shutdown (`shutdown`, in a thread: it waits for them)."""
        await asyncio.to_thread(self.shutdown)

    def __enter__(self) -> KnowledgeEngine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """End the question-encoding and answering threads and close the Chroma client (its
        runtime's threads and file handles); idempotent. A question already being answered
        finishes or fails with `EngineClosedError`, never waits without end; later questions
        fail with it."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            embedder = self._embedder if self._owns_embedder else None
            answer_threads, self._answer_threads = self._answer_threads, None
            client, self._client = self._client, None
            self._store = None
            in_flight = list(self._in_flight)
        if isinstance(embedder, Closable):
            embedder.close()
        if answer_threads is not None:
            answer_threads.shutdown(wait=False)
        if client is not None:
            from knowledge.index import close_chroma_client

            # A question being answered may still read the index (a Chroma server's): it
            # gets a bounded time to finish first.
            wait_for_futures(in_flight, timeout=CLOSE_WAIT_SECONDS)
            close_chroma_client(client)


def make_question_encoder(config: KnowledgeConfig) -> Embedder:
    """The configured embedder, behind its question batcher when ``query_batch_ms`` > 0 (one
    encoding thread per model replica, each taking the questions waiting): how the engine
    encodes questions, without its passage cache (bench/minimal_bot.py encodes as it does)."""
    inner = make_embedder(config.embedder, config.embed_threads, config.embed_replicas)
    if config.query_batch_ms <= 0:
        return inner
    return BatchingEmbedder(
        inner, workers=config.embed_replicas, window_seconds=config.query_batch_ms / 1000
    )


def build_engine(config: KnowledgeConfig, **overrides: Any) -> KnowledgeEngine:
    """Factory used by the app, the CLI and tests."""
    return KnowledgeEngine(config, **overrides)
