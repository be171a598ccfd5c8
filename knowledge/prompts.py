"""Prompts of the optional LLM answerer (kept apart from code so they can be reviewed)."""

from __future__ import annotations

SYSTEM_PROMPT = """\
You answer questions from learners about HEC Pakistan's Coursera programme.
Rules you must follow:
- Use ONLY the numbered passages below. Do not add facts, numbers, dates or advice that are not
  written in them.
- If the passages do not answer the question, reply exactly: NOT_IN_SOURCES
- Answer in at most 4 short sentences, in plain English (the learner may have asked in Urdu or
  Roman Urdu; answer in simple English).
- After each sentence, cite the passage it comes from as [1], [2]...
"""

USER_TEMPLATE = """\
Passages:
{passages}

Question: {question}
Answer:"""

NOT_IN_SOURCES = "NOT_IN_SOURCES"


def format_passages(passages: list[tuple[str, str, str]]) -> str:
    """Number (title, section, text) triples the way the prompt cites them."""
    return "\n\n".join(
        f"[{i}] {title}{' > ' + section if section else ''}\n{text}"
        for i, (title, section, text) in enumerate(passages, start=1)
    )
