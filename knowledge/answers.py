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
    # When the answer shows the section's translation: where that came from (cited too).
    translation_title: str = ""
    translation_section: str = ""
    translation_source: str = ""


@dataclass(frozen=True)
class Choice:
    """One of two rules a question could mean ("Do you mean (a) ... or (b) ...?")."""

    chunk_id: str
    title: str
    section: str
    # The indexed document the rule is in (what evaluation compares with the expected one).
    document: str = ""


@dataclass
class Answer:
    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    language: str = "en"  # the question's (knowledge.language.Language's value)
    answer_language: str = "en"  # the language the answer is written in
    # A question the programme does not cover, answered with where to go (an abstention).
    redirect: bool = False
    # For an answer shown in translation: the rule's own sentences it renders.
    basis: str = ""
    # The answer's lead passage, whose whole section "Show the full rule" expands.
    full_rule: str | None = None
    # Two rules the question could mean, when retrieval cannot tell them apart: the bot asks
    # which one instead of answering (the text is the answer from the first).
    choices: list[Choice] = field(default_factory=list)
    # The learner reads Urdu but the rule has no Urdu version yet.
    missing_translation: bool = False

    @property
    def asked_back(self) -> bool:
        """The learner is asked which of two rules they mean instead of reading ``text``."""
        return bool(self.choices) and not self.abstained

    def to_json_dict(self) -> dict[str, Any]:
        """The shape printed by ``hecbot ask --json``."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "redirect": self.redirect,
            "question_language": self.language,
            "answer_language": self.answer_language,
            "citations": [
                {
                    "title": c.title,
                    "section": c.section,
                    "source": c.source,
                    "score": round(c.score, 4),
                    **(
                        {
                            "translation": {
                                "title": c.translation_title,
                                "section": c.translation_section,
                                "source": c.translation_source,
                            }
                        }
                        if c.translation_source
                        else {}
                    ),
                }
                for c in self.citations
            ],
            # Two rules the question could mean: the bot asks "Do you mean (a) ... or (b)
            # ...?" and shows no answer until one is chosen (``hecbot ask --choice ID``).
            "asked_back": self.asked_back,
            "choices": [
                {"id": c.chunk_id, "title": c.title, "section": c.section, "source": c.document}
                for c in self.choices
            ],
            "latency_ms": round(self.latency_ms, 1),
        }
