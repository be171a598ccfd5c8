"""Maps hecbot's settings onto the knowledge engine's own plain config.

`knowledge/` stays usable alone (it reads no `Settings`); this is the only place the two meet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from bot.config import Settings
from knowledge.answers import Answer
from knowledge.config import KnowledgeConfig, LLMConfig
from knowledge.engine import FullRule, Health, KnowledgeEngine, build_engine

log = logging.getLogger(__name__)


def knowledge_config(settings: Settings) -> KnowledgeConfig:
    llm = settings.llm
    return KnowledgeConfig(
        data_dir=settings.data_dir,
        chroma_url=str(settings.knowledge.chroma_url) if settings.knowledge.chroma_url else None,
        embedder=settings.knowledge.embedder,
        query_cache_size=settings.knowledge.query_cache_size,
        embed_replicas=settings.knowledge.embed_replicas,
        query_batch_ms=settings.knowledge.query_batch_ms,
        max_file_mb=settings.knowledge.max_file_mb,
        llm=LLMConfig(
            provider="" if llm.provider == "none" else llm.provider,
            model=llm.model,
            base_url=llm.base_url,
            api_key=llm.api_key.get_secret_value() if llm.api_key else None,
            timeout_s=llm.timeout_seconds,
        ),
    )


def build_knowledge_engine(settings: Settings) -> KnowledgeEngine | SharedIndexEngine:
    engine = build_engine(knowledge_config(settings))
    if settings.knowledge.chroma_url:
        return SharedIndexEngine(engine, settings.knowledge.refresh_seconds)
    return engine


class SharedIndexEngine:
    """The engine over a Chroma server that other processes (`hecbot kb index`) also write.

    The engine keeps its keyword index in memory; every `refresh_seconds` the first question
    checks the server's chunk count and the generation every write changes (a rule edited in
    place keeps the count), and rebuilds that index when either changed, so a CLI re-index
    reaches every running instance without a restart.
    """

    def __init__(self, engine: KnowledgeEngine, refresh_seconds: float) -> None:
        self.engine = engine
        self._refresh_seconds = refresh_seconds
        self._checked_at = time.monotonic()
        self._known_state: tuple[int, str] | None = None
        self._refresh_lock = asyncio.Lock()

    async def ask(self, question: str) -> Answer:
        await self._refresh_if_due()
        return await self.engine.ask(question)

    async def ask_in(self, question: str, language: str | None) -> Answer:
        await self._refresh_if_due()
        return await self.engine.ask(question, language)

    async def answer_choice(self, question: str, chunk_id: str, language: str) -> Answer | None:
        return await self.engine.answer_choice(question, chunk_id, language)

    async def expand_rule(self, chunk_id: str, language: str) -> FullRule | None:
        return await self.engine.expand_rule(chunk_id, language)

    async def _refresh_if_due(self) -> None:
        if time.monotonic() - self._checked_at < self._refresh_seconds:
            return
        async with self._refresh_lock:
            if time.monotonic() - self._checked_at < self._refresh_seconds:
                return
            self._checked_at = time.monotonic()
            state = await asyncio.to_thread(self._index_state)
            if self._known_state is not None and state != self._known_state:
                log.info(
                    "knowledge index changed (%s -> %s chunks): reloading",
                    self._known_state[0],
                    state[0],
                )
                self.engine.reload()
            self._known_state = state

    def _index_state(self) -> tuple[int, str]:
        # In the thread as a whole: `engine.store` opens the Chroma client (a request to the
        # server) when start-up could not. Evaluated on the event loop, as the argument of
        # to_thread once was, a server that never answered stopped every learner's update.
        return self.engine.store.state()

    def health(self) -> Health:
        return self.engine.health()

    def set_known_names(self, names: Iterable[str]) -> None:
        self.engine.set_known_names(names)

    async def close(self) -> None:
        await self.engine.close()

    async def warm_up(self) -> None:
        await self.engine.warm_up()
        self._known_state = await asyncio.to_thread(self._index_state)
