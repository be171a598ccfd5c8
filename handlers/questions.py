"""Any plain text is a question: answer it with citations and 👍/👎 buttons."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.errors import NotFoundError, RuleUnavailableError
from bot.i18n import Texts, split_message
from bot.services.questions import AnsweredQuestion, QuestionService
from bot.services.users import UserProfile
from handlers.callbacks import AnswerFeedback, ChooseRule, ShowFullRule
from handlers.edits import an_edited_question
from handlers.rendering import (
    choice_keyboard,
    example_question,
    feedback_keyboard,
    offers_escalation,
    render_answer,
    render_full_rule,
    typing_while_slow,
)


async def on_question(
    message: Message, bot: Bot, texts: Texts, user: UserProfile, questions: QuestionService
) -> None:
    # A screenshot's caption is the question typed with it ("what does this error mean?").
    text = message.text or message.caption or ""
    # A question over its limit raises QuestionTooLongError: the error router names the limit.
    async with typing_while_slow(bot, message.chat.id):
        answered = await questions.ask(
            user.id,
            text,
            channel="telegram",
            university_id=user.university_id,
            language=user.language,
        )
    if answered.content_free:
        # "👍", "ok", one word: never a cited answer, just the way to ask.
        example = await example_question(texts, questions)
        await message.answer(texts("question-content-free", example=example))
        return
    await send_answer(message, texts, answered)


async def send_answer(message: Message, texts: Texts, answered: AnsweredQuestion) -> None:
    """The answer in pieces below Telegram's limit, the last with the 👍/👎 buttons."""
    pieces = split_message(render_answer(texts, answered.answer))
    for piece in pieces[:-1]:
        await message.answer(piece)
    if answered.answer.asked_back:
        await message.answer(pieces[-1], reply_markup=choice_keyboard(texts, answered))
        return
    keyboard = feedback_keyboard(
        texts,
        answered.id,
        offer_escalation=answered.answer.abstained,
        full_rule=answered.answer.full_rule,
    )
    await message.answer(pieces[-1], reply_markup=keyboard)


async def on_choose_rule(
    query: CallbackQuery,
    callback_data: ChooseRule,
    texts: Texts,
    user: UserProfile,
    questions: QuestionService,
) -> None:
    """The learner picked (a) or (b): the answer from that rule replaces the question back."""
    await query.answer()
    if not isinstance(query.message, Message):
        return
    try:
        answered = await questions.answer_choice(
            question_id=callback_data.question_id,
            user_id=user.id,
            passage_id=callback_data.passage,
            language=user.language,
        )
    except RuleUnavailableError:
        await query.message.answer(texts("answer-rule-unavailable"))
        return
    await send_answer(query.message, texts, answered)


async def on_show_full_rule(
    query: CallbackQuery,
    callback_data: ShowFullRule,
    texts: Texts,
    user: UserProfile,
    questions: QuestionService,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    try:
        rule = await questions.full_rule(passage_id=callback_data.passage, language=user.language)
    except NotFoundError:
        await query.message.answer(texts("answer-rule-unavailable"))
        return
    for piece in render_full_rule(texts, rule):
        await query.message.answer(piece)


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
            reply_markup=feedback_keyboard(
                texts,
                callback_data.question_id,
                offer_escalation=True,
                full_rule=_full_rule_of(query.message.reply_markup),
            )
        )


def _full_rule_of(markup: InlineKeyboardMarkup | None) -> str | None:
    """The passage a keyboard's "Show the full rule" button expands, if it has one."""
    prefix = ShowFullRule.__prefix__ + ":"
    for row in markup.inline_keyboard if markup else []:
        for button in row:
            if (button.callback_data or "").startswith(prefix):
                return ShowFullRule.unpack(button.callback_data or "").passage
    return None


def create_router() -> Router:
    router = Router(name="questions")
    router.message.register(on_question, F.text, ~F.text.startswith("/"))
    # A photo or file sent with a question as its caption, outside any conversation (a step
    # that waits for a file, such as an upload or a notice's attachment, takes its own).
    router.message.register(on_question, StateFilter(None), F.caption, ~F.caption.startswith("/"))
    # A corrected question is asked again, outside any conversation only: a form's step is
    # never run twice. Edits taken by no router (this and the courses') go nowhere.
    router.edited_message.register(
        on_question, StateFilter(None), F.text, ~F.text.startswith("/"), an_edited_question
    )
    router.callback_query.register(on_feedback, AnswerFeedback.filter())
    router.callback_query.register(on_choose_rule, ChooseRule.filter())
    router.callback_query.register(on_show_full_rule, ShowFullRule.filter())
    return router
