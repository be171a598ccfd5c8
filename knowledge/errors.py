"""Domain errors of the knowledge engine (no Telegram, no SQL)."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class for every error the knowledge engine reports to its callers."""


class DocumentLoadError(KnowledgeError):
    """A file could not be turned into text (empty, malformed, binary junk, no text layer)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class EmbedderMismatchError(KnowledgeError):
    """The index on disk was built with another embedder than the configured one."""

    def __init__(self, index_embedder: str, configured_embedder: str) -> None:
        super().__init__(
            f"The knowledge index was built with embedder {index_embedder!r} but the "
            f"configuration asks for {configured_embedder!r}. Re-index the knowledge base "
            f"(hecbot kb index --rebuild PATH...) or configure the original embedder."
        )
        self.index_embedder = index_embedder
        self.configured_embedder = configured_embedder


class UnknownEmbedderError(KnowledgeError):
    """The configuration names an embedder this build does not know."""


class IndexUnavailableError(KnowledgeError):
    """The vector store cannot be reached or opened."""


class EngineClosedError(KnowledgeError):
    """The engine (or its question encoder) was shut down: it answers no more questions."""


class SourceNameError(KnowledgeError):
    """A name given to a folder of documents (`hecbot kb index --as NAME`) that cannot be one."""
