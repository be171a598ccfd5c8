"""The first conversation: privacy notice, language, who you are, your university.

State lives in the FSM storage, so a restart resumes at the same step, and `/start` in the middle
shows the current step again instead of starting over. `/start <token>` redeems a focal-person
invite and then continues the same steps (without asking a focal person whether they study).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.errors import HecbotError, InvalidInputError
from bot.i18n import Catalogue, Texts
from bot.services.onboarding import OnboardingService
from bot.services.questions import QuestionService
from bot.services.roles import RoleService, looks_like_invite
from bot.services.universities import UniversityService
from bot.services.users import UserProfile, UserService
from bot.storage.models import LearnerKind, Role
from handlers.commands import command
from handlers.menus import show_staff_menu
from handlers.people_callbacks import OnboardingChoice, UniversityPick
from handlers.privacy import ForgetFlow
from handlers.questions import send_answer
from handlers.rendering import LANGUAGE_NAMES, example_question, university_keyboard
from knowledge.config import MAX_QUESTION_CHARS
from knowledge.language import is_content_free

# Commands whose conversations store what the person gives (an application's e-mail address,
# a plan's courses): only after the privacy notice is accepted and the first steps are done.
COMMANDS_AFTER_ONBOARDING = ("apply", "courses")

# FSM data key: a question typed before the privacy notice was accepted, answered right after.
PENDING_QUESTION = "pending_question"


class Onboarding(StatesGroup):
    privacy = State()
    language = State()
    learner_kind = State()
    university = State()


def privacy_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts("onboarding-privacy-accept"),
        callback_data=OnboardingChoice(step="privacy", value="yes"),
    )
    return builder.as_markup()


def language_step_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=OnboardingChoice(step="lang", value=code))
    return builder.as_markup()


def kind_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in LearnerKind:
        builder.button(
            text=texts(f"kind-{kind.value}"),
            callback_data=OnboardingChoice(step="kind", value=kind.value),
        )
    builder.adjust(1)
    return builder.as_markup()


async def show_step(message: Message, texts: Texts, state: FSMContext) -> None:
    """(Re)send the prompt of the step the user is at."""
    current = await state.get_state()
    if current == Onboarding.language.state:
        await message.answer(texts("onboarding-language"), reply_markup=language_step_keyboard())
    elif current == Onboarding.learner_kind.state:
        await message.answer(texts("onboarding-kind"), reply_markup=kind_keyboard(texts))
    elif current == Onboarding.university.state:
        await message.answer(texts("onboarding-university"))
    else:
        await state.set_state(Onboarding.privacy)
        await message.answer(texts("privacy-notice"), reply_markup=privacy_keyboard(texts))


async def on_start(
    message: Message,
    *,
    bot: Bot,
    command: CommandObject,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    roles: RoleService,
    onboarding: OnboardingService,
    settings: Settings,
) -> None:
    # A learner who came by a shared link's tag (?start=poster_lahore) is welcomed, not told
    # that an invite they never had is not valid.
    if command.args and looks_like_invite(command.args):
        try:
            redeemed = await roles.redeem_focal_invite(user.id, command.args.strip())
        except HecbotError as error:
            await message.answer(texts(error.message_key))
        else:
            await message.answer(texts("invite-accepted", university=redeemed.university_name))
            role = Role.ADMIN if user.is_admin else Role.FOCAL_PERSON
            await show_staff_menu(
                bot,
                texts.catalogue,
                user.id,
                user.language,
                role,
                dashboard_url=settings.dashboard.url,
            )
    status = await onboarding.status(user.id)
    if status.onboarded:
        if (await state.get_state() or "").startswith("Onboarding:"):
            await state.clear()
        await message.answer(texts("onboarding-welcome-back"))
        return
    current = await state.get_state()
    if current is None or not current.startswith("Onboarding:"):
        await state.set_state(Onboarding.privacy)
    await show_step(message, texts, state)


async def on_privacy(message: Message, texts: Texts) -> None:
    await message.answer(texts("privacy-notice-again"))


async def on_privacy_accepted(
    query: CallbackQuery,
    *,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    onboarding: OnboardingService,
    questions: QuestionService,
) -> None:
    await onboarding.accept_privacy(user.id)
    pending = (await state.get_data()).get(PENDING_QUESTION)
    await state.set_state(Onboarding.language)
    await state.set_data({})
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        if isinstance(pending, str) and pending:
            # The question typed before accepting is answered now, as promised.
            await _answer_pending(query.message, texts, user, questions, pending)
        await query.message.answer(
            texts("onboarding-language"), reply_markup=language_step_keyboard()
        )


async def _answer_pending(
    message: Message, texts: Texts, user: UserProfile, questions: QuestionService, text: str
) -> None:
    try:
        answered = await questions.ask(user.id, text, channel="telegram")
    except InvalidInputError:
        return
    if not answered.content_free:
        await send_answer(message, texts, answered)


async def _remind_to_accept(message: Message, texts: Texts, state: FSMContext) -> None:
    """One line and the accept button, not the whole notice again; a question is kept (a
    command is to be sent again: it is not a question to answer)."""
    await state.set_state(Onboarding.privacy)
    text = message.text or message.caption or ""
    if text.startswith("/"):
        await message.answer(
            texts("onboarding-accept-first-command", command=text.split()[0]),
            reply_markup=privacy_keyboard(texts),
        )
        return
    if text and not is_content_free(text):
        await state.update_data({PENDING_QUESTION: text[:MAX_QUESTION_CHARS]})
    await message.answer(texts("onboarding-accept-first"), reply_markup=privacy_keyboard(texts))


async def on_language_picked(
    query: CallbackQuery,
    *,
    callback_data: OnboardingChoice,
    user: UserProfile,
    state: FSMContext,
    users: UserService,
    onboarding: OnboardingService,
    catalogue: Catalogue,
) -> None:
    profile = await users.set_language(user.id, callback_data.value)
    texts = catalogue.for_language(profile.language)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    status = await onboarding.status(user.id)
    if status.needs_learner_details:
        await state.set_state(Onboarding.learner_kind)
        await query.message.answer(texts("onboarding-kind"), reply_markup=kind_keyboard(texts))
        return
    await onboarding.complete(user.id)
    await state.clear()
    await query.message.answer(texts("onboarding-done-staff"))


async def on_kind_picked(
    query: CallbackQuery,
    *,
    callback_data: OnboardingChoice,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    onboarding: OnboardingService,
) -> None:
    await onboarding.set_learner_kind(user.id, callback_data.value)
    await state.set_state(Onboarding.university)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts("onboarding-university"))


async def on_university_typed(
    message: Message, texts: Texts, user: UserProfile, universities: UniversityService
) -> None:
    matches = await universities.search(message.text or "")
    if not matches:
        await message.answer(texts("onboarding-university-not-found"))
        return
    await message.answer(
        texts("onboarding-university-pick"),
        reply_markup=university_keyboard(
            [match.university for match in matches],
            user.language,
            lambda university_id: UniversityPick(university_id=university_id),
            last=(texts("onboarding-university-none"), UniversityPick(university_id=0)),
        ),
    )


async def on_university_picked(
    query: CallbackQuery,
    *,
    callback_data: UniversityPick,
    texts: Texts,
    user: UserProfile,
    state: FSMContext,
    onboarding: OnboardingService,
    universities: UniversityService,
    questions: QuestionService,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if callback_data.university_id == 0:
        await query.message.answer(texts("onboarding-university-again"))
        return
    await onboarding.set_university(user.id, callback_data.university_id)
    await onboarding.complete(user.id)
    await state.clear()
    university = await universities.get(callback_data.university_id)
    await query.message.edit_reply_markup(reply_markup=None)
    example = await example_question(texts, questions)
    await query.message.answer(
        texts(
            "onboarding-done",
            university=university.display_name(user.language),
            example=example,
        )
    )


async def on_not_onboarded(
    message: Message, texts: Texts, state: FSMContext, onboarding: OnboardingService
) -> None:
    """Text, or a command that stores what they give (/apply, /courses), from someone who has
    not finished the first steps, whatever conversation they are in (/forget left unanswered):
    take them back there. Nothing of theirs is stored before they accept the notice."""
    user_id = message.from_user.id if message.from_user else 0
    if not (await onboarding.status(user_id)).privacy_accepted:
        await _remind_to_accept(message, texts, state)
        return
    await message.answer(texts("onboarding-finish-first"))
    await show_step(message, texts, state)


async def on_other_text_mid_onboarding(message: Message, texts: Texts, state: FSMContext) -> None:
    if await state.get_state() == Onboarding.privacy.state:
        await _remind_to_accept(message, texts, state)
        return
    await show_step(message, texts, state)


async def on_expired_step_button(
    query: CallbackQuery, texts: Texts, state: FSMContext, onboarding: OnboardingService
) -> None:
    """An onboarding button pressed after its step was lost (e.g. Redis restarted without
    persistence): say so briefly and start the steps again, never a button that does nothing."""
    if (await onboarding.status(query.from_user.id)).onboarded:
        await query.answer(texts("button-expired"), show_alert=True)
        return
    await query.answer(texts("onboarding-expired"), show_alert=True)
    if isinstance(query.message, Message):
        await state.set_state(Onboarding.privacy)
        await show_step(query.message, texts, state)


async def _not_onboarded(_: Message, user: UserProfile | None = None) -> bool:
    return user is not None and user.onboarded_at is None


async def _not_a_staff_reply(message: Message, user: UserProfile | None = None) -> bool:
    """Staff answer tickets by replying to them: learner onboarding must not swallow that."""
    is_staff = user is not None and user.role in STAFF_ROLES
    return not (is_staff and message.reply_to_message is not None)


STAFF_ROLES = frozenset({Role.ADMIN, Role.FOCAL_PERSON})


def create_router() -> Router:
    router = Router(name="onboarding")
    router.message.register(on_start, command("start"))
    router.message.register(on_privacy, command("privacy"))
    router.callback_query.register(
        on_privacy_accepted,
        OnboardingChoice.filter(F.step == "privacy"),
        StateFilter(Onboarding.privacy),
    )
    router.callback_query.register(
        on_language_picked,
        OnboardingChoice.filter(F.step == "lang"),
        StateFilter(Onboarding.language),
    )
    router.callback_query.register(
        on_kind_picked,
        OnboardingChoice.filter(F.step == "kind"),
        StateFilter(Onboarding.learner_kind),
    )
    router.callback_query.register(
        on_university_picked, UniversityPick.filter(), StateFilter(Onboarding.university)
    )
    router.callback_query.register(on_expired_step_button, OnboardingChoice.filter())
    router.callback_query.register(on_expired_step_button, UniversityPick.filter())
    router.message.register(
        on_university_typed, StateFilter(Onboarding.university), F.text, ~F.text.startswith("/")
    )
    router.message.register(
        on_other_text_mid_onboarding,
        StateFilter(Onboarding.privacy, Onboarding.language, Onboarding.learner_kind),
        F.text,
        ~F.text.startswith("/"),
        _not_a_staff_reply,
    )
    # With no conversation open, or /forget's buttons still open (a question typed then was
    # answered and stored before the notice was accepted). Not in any state: an HEC admin who
    # never took the learners' first steps composes a notice, and its text is not a question.
    router.message.register(
        on_not_onboarded,
        StateFilter(None, ForgetFlow),
        F.text,
        ~F.text.startswith("/"),
        _not_onboarded,
        _not_a_staff_reply,
    )
    # A question as a photo's caption is a question too (handlers/questions.py).
    router.message.register(
        on_not_onboarded,
        StateFilter(None),
        F.caption,
        ~F.caption.startswith("/"),
        _not_onboarded,
        _not_a_staff_reply,
    )
    router.message.register(on_not_onboarded, command(*COMMANDS_AFTER_ONBOARDING), _not_onboarded)
    return router
