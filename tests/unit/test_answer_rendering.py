"""How a cited rule's name reads in Telegram."""

from bot.i18n import Catalogue
from handlers.rendering import render_answer
from knowledge.answers import Answer, Citation


def test_a_nested_sections_path_reads_with_one_separator() -> None:
    texts = Catalogue.load().for_language("en")
    citation = Citation(
        "Lecture recordings and devices",
        "Lecture recordings > How long recordings are kept",
        "recordings.docx",
        0.0,
    )
    shown = render_answer(texts, Answer("q", "Live class | 120 days.", False, [citation]))
    assert (
        "<i>Lecture recordings and devices</i> › Lecture recordings › How long recordings are kept"
        in shown
    )
    assert "&gt;" not in shown
