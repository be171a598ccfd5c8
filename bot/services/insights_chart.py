"""The /insights chart: questions per day and the top topics, as one PNG (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

from bot.services.insights import InsightsReport

MAX_TOPIC_LABEL = 40


def render_chart(report: InsightsReport, path: Path, *, title: str) -> Path:
    """Draw the chart into `path` (created with its folder); blocking: call in a thread."""
    # A bare Figure draws with the Agg canvas and never touches pyplot's global state, so
    # charts can be drawn in worker threads on a server without a display.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 7), dpi=100)
    FigureCanvasAgg(figure)
    per_day, topics = figure.subplots(2, 1)
    days = [day for day, _ in report.per_day]
    counts = [count for _, count in report.per_day]
    if days:
        per_day.bar(days, counts, color="#1f6f43")
        figure.autofmt_xdate()
    per_day.set_title(f"{title}: questions per day")
    per_day.set_ylabel("questions")
    labels = [_short(topic) for topic, _ in report.topics][::-1]
    sizes = [count for _, count in report.topics][::-1]
    if labels:
        topics.barh(labels, sizes, color="#2b6cb0")
    topics.set_title("Top topics (knowledge-base section hit)")
    topics.set_xlabel("questions")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def _short(label: str) -> str:
    return label if len(label) <= MAX_TOPIC_LABEL else label[: MAX_TOPIC_LABEL - 1] + "…"
