"""Test doubles for the production tests: an answerer standing in for the knowledge engine."""

from __future__ import annotations

import asyncio

from knowledge.answers import Answer, Citation


class EchoAnswerer:
    """Answers "Answer to: <question>" citing one rule; abstains on questions with "weather".

    `delay_seconds` simulates the engine's work; `broken` makes it fail as an unreachable
    Chroma server does.
    """

    def __init__(self, delay_seconds: float = 0.0) -> None:
        self.delay_seconds = delay_seconds
        self.broken: Exception | None = None
        self.questions: list[str] = []

    async def ask(self, question: str) -> Answer:
        self.questions.append(question)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.broken is not None:
            raise self.broken
        if "weather" in question.lower():
            return Answer(question=question, text="I don't know.", abstained=True, latency_ms=1.0)
        return Answer(
            question=question,
            text=f"Answer to: {question}",
            abstained=False,
            citations=[Citation("Licences", "Who is eligible", "licences.md", 0.9)],
            latency_ms=1.0,
        )
