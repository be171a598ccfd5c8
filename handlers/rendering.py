"""How answers look in Telegram: HTML with every dynamic value escaped (via the catalogue)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts, escape
from bot.services.questions import AnsweredQuestion
from handlers.callbacks import AnswerFeedback, LanguageChoice

LANGUAGE_NAMES = {"en": "English", "ur": "اردو"}


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LanguageChoice(code=code))
    return builder.as_markup()


def render_answer(texts: Texts, answered: AnsweredQuestion) -> str:
    """The answer, then a numbered list of the rules it cites."""
    if answered.abstained:
        return texts("answer-abstained")
    lines = [escape(answered.text), "", f"<b>{texts('answer-sources')}</b>"]
    seen: set[tuple[str, str]] = set()
    for citation in answered.citations:
        key = (citation.title, citation.section)
        if key in seen:
            continue
        seen.add(key)
        section = f" › {escape(citation.section)}" if citation.section else ""
        lines.append(f"{len(seen)}. <i>{escape(citation.title)}</i>{section}")
    return "\n".join(lines)


def feedback_keyboard(texts: Texts, question_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts("answer-feedback-yes"),
        callback_data=AnswerFeedback(question_id=question_id, helpful=True),
    )
    builder.button(
        text=texts("answer-feedback-no"),
        callback_data=AnswerFeedback(question_id=question_id, helpful=False),
    )
    return builder.as_markup()
