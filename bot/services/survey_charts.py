"""One PNG bar chart per survey question (matplotlib, Agg backend: no display needed).

Labels are drawn in English: matplotlib does not shape Arabic-script text, so Urdu labels would
come out as disconnected letters.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.services.survey_results import QuestionResult, SurveyResults


def render_charts(results: SurveyResults, directory: Path) -> list[Path]:
    """Write `<slug>-<n>-<question>.png` for every question with a distribution."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, question in enumerate(results.questions, start=1):
        if not question.bars:
            continue
        figure, axes = plt.subplots(figsize=(7, 0.5 * len(question.bars) + 1.6), dpi=110)
        try:
            _draw(axes, question)
            figure.tight_layout()
            path = directory / f"{results.slug}-{number:02d}-{question.id}.png"
            figure.savefig(path, format="png")
        finally:
            plt.close(figure)
        paths.append(path)
    return paths


def _draw(axes: object, question: QuestionResult) -> None:
    labels = [textwrap.shorten(bar.label, 32, placeholder="…") for bar in question.bars]
    shares = [bar.share * 100 for bar in question.bars]
    positions = list(range(len(labels)))[::-1]
    axes.barh(positions, shares, color="#2e7d32")  # type: ignore[attr-defined]
    axes.set_yticks(positions, labels)  # type: ignore[attr-defined]
    axes.set_xlim(0, 100)  # type: ignore[attr-defined]
    axes.set_xlabel(f"% of {question.answered} who answered")  # type: ignore[attr-defined]
    axes.set_title(textwrap.fill(question.text, 60), fontsize=10)  # type: ignore[attr-defined]
    for position, bar in zip(positions, question.bars, strict=True):
        axes.text(  # type: ignore[attr-defined]
            min(bar.share * 100 + 1, 88),
            position,
            f"{bar.share:.0%} ({bar.count})",
            va="center",
            fontsize=8,
        )
