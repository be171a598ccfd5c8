"""The answer's keyboard, written out row by row (the builder deep-copied every button): the same
buttons, rows and callback data as aiogram's InlineKeyboardBuilder lays out."""

import pytest
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Catalogue
from handlers.callbacks import AnswerFeedback, ShowFullRule
from handlers.people_callbacks import EscalateQuestion
from handlers.rendering import feedback_keyboard


@pytest.mark.parametrize("full_rule", [None, "rules.md#3"])
@pytest.mark.parametrize("offer_escalation", [False, True])
@pytest.mark.parametrize("language", ["en", "ur"])
def test_feedback_keyboard_is_the_builders_layout(
    full_rule: str | None, offer_escalation: bool, language: str
) -> None:
    texts = Catalogue.load().for_language(language)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts("answer-feedback-yes"), callback_data=AnswerFeedback(question_id=7, helpful=True)
    )
    builder.button(
        text=texts("answer-feedback-no"), callback_data=AnswerFeedback(question_id=7, helpful=False)
    )
    rows = [2]
    if full_rule:
        builder.button(
            text=texts("answer-show-rule"),
            callback_data=ShowFullRule(question_id=7, passage=full_rule),
        )
        rows.append(1)
    if offer_escalation:
        builder.button(
            text=texts("ticket-button-escalate"), callback_data=EscalateQuestion(question_id=7)
        )
        rows.append(1)
    builder.adjust(*rows)

    markup = feedback_keyboard(texts, 7, offer_escalation=offer_escalation, full_rule=full_rule)

    assert markup == builder.as_markup()
    assert len(markup.inline_keyboard) == 1 + bool(full_rule) + offer_escalation
