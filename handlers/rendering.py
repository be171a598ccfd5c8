"""How answers look in Telegram: HTML with every dynamic value escaped (via the catalogue)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.chat_action import ChatActionSender
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts, escape
from handlers.callbacks import AnswerFeedback, LanguageChoice
from handlers.people_callbacks import EscalateQuestion
from knowledge.answers import Answer

LANGUAGE_NAMES = {"en": "English", "ur": "اردو"}

# "typing..." only for a reply that keeps the learner waiting: most answers take a few tens of
# milliseconds, and the indicator would then cost one Bot API request each at the busiest times.
TYPING_AFTER_SECONDS = 0.4


def typing_while_slow(bot: Bot, chat_id: int) -> ChatActionSender:
    """Shows "typing..." in the chat once a reply has taken TYPING_AFTER_SECONDS."""
    return ChatActionSender.typing(bot=bot, chat_id=chat_id, initial_sleep=TYPING_AFTER_SECONDS)


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LanguageChoice(code=code))
    return builder.as_markup()


def render_answer(texts: Texts, answer: Answer) -> str:
    """The answer, then a numbered list of the rules it cites."""
    if answer.abstained:
        return texts("answer-abstained")
    lines = [escape(answer.text), "", f"<b>{texts('answer-sources')}</b>"]
    seen: set[tuple[str, str]] = set()
    for citation in answer.citations:
        key = (citation.title, citation.section)
        if key in seen:
            continue
        seen.add(key)
        section = f" › {escape(citation.section)}" if citation.section else ""
        lines.append(f"{len(seen)}. <i>{escape(citation.title)}</i>{section}")
    return "\n".join(lines)


def feedback_keyboard(
    texts: Texts, question_id: int, *, offer_escalation: bool = False
) -> InlineKeyboardMarkup:
    """👍/👎, plus "Ask my focal person" when the bot abstained or the learner pressed 👎."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts("answer-feedback-yes"),
        callback_data=AnswerFeedback(question_id=question_id, helpful=True),
    )
    builder.button(
        text=texts("answer-feedback-no"),
        callback_data=AnswerFeedback(question_id=question_id, helpful=False),
    )
    if offer_escalation:
        builder.button(
            text=texts("ticket-button-escalate"),
            callback_data=EscalateQuestion(question_id=question_id),
        )
        builder.adjust(2, 1)
    return builder.as_markup()


def offers_escalation(markup: InlineKeyboardMarkup | None) -> bool:
    """Whether an answer's keyboard already has the "Ask my focal person" button."""
    prefix = EscalateQuestion.__prefix__ + ":"
    return markup is not None and any(
        (button.callback_data or "").startswith(prefix)
        for row in markup.inline_keyboard
        for button in row
    )
