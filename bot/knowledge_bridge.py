"""Maps hecbot's settings onto the knowledge engine's own plain config.

`knowledge/` stays usable alone (it reads no `Settings`); this is the only place the two meet.
"""

from __future__ import annotations

from bot.config import Settings
from knowledge.config import KnowledgeConfig, LLMConfig
from knowledge.engine import KnowledgeEngine, build_engine


def knowledge_config(settings: Settings) -> KnowledgeConfig:
    llm = settings.llm
    return KnowledgeConfig(
        data_dir=settings.data_dir,
        chroma_url=str(settings.chroma_url) if settings.chroma_url else None,
        embedder=settings.embedder,
        llm=LLMConfig(
            provider="" if llm.provider == "none" else llm.provider,
            model=llm.model,
            base_url=llm.base_url,
            api_key=llm.api_key.get_secret_value() if llm.api_key else None,
            timeout_s=llm.timeout_seconds,
        ),
    )


def build_knowledge_engine(settings: Settings) -> KnowledgeEngine:
    return build_engine(knowledge_config(settings))
