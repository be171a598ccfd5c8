"""The answer the knowledge engine gives, as the bot stores and renders it: one type from
`KnowledgeEngine.ask` through `QuestionService` to the handler. Cheap to import (no engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    title: str
    section: str
    source: str
    score: float
    # The indexed document (its file name under the knowledge-base folder), even when
    # ``source`` is the page's URL: what evaluation compares with the expected document.
    document: str = ""


@dataclass
class Answer:
    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    language: str = "en"  # knowledge.language.Language's value

    def to_json_dict(self) -> dict[str, Any]:
        """The shape printed by ``hecbot ask --json``."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [
                {
                    "title": c.title,
                    "section": c.section,
                    "source": c.source,
                    "score": round(c.score, 4),
                }
                for c in self.citations
            ],
            "latency_ms": round(self.latency_ms, 1),
        }
