"""Any plain text is a question: answer it with citations and 👍/👎 buttons."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, Message

from bot.i18n import Texts, split_message
from bot.services.questions import (
    MAX_QUESTION_CHARS,
    AnsweredQuestion,
    QuestionService,
    QuestionTooLongError,
)
from bot.services.users import UserProfile
from handlers.callbacks import AnswerFeedback
from handlers.rendering import (
    feedback_keyboard,
    offers_escalation,
    render_answer,
    typing_while_slow,
)


async def on_question(
    message: Message, bot: Bot, texts: Texts, user: UserProfile, questions: QuestionService
) -> None:
    text = message.text or ""
    try:
        async with typing_while_slow(bot, message.chat.id):
            answered = await questions.ask(
                user.id, text, channel="telegram", university_id=user.university_id
            )
    except QuestionTooLongError:
        await message.answer(texts("question-too-long", limit=MAX_QUESTION_CHARS))
        return
    if answered.content_free:
        # "👍", "ok", one word: never a cited answer, just the way to ask.
        await message.answer(texts("question-content-free"))
        return
    await send_answer(message, texts, answered)


async def send_answer(message: Message, texts: Texts, answered: AnsweredQuestion) -> None:
    """The answer in pieces below Telegram's limit, the last with the 👍/👎 buttons."""
    pieces = split_message(render_answer(texts, answered))
    for piece in pieces[:-1]:
        await message.answer(piece)
    keyboard = feedback_keyboard(texts, answered.id, offer_escalation=answered.abstained)
    await message.answer(pieces[-1], reply_markup=keyboard)


async def on_feedback(
    query: CallbackQuery,
    callback_data: AnswerFeedback,
    texts: Texts,
    user: UserProfile,
    questions: QuestionService,
) -> None:
    await questions.record_feedback(
        question_id=callback_data.question_id, user_id=user.id, helpful=callback_data.helpful
    )
    await query.answer(texts("answer-feedback-thanks"))
    if (
        not callback_data.helpful
        and isinstance(query.message, Message)
        and not offers_escalation(query.message.reply_markup)
    ):
        # A 👎 answer gets the way to a person that an abstention has from the start.
        await query.message.edit_reply_markup(
            reply_markup=feedback_keyboard(texts, callback_data.question_id, offer_escalation=True)
        )


def create_router() -> Router:
    router = Router(name="questions")
    router.message.register(on_question, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_feedback, AnswerFeedback.filter())
    return router
