"""Optional LLM answerer (langchain): writes from the retrieved passages, else falls back."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import SecretStr

from knowledge.answering import Evidence, ExtractiveAnswerer
from knowledge.answers import Citation
from knowledge.config import LLMConfig
from knowledge.errors import KnowledgeError
from knowledge.prompts import NOT_IN_SOURCES, SYSTEM_PROMPT, USER_TEMPLATE, format_passages

logger = logging.getLogger(__name__)


def make_chat_model(config: LLMConfig) -> Any:
    """A langchain chat model for an OpenAI-compatible endpoint or Ollama."""
    if config.provider == "openai":
        # Provider packages load only when an LLM is configured.
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=config.model,
            base_url=config.base_url,
            api_key=SecretStr(config.api_key or "not-needed"),
            temperature=config.temperature,
            timeout=config.timeout_s,
            max_retries=0,
        )
    if config.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=config.model,
            base_url=config.base_url,
            temperature=config.temperature,
            client_kwargs={"timeout": config.timeout_s},
        )
    raise KnowledgeError(f"Unknown LLM provider {config.provider!r}: use 'openai' or 'ollama'.")


class LLMOutcome(StrEnum):
    ANSWERED = "answered"  # the model wrote the answer from the passages
    NOT_IN_SOURCES = "not_in_sources"  # the model read the passages: they do not answer it
    FAILED = "failed"  # error, timeout or an empty reply: the extractive answer stands in


@dataclass(frozen=True)
class LLMReply:
    text: str
    citations: list[Citation]
    outcome: LLMOutcome


class LLMAnswerer:
    """Asks the chat model to answer from the passages. A failure, timeout or empty reply
    falls back to the extractive answer, so the learner still gets a grounded reply. A reply
    of NOT_IN_SOURCES is kept as the model's judgement: it read the question and the passages
    together, which the retrieval scores cannot, so the caller abstains on it."""

    def __init__(self, chat_model: Any, fallback: ExtractiveAnswerer, timeout_s: float) -> None:
        self._chat_model = chat_model
        self._fallback = fallback
        self._timeout_s = timeout_s

    async def compose(self, evidence: Evidence) -> LLMReply:
        chunks = [p.chunk for p in evidence.passages]
        citations = [
            Citation(
                title=p.chunk.title,
                section=p.chunk.section,
                source=p.chunk.citation_source,
                score=p.dense if p.dense is not None else p.score,
                document=p.chunk.source,
            )
            for p in evidence.passages
        ]
        messages = [
            SystemMessage(content=SYSTEM_PROMPT),
            HumanMessage(
                content=USER_TEMPLATE.format(
                    passages=format_passages([(c.title, c.section, c.text) for c in chunks]),
                    question=evidence.query.original,
                )
            ),
        ]
        try:
            reply = await asyncio.wait_for(self._chat_model.ainvoke(messages), self._timeout_s)
            text = str(reply.content).strip()
        except Exception as exc:  # network, HTTP, parsing or timeout: all mean "fall back"
            logger.warning("LLM answerer failed (%s); using the extractive answer", exc)
            text = ""
        if NOT_IN_SOURCES in text:
            return LLMReply("", [], LLMOutcome.NOT_IN_SOURCES)
        if not text:
            fallback_text, fallback_citations = self._fallback.compose(evidence)
            return LLMReply(fallback_text, fallback_citations, LLMOutcome.FAILED)
        return LLMReply(text, citations, LLMOutcome.ANSWERED)
