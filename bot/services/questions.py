"""Answering learners' questions from the knowledge base, and keeping a record of each."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar, runtime_checkable

from bot.errors import (
    EmptyTextError,
    HecbotError,
    KnowledgeUnavailableError,
    NotFoundError,
    RuleUnavailableError,
    TextTooLongError,
)
from bot.logging_setup import logged_user
from bot.metrics import AnswerMetrics
from bot.storage import question_repository
from bot.storage.db import Database
from knowledge.answers import Answer, Citation
from knowledge.config import MAX_QUESTION_CHARS
from knowledge.language import (
    QUESTION_WORDS,
    detect_language,
    is_content_free,
    normalise_query,
)

log = logging.getLogger(__name__)

_T = TypeVar("_T")

# How long the knowledge base's verdict on the example question is kept: `hecbot kb index` may
# change the rules under a running bot, and asking costs an answer (tens of milliseconds).
EXAMPLE_CHECK_SECONDS = 600.0


class Answerer(Protocol):
    """The knowledge engine as the bot sees it."""

    async def ask(self, question: str) -> Answer: ...


@runtime_checkable
class ReadingAnswerer(Protocol):
    """An answerer that writes in the learner's language, expands a rule in full and answers
    from the rule the learner chose (the knowledge engine; test doubles may lack it)."""

    async def ask_in(self, question: str, language: str | None) -> Answer: ...

    async def answer_choice(self, question: str, chunk_id: str, language: str) -> Answer | None: ...

    async def expand_rule(self, chunk_id: str, language: str) -> FullRuleLike | None: ...


class FullRuleLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def citation(self) -> Citation: ...


@dataclass(frozen=True)
class FullRuleText:
    text: str
    title: str
    section: str


@dataclass(frozen=True)
class AnsweredQuestion:
    """The knowledge base's answer as stored: `id` is what the feedback buttons refer to."""

    id: int
    answer: Answer
    # Nothing to answer ("👍", "ok", one word): the learner is asked for a full question.
    content_free: bool = False


# A question corrected this soon after it was sent is asked again; a message edited later
# (a typo fixed in yesterday's question, a name typed during onboarding) is left alone.
EDITED_QUESTION_WINDOW = timedelta(minutes=15)


def answers_an_edit(sent_at: datetime, edited_at: datetime) -> bool:
    """Whether a message edited at `edited_at` is asked again as a new question."""
    return edited_at - sent_at <= EDITED_QUESTION_WINDOW


def looks_like_question(text: str) -> bool:
    """A message asking something ("How do I get my certificate?", "kya deadline hai"), rather
    than answering: it ends in a question mark or uses a question word (English, Urdu and Roman
    Urdu alike, as the knowledge engine reads them)."""
    stripped = text.strip()
    if stripped.endswith(("?", "؟")):
        return True
    return any(term in QUESTION_WORDS for term in normalise_query(stripped).terms)


class QuestionTooLongError(TextTooLongError):
    message_key = "question-too-long"


class EmptyQuestionError(EmptyTextError):
    message_key = "question-empty"


# Whether an answer's cited documents are kept from this asker's university (FAQ scopes).
ScopeCheck = Callable[[int | None, list[str]], Awaitable[bool]]


class QuestionService:
    def __init__(
        self,
        database: Database,
        answerer: Answerer,
        metrics: AnswerMetrics | None = None,
        *,
        scoped_out: ScopeCheck | None = None,
        answer_timeout_seconds: float = 0.0,
    ) -> None:
        """`answer_timeout_seconds` (0: none): how long a learner waits for the knowledge
        engine before being asked to try again shortly."""
        self._database = database
        self._answerer = answerer
        self._metrics = metrics
        self._scoped_out = scoped_out
        self._answer_timeout = answer_timeout_seconds if answer_timeout_seconds > 0 else None
        # (example question, language) -> (answered, when checked, monotonic seconds)
        self._examples: dict[tuple[str, str], tuple[bool, float]] = {}

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
            raise QuestionTooLongError("question", len(question), MAX_QUESTION_CHARS)
        if is_content_free(question):
            return await self._record_content_free(user_id, question, channel, university_id)
        started = time.perf_counter()
        answer = await self._call_answerer(
            lambda answerer: (
                answerer.ask_in(question, language)
                if isinstance(answerer, ReadingAnswerer)
                else answerer.ask(question)
            )
        )
        if self._scoped_out is not None and not answer.abstained:
            documents = [str(getattr(c, "document", "") or c.source) for c in answer.citations]
            if await self._scoped_out(university_id, documents):
                # Its source is scoped to another university: an abstention.
                answer = Answer(
                    question=question,
                    text=answer.text,
                    abstained=True,
                    latency_ms=answer.latency_ms,
                    language=answer.language,
                )
        answered = await self._store(user_id, university_id, channel, question, answer)
        if self._metrics is not None:
            self._metrics.answer_observed(
                latency_seconds=time.perf_counter() - started, abstained=answered.answer.abstained
            )
        return answered

    async def _store(
        self,
        user_id: int | None,
        university_id: int | None,
        channel: str,
        question: str,
        answer: Answer,
        *,
        record_id: int | None = None,
        content_free: bool = False,
    ) -> AnsweredQuestion:
        citations = [
            {
                "title": c.title,
                "section": c.section,
                "source": c.source,
                "score": float(c.score),
                "translation_title": c.translation_title,
                "translation_section": c.translation_section,
            }
            for c in answer.citations
        ]
        top_section = (
            f"{citations[0]['title']} › {citations[0]['section']}"[:300] if citations else None
        )
        if record_id is not None:  # the learner chose a rule: the stored answer replaced
            async with self._database.session() as session:
                replaced = await question_repository.replace_answer(
                    session,
                    question_id=record_id,
                    answer=answer.text,
                    abstained=answer.abstained,
                    citations=citations,
                    top_section=top_section,
                )
            if replaced:
                return AnsweredQuestion(id=record_id, answer=answer)
        # A plain connection, without a transaction's BEGIN/COMMIT round trips (every question).
        async with self._database.statements() as connection:
            row_id = await question_repository.insert_question(
                connection,
                user_id=user_id,
                university_id=university_id,
                channel=channel,
                question=question,
                language=answer.language,
                answer=answer.text,
                abstained=answer.abstained,
                content_free=content_free,
                citations=citations,
                top_section=top_section,
                latency_ms=answer.latency_ms,
            )
        return AnsweredQuestion(id=row_id, answer=answer, content_free=content_free)

    async def _record_content_free(
        self, user_id: int | None, question: str, channel: str, university_id: int | None
    ) -> AnsweredQuestion:
        """Kept for insights as what it is (not a gap in the knowledge base); never answered."""
        language = detect_language(question).value
        answer = Answer(question=question, text="", abstained=False, language=language)
        return await self._store(
            user_id, university_id, channel, question, answer, content_free=True
        )

    async def answer_choice(
        self, *, question_id: int, user_id: int, passage_id: str, language: str
    ) -> AnsweredQuestion:
        """The learner chose one of two rules ("Do you mean (a) ... or (b) ...?"): answer
        their question from that rule, in place of the stored answer. A press naming a rule
        the knowledge base no longer has (re-indexed since the question) raises
        RuleUnavailableError and leaves the stored answer as it was."""
        async with self._database.session() as session:
            record = await question_repository.own_question(
                session, question_id=question_id, user_id=user_id
            )
            if record is None:
                raise NotFoundError(f"question {question_id} of user {logged_user(user_id)}")
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
        if answer is None:
            raise RuleUnavailableError(f"rule {passage_id} of question {question_id}")
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

    async def answers_example(self, question: str, language: str) -> bool:
        """Whether the knowledge base answers `question`, the example the bot suggests to
        learners: over another body's rules the bundled programme's example would be declined,
        so it is offered only while answered. Checked at most every EXAMPLE_CHECK_SECONDS and
        never recorded as a learner's question. An answerer that cannot answer in a language
        (a test double) cannot tell: the example is offered, as always before."""
        answerer = self._answerer
        if not isinstance(answerer, ReadingAnswerer):
            return True
        key = (question, language)
        now = time.monotonic()
        known = self._examples.get(key)
        if known is not None and now - known[1] < EXAMPLE_CHECK_SECONDS:
            return known[0]
        try:
            answer = await self._call_answerer(lambda _: answerer.ask_in(question, language))
        except HecbotError:
            return False  # the engine is unavailable: suggest nothing it may decline later
        answered = not answer.abstained
        self._examples[key] = (answered, now)
        return answered

    async def _call_answerer(self, call: Callable[[Answerer], Awaitable[_T]]) -> _T:
        """The answerer is its own subsystem (a Chroma server in production): whatever fails
        there, the learner is asked to try again shortly and the bot keeps running. Nor does
        the learner wait without end: chromadb's HTTP client has no timeout of its own, and a
        server that accepts the connection and never answers would hold the question forever."""
        deadline = asyncio.timeout(self._answer_timeout)
        try:
            async with deadline:
                return await call(self._answerer)
        except HecbotError:
            raise
        except Exception as error:
            if deadline.expired():
                log.error("the knowledge engine gave no answer within %g s", self._answer_timeout)
                raise KnowledgeUnavailableError(
                    f"knowledge engine gave no answer within {self._answer_timeout:g} s"
                ) from error
            log.error("the knowledge engine failed: %s", type(error).__name__, exc_info=True)
            raise KnowledgeUnavailableError(
                f"knowledge engine unavailable: {type(error).__name__}"
            ) from error

    async def record_feedback(self, *, question_id: int, user_id: int, helpful: bool) -> None:
        """Store a 👍/👎 vote; only the person who asked may vote, and a new vote replaces one."""
        async with self._database.session() as session:
            record = await question_repository.own_question(
                session, question_id=question_id, user_id=user_id
            )
            if record is None:
                raise NotFoundError(f"question {question_id} of user {logged_user(user_id)}")
            await question_repository.record_vote(session, question=record, helpful=helpful)
