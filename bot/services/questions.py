"""Answering learners' questions from the knowledge base, and keeping a record of each."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, runtime_checkable

from bot.errors import HecbotError, InvalidInputError, KnowledgeUnavailableError, NotFoundError
from bot.metrics import AnswerMetrics
from bot.storage.db import Database
from bot.storage.models import QuestionLog
from bot.storage.types import utcnow
from knowledge.language import QUESTION_WORDS, detect_language, normalise_query

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
_T = TypeVar("_T")


class CitationLike(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def score(self) -> float: ...


class AnswerLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def abstained(self) -> bool: ...
    @property
    def citations(self) -> Sequence[CitationLike]: ...
    @property
    def latency_ms(self) -> float: ...
    @property
    def language(self) -> str: ...


class Answerer(Protocol):
    """The knowledge engine as the bot sees it."""

    async def ask(self, question: str) -> AnswerLike: ...


@runtime_checkable
class ReadingAnswerer(Protocol):
    """An answerer that writes in the learner's language, expands a rule in full and answers
    from the rule the learner chose (the knowledge engine; test doubles may lack it)."""

    async def ask_in(self, question: str, language: str | None) -> AnswerLike: ...

    async def answer_choice(self, question: str, chunk_id: str, language: str) -> AnswerLike: ...

    async def expand_rule(self, chunk_id: str, language: str) -> FullRuleLike | None: ...


class FullRuleLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def citation(self) -> CitationLike: ...


@dataclass(frozen=True)
class Choice:
    """One of the rules a question could mean; `id` is the passage's id (never user text)."""

    id: str
    title: str
    section: str


@dataclass(frozen=True)
class FullRuleText:
    text: str
    title: str
    section: str


@dataclass(frozen=True)
class CitedSource:
    title: str
    section: str
    source: str
    score: float
    # The translation shown, when the answer is in the learner's language (cited too).
    translation_title: str = ""
    translation_section: str = ""


@dataclass(frozen=True)
class AnsweredQuestion:
    """An answer as stored: `id` is what feedback buttons refer to."""

    id: int
    question: str
    text: str
    abstained: bool
    language: str
    latency_ms: float
    citations: list[CitedSource] = field(default_factory=list)
    answer_language: str = "en"
    # A topic the programme does not cover: `text` says where to go (an abstention).
    redirect: bool = False
    # The passage whose section "Show the full rule" expands.
    full_rule: str | None = None
    # Two rules the question could mean: the bot asks which before answering.
    choices: list[Choice] = field(default_factory=list)
    # Nothing to answer ("👍", "ok", one word): the learner is asked for a full question.
    content_free: bool = False


# A question needs at least this many content words, as the knowledge engine reads them
# (stopwords and Roman Urdu function words do not count). A question word (what, how, kya,
# kaise...) counts as one, so "What is the deadline?" is a question and "deadline?" is not.
MIN_CONTENT_WORDS = 2


def is_content_free(question: str) -> bool:
    """True for "👍", "?", "ok", "....", a lone stopword, or fewer than two content words."""
    query = normalise_query(question)
    asks = any(term in QUESTION_WORDS for term in query.terms)
    return len(query.groups) + int(asks) < MIN_CONTENT_WORDS


class QuestionTooLongError(InvalidInputError):
    message_key = "question-too-long"


class EmptyQuestionError(InvalidInputError):
    message_key = "question-empty"


# Whether an answer's cited documents are kept from this asker's university (FAQ scopes).
ScopeCheck = Callable[[int | None, list[str]], Awaitable[bool]]


@dataclass(frozen=True)
class _Withheld:
    """An answer withheld because its source is scoped to another university: an abstention."""

    text: str
    language: str
    latency_ms: float
    abstained: bool = True
    citations: Sequence[CitationLike] = ()


class QuestionService:
    def __init__(
        self,
        database: Database,
        answerer: Answerer,
        metrics: AnswerMetrics | None = None,
        *,
        scoped_out: ScopeCheck | None = None,
    ) -> None:
        self._database = database
        self._answerer = answerer
        self._metrics = metrics
        self._scoped_out = scoped_out

    async def ask(
        self,
        user_id: int | None,
        question: str,
        *,
        channel: str,
        university_id: int | None = None,
        language: str | None = None,
    ) -> AnsweredQuestion:
        """Answer a question and store it with its answer, citations and latency.

        `university_id` is the asker's, as the caller already knows it (the bot loads the
        profile once per update): the hot path spends no query on looking it up again.
        `language` is the learner's setting ("en"/"ur"): the answer is written in it where
        the rule has a version in it (Urdu script in the question asks for Urdu too).
        """
        question = " ".join(question.split())
        if not question:
            raise EmptyQuestionError("empty question")
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLongError(f"question of {len(question)} characters")
        if is_content_free(question):
            return await self._record_content_free(user_id, question, channel, university_id)
        started = time.perf_counter()
        answer: AnswerLike = await self._call_answerer(
            lambda answerer: (
                answerer.ask_in(question, language)
                if isinstance(answerer, ReadingAnswerer)
                else answerer.ask(question)
            )
        )
        if self._scoped_out is not None and not answer.abstained:
            documents = [str(getattr(c, "document", "") or c.source) for c in answer.citations]
            if await self._scoped_out(university_id, documents):
                answer = _Withheld(answer.text, answer.language, answer.latency_ms)
        answered = await self._store(user_id, university_id, channel, question, answer)
        if self._metrics is not None:
            self._metrics.answer_observed(
                latency_seconds=time.perf_counter() - started, abstained=answered.abstained
            )
        return answered

    async def _store(
        self,
        user_id: int | None,
        university_id: int | None,
        channel: str,
        question: str,
        answer: AnswerLike,
        *,
        record_id: int | None = None,
    ) -> AnsweredQuestion:
        citations = [
            CitedSource(
                title=c.title,
                section=c.section,
                source=c.source,
                score=float(c.score),
                translation_title=str(getattr(c, "translation_title", "") or ""),
                translation_section=str(getattr(c, "translation_section", "") or ""),
            )
            for c in answer.citations
        ]
        async with self._database.session() as session:
            record = await session.get(QuestionLog, record_id) if record_id is not None else None
            if record is None:
                record = QuestionLog(
                    user_id=user_id,
                    university_id=university_id,
                    channel=channel,
                    question=question,
                    language=answer.language,
                    answer=answer.text,
                    abstained=answer.abstained,
                    citations=[c.__dict__ for c in citations],
                    latency_ms=answer.latency_ms,
                )
            record.answer = answer.text
            record.abstained = answer.abstained
            record.citations = [c.__dict__ for c in citations]
            record.top_section = (
                f"{citations[0].title} › {citations[0].section}"[:300] if citations else None
            )
            session.add(record)
            await session.flush()
            assert record.id is not None
            return AnsweredQuestion(
                id=record.id,
                question=question,
                text=answer.text,
                abstained=answer.abstained,
                language=answer.language,
                latency_ms=answer.latency_ms,
                citations=citations,
                answer_language=str(getattr(answer, "answer_language", "en") or "en"),
                redirect=bool(getattr(answer, "redirect", False)),
                full_rule=getattr(answer, "full_rule", None),
                choices=[
                    Choice(id=c.chunk_id, title=c.title, section=c.section)
                    for c in getattr(answer, "choices", [])
                ],
            )

    async def _record_content_free(
        self, user_id: int | None, question: str, channel: str, university_id: int | None
    ) -> AnsweredQuestion:
        """Kept for insights as what it is (not a gap in the knowledge base); never answered."""
        language = detect_language(question).value
        async with self._database.session() as session:
            record = QuestionLog(
                user_id=user_id,
                university_id=university_id,
                channel=channel,
                question=question,
                language=language,
                answer="",
                content_free=True,
            )
            session.add(record)
            await session.flush()
            assert record.id is not None
            return AnsweredQuestion(
                id=record.id,
                question=question,
                text="",
                abstained=False,
                language=language,
                latency_ms=0.0,
                content_free=True,
            )

    async def answer_choice(
        self, *, question_id: int, user_id: int, passage_id: str, language: str
    ) -> AnsweredQuestion:
        """The learner chose one of two rules ("Do you mean (a) ... or (b) ...?"): answer
        their question from that rule, in place of the stored answer."""
        async with self._database.session() as session:
            record = await session.get(QuestionLog, question_id)
            if record is None or record.user_id != user_id:
                raise NotFoundError(f"question {question_id} of user {user_id}")
            question, university_id, channel = (
                record.question,
                record.university_id,
                record.channel,
            )
        answerer = self._answerer
        if not isinstance(answerer, ReadingAnswerer):
            raise NotFoundError("this answerer cannot answer from a chosen rule")
        answer = await self._call_answerer(
            lambda _: answerer.answer_choice(question, passage_id, language)
        )
        return await self._store(
            user_id, university_id, channel, question, answer, record_id=question_id
        )

    async def full_rule(self, *, passage_id: str, language: str) -> FullRuleText:
        """The whole section of a rule ("Show the full rule")."""
        answerer = self._answerer
        if not isinstance(answerer, ReadingAnswerer):
            raise NotFoundError("this answerer cannot show rules")
        found = await self._call_answerer(lambda _: answerer.expand_rule(passage_id, language))
        if found is None:
            raise NotFoundError(f"rule {passage_id}")
        citation = found.citation
        title = str(getattr(citation, "translation_title", "") or citation.title)
        section = str(getattr(citation, "translation_section", "") or citation.section)
        return FullRuleText(text=found.text, title=title, section=section)

    async def _call_answerer(self, call: Callable[[Answerer], Awaitable[_T]]) -> _T:
        """The answerer is its own subsystem (a Chroma server in production): whatever fails
        there, the learner is asked to try again shortly and the bot keeps running."""
        try:
            return await call(self._answerer)
        except HecbotError:
            raise
        except Exception as error:
            log.error("the knowledge engine failed: %s", type(error).__name__, exc_info=True)
            raise KnowledgeUnavailableError(
                f"knowledge engine unavailable: {type(error).__name__}"
            ) from error

    async def record_feedback(self, *, question_id: int, user_id: int, helpful: bool) -> None:
        """Store a 👍/👎 vote; only the person who asked may vote, and a new vote replaces one."""
        async with self._database.session() as session:
            record = await session.get(QuestionLog, question_id)
            if record is None or record.user_id != user_id:
                raise NotFoundError(f"question {question_id} of user {user_id}")
            record.feedback = 1 if helpful else -1
            record.feedback_at = utcnow()
            session.add(record)
