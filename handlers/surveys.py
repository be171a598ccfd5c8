"""The survey conversation: answering in the chat, /surveys on|off, and HEC admins' upload.

Where a learner stands is kept by `SurveyService` in the database; the FSM state only says
"typed messages now go to survey X" so numbers and free text reach the right question.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts, escape, split_message
from bot.services.permissions import Permission, require
from bot.services.questions import QuestionService, looks_like_question
from bot.services.survey_definitions import QuestionType, SurveyDefinitionError, render_preview
from bot.services.surveys import (
    QuestionRef,
    QuestionView,
    StepKind,
    SurveyService,
    SurveyStep,
)
from bot.services.users import UserProfile
from handlers.commands import command
from handlers.questions import on_question
from handlers.uploads import Refused, answer_problems, document_bytes, utf8_text

log = logging.getLogger(__name__)

MAX_SURVEY_FILE_BYTES = 200_000
SCALE_ROW = {QuestionType.RATING: 5, QuestionType.NPS: 6}


class SurveyStart(CallbackData, prefix="svst"):
    wave: int


class SurveyButton(CallbackData, prefix="sv"):
    """A press inside a survey: survey id, version, question index, action, option (or mask),
    and the wave the question was sent in (a press counts for that invitation only)."""

    s: str
    v: int
    q: int
    a: str  # c choose, t toggle, d done, s skip, b back
    o: int = 0
    w: int = 0


class SurveyUploadDecision(CallbackData, prefix="svup"):
    save: bool


class SurveyAnswering(StatesGroup):
    answering = State()


class SurveyUpload(StatesGroup):
    waiting_file = State()
    confirming = State()


# --- rendering -----------------------------------------------------------------------


def question_text(texts: Texts, view: QuestionView, reason: str | None = None) -> str:
    lines = []
    if reason:
        lines += [reason, ""]
    lines.append(f"<i>{texts('survey-progress', position=view.position, total=view.total)}</i>")
    lines.append(f"<b>{escape(view.text)}</b>")
    question = view.question
    if question.type is QuestionType.NUMBER:
        unit = question.unit.get(texts.language) if question.unit else ""
        lines.append(
            texts(
                "survey-type-number",
                min=f"{question.minimum:,.0f}",
                max=f"{question.maximum:,.0f}",
                unit=unit,
            )
        )
    elif question.type is QuestionType.TEXT:
        lines.append(texts("survey-type-text", limit=question.max_length))
    elif view.is_multiple:
        lines.append(texts("survey-choose-many"))
    return "\n".join(lines)


def question_keyboard(texts: Texts, view: QuestionView) -> InlineKeyboardMarkup | None:
    builder = InlineKeyboardBuilder()
    ref = {"s": view.slug, "v": view.version, "q": view.index, "w": view.wave}
    for choice in view.choices:
        if view.is_multiple:
            mask = view.selection_mask ^ (1 << choice.index)
            mark = "☑️" if choice.selected else "⬜"
            builder.button(
                text=f"{mark} {choice.text}", callback_data=SurveyButton(**ref, a="t", o=mask)
            )
        else:
            builder.button(
                text=choice.text, callback_data=SurveyButton(**ref, a="c", o=choice.index)
            )
    per_row = SCALE_ROW.get(view.question.type, 1)
    rows = [per_row] * ((len(view.choices) + per_row - 1) // per_row) if view.choices else []
    extra: list[int] = []
    if view.is_multiple:
        builder.button(
            text=texts("survey-done-button"),
            callback_data=SurveyButton(**ref, a="d", o=view.selection_mask),
        )
        extra.append(1)
    navigation = 0
    if view.can_go_back:
        builder.button(text=texts("survey-back-button"), callback_data=SurveyButton(**ref, a="b"))
        navigation += 1
    if view.can_skip:
        builder.button(text=texts("survey-skip-button"), callback_data=SurveyButton(**ref, a="s"))
        navigation += 1
    if navigation:
        extra.append(navigation)
    if not rows and not extra:
        return None
    builder.adjust(*rows, *extra)
    return builder.as_markup()


def echo_text(texts: Texts, echo: tuple[str, ...]) -> str:
    """The line under an answered question: "✓ Very useful", or "⏭ Skipped"."""
    if not echo:
        return texts("survey-echo-skipped")
    return texts("survey-echo", answer=", ".join(echo))


async def show_step(
    target: Message,
    texts: Texts,
    state: FSMContext,
    step: SurveyStep,
    slug: str | None,
    *,
    echo: str | None = None,
) -> None:
    """Reply with whatever the service decided: the next question, a retry, thanks, a refusal.

    `echo` (the answer just given, when the learner typed a button's label) heads the reply.
    """
    lead = [echo, ""] if echo else []
    if step.kind is StepKind.COMPLETED:
        await state.clear()
        await target.answer("\n".join([*lead, texts("survey-thanks")]))
        return
    if step.kind is StepKind.REFUSED or step.question is None:
        if await state.get_state() == SurveyAnswering.answering.state:
            await state.clear()
        await target.answer(texts(step.reason or "error-generic", **step.details))
        return
    view = step.question
    await state.set_state(SurveyAnswering.answering)
    reason = (
        texts(step.reason, **step.details)
        if step.kind in (StepKind.RETRY, StepKind.ASIDE) and step.reason
        else None
    )
    header = list(lead)
    if step.title:
        header.append(f"📋 <b>{escape(step.title)}</b>")
    if step.intro:
        header.append(escape(step.intro))
    text = question_text(texts, view, reason)
    if header:
        text = "\n".join(header) + "\n\n" + text
    sent = await target.answer(text, reply_markup=question_keyboard(texts, view))
    # The question on screen: a typed answer takes its buttons away, as a press does.
    await state.update_data(
        survey=slug or view.slug,
        question_message=sent.message_id,
        shown=_shown_key(view),
        started_from=None,  # shown by an answer, not by Start: a later Start shows it again
    )


async def _drop_keyboard(query: CallbackQuery) -> None:
    """Old questions lose their buttons once answered, so they are not pressed again."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


async def _show_answer(query: CallbackQuery, texts: Texts, echo: tuple[str, ...]) -> None:
    """The answered question keeps its text, loses its buttons and shows what was chosen."""
    message = query.message
    if not isinstance(message, Message) or not message.text:
        await _drop_keyboard(query)
        return
    try:
        await message.edit_text(
            f"{message.html_text}\n\n{echo_text(texts, echo)}", reply_markup=None
        )
    except TelegramBadRequest:
        await _drop_keyboard(query)


# --- learners ------------------------------------------------------------------------


async def on_start_pressed(
    query: CallbackQuery,
    *,
    callback_data: SurveyStart,
    user: UserProfile,
    surveys: SurveyService,
    texts: Texts,
    state: FSMContext,
) -> None:
    step = await surveys.open_invitation(user.id, callback_data.wave)
    if not isinstance(query.message, Message):
        await query.answer()
        return
    invitation = query.message.message_id
    if await _already_shown(state, step, invitation):
        # A double tap: this invitation's Start sent this very question, and nothing has been
        # shown since. A later Start (after answers, an aside, /cancel, a restart) resumes.
        await query.answer(texts("survey-already-shown"))
        return
    await query.answer()
    await show_step(query.message, texts, state, step, None)
    await state.update_data(started_from=invitation)


def _shown_key(view: QuestionView) -> str:
    return f"{view.slug}:{view.version}:{view.index}:{view.wave}"


async def _already_shown(state: FSMContext, step: SurveyStep, invitation: int) -> bool:
    """Whether the last question shown was shown by Start on `invitation` and is the one this
    press would send again."""
    if step.question is None or await state.get_state() != SurveyAnswering.answering.state:
        return False
    data = await state.get_data()
    return data.get("started_from") == invitation and data.get("shown") == _shown_key(step.question)


async def on_survey_button(
    query: CallbackQuery,
    *,
    callback_data: SurveyButton,
    user: UserProfile,
    surveys: SurveyService,
    texts: Texts,
    state: FSMContext,
) -> None:
    ref = QuestionRef(callback_data.s, callback_data.v, callback_data.q, callback_data.w)
    language = texts.language
    action = callback_data.a
    if action == "t":
        step = await surveys.toggle(user.id, ref, callback_data.o, language)
        await query.answer()
        if step.kind is StepKind.QUESTION and step.question and isinstance(query.message, Message):
            with contextlib.suppress(TelegramBadRequest):
                await query.message.edit_reply_markup(
                    reply_markup=question_keyboard(texts, step.question)
                )
            return
    elif action == "c":
        step = await surveys.choose(user.id, ref, callback_data.o, language)
    elif action == "d":
        step = await surveys.confirm_choices(user.id, ref, callback_data.o, language)
    elif action == "s":
        step = await surveys.skip(user.id, ref, language)
    elif action == "b":
        step = await surveys.back(user.id, ref, language)
    else:
        await query.answer(texts("button-expired"), show_alert=True)
        return
    if action != "t":
        await query.answer()
    if step.echo is not None:
        await _show_answer(query, texts, step.echo)
    elif step.kind is not StepKind.RETRY:
        await _drop_keyboard(query)
    if isinstance(query.message, Message):
        await show_step(query.message, texts, state, step, ref.slug)


async def on_typed_answer(
    message: Message,
    *,
    bot: Bot,
    user: UserProfile,
    surveys: SurveyService,
    questions: QuestionService,
    texts: Texts,
    state: FSMContext,
) -> None:
    """A typed answer; or, typed instead of one, a question of the learner's own: answered by
    the knowledge base, then the survey question again with how to pause (/cancel)."""
    data = await state.get_data()
    slug = str(data.get("survey", ""))
    text = message.text or ""
    step = await surveys.type_answer(user.id, slug, text, texts.language)
    if step.kind is StepKind.ASIDE:
        await on_question(message, bot, texts, user, questions)
    elif step.kind is StepKind.REFUSED and looks_like_question(text):
        # The survey closed (or was finished) meanwhile: the question is not lost.
        await show_step(message, texts, state, step, slug)
        await on_question(message, bot, texts, user, questions)
        return
    shown = data.get("question_message")
    if step.kind in (StepKind.QUESTION, StepKind.COMPLETED) and isinstance(shown, int):
        # Answered by typing: the question's buttons go, as they do when one is pressed.
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=shown, reply_markup=None
            )
    echo = echo_text(texts, step.echo) if step.echo else None
    await show_step(message, texts, state, step, slug, echo=echo)


async def on_non_text_answer(message: Message, texts: Texts) -> None:
    await message.answer(texts("survey-text-empty"))


async def on_surveys_toggle(
    message: Message,
    command: CommandObject,
    user: UserProfile,
    surveys: SurveyService,
    texts: Texts,
) -> None:
    choice = (command.args or "").strip().lower()
    if choice not in ("on", "off"):
        await message.answer(texts("surveys-usage"))
        return
    await surveys.set_surveys_enabled(user.id, choice == "on")
    await message.answer(texts("surveys-on" if choice == "on" else "surveys-off"))


# --- HEC admins: upload --------------------------------------------------------------


def _require_admin(user: UserProfile) -> None:
    require(user, Permission.MANAGE_SURVEYS)


async def on_upload_command(
    message: Message, user: UserProfile, texts: Texts, state: FSMContext
) -> None:
    _require_admin(user)
    await state.set_state(SurveyUpload.waiting_file)
    await message.answer(texts("survey-upload-prompt"))


async def on_upload_document(
    message: Message, bot: Bot, user: UserProfile, texts: Texts, state: FSMContext
) -> None:
    _require_admin(user)
    data = await document_bytes(message, bot, max_bytes=MAX_SURVEY_FILE_BYTES)
    if data is Refused.TOO_BIG:
        await message.answer(texts("survey-upload-too-big"))
        return
    source = utf8_text(data)
    if source is None:
        # A file that is there but not UTF-8 (Notepad's "Unicode" is UTF-16) is told so.
        key = "survey-upload-not-document" if isinstance(data, Refused) else "upload-not-utf8"
        await message.answer(texts(key))
        return
    try:
        definition = await SurveyService.check_off_loop(source)
    except SurveyDefinitionError as error:
        heading = texts("survey-upload-problems", count=len(error.problems))
        await answer_problems(message, heading, error.problems)
        return
    await state.set_state(SurveyUpload.confirming)
    await state.update_data(source=source)
    builder = InlineKeyboardBuilder()
    builder.button(text=texts("survey-save-button"), callback_data=SurveyUploadDecision(save=True))
    builder.button(
        text=texts("survey-cancel-button"), callback_data=SurveyUploadDecision(save=False)
    )
    pieces = split_message(escape(render_preview(definition, texts.language)), limit=3800)
    await message.answer(texts("survey-upload-preview"))
    for index, piece in enumerate(pieces):
        markup = builder.as_markup() if index == len(pieces) - 1 else None
        await message.answer(f"<pre>{piece}</pre>", reply_markup=markup)


async def on_upload_decision(
    query: CallbackQuery,
    *,
    callback_data: SurveyUploadDecision,
    user: UserProfile,
    surveys: SurveyService,
    texts: Texts,
    state: FSMContext,
) -> None:
    _require_admin(user)
    data: dict[str, Any] = await state.get_data()
    await state.clear()
    await query.answer()
    await _drop_keyboard(query)
    if not isinstance(query.message, Message):
        return
    source = data.get("source")
    if not callback_data.save or not isinstance(source, str):
        await query.message.answer(texts("survey-upload-cancelled"))
        return
    summary = await surveys.add_survey(source, created_by=user.id)
    await query.message.answer(texts("survey-saved", slug=summary.slug, version=summary.version))


async def on_send_command(
    message: Message,
    command: CommandObject,
    user: UserProfile,
    surveys: SurveyService,
    texts: Texts,
) -> None:
    """`/survey_send <id>`: an HEC admin starts the newest version for everyone now."""
    _require_admin(user)
    slug = (command.args or "").strip()
    if not slug:
        await message.answer(texts("survey-send-usage"))
        return
    [wave] = await surveys.start_waves(slug, created_by=user.id)
    if not wave.new:  # sent twice: the invitations of the first are on their way
        await message.answer(
            texts(
                "survey-send-already", slug=slug, wave=wave.id, since=texts.moment(wave.created_at)
            )
        )
        return
    await message.answer(texts("survey-send-started", slug=slug, wave=wave.id))


def create_router() -> Router:
    router = Router(name="surveys")
    router.callback_query.register(on_start_pressed, SurveyStart.filter())
    router.callback_query.register(on_survey_button, SurveyButton.filter())
    router.callback_query.register(on_upload_decision, SurveyUploadDecision.filter())
    router.message.register(on_surveys_toggle, command("surveys"))
    router.message.register(on_upload_command, command("survey_upload"))
    router.message.register(on_send_command, command("survey_send"))
    router.message.register(on_upload_document, StateFilter(SurveyUpload.waiting_file))
    router.message.register(
        on_typed_answer,
        StateFilter(SurveyAnswering.answering),
        F.text,
        ~F.text.startswith("/"),
    )
    router.message.register(on_non_text_answer, StateFilter(SurveyAnswering.answering), ~F.text)
    return router
