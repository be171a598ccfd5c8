"""/help, /language and /cancel (/start is the onboarding conversation's)."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import BotCommand, CallbackQuery, Message

from bot.i18n import SUPPORTED_LANGUAGES, Catalogue, Texts, escape
from bot.services.questions import QuestionService
from bot.services.users import UserProfile, UserService
from handlers.callbacks import LanguageChoice
from handlers.commands import command
from handlers.menus import bot_commands, staff_commands
from handlers.rendering import example_question, language_keyboard
from handlers.surveys import SurveyAnswering


def _command_lines(commands: list[BotCommand]) -> list[str]:
    return [f"• /{command.command}: {escape(command.description)}" for command in commands]


async def on_help(message: Message, texts: Texts, user: UserProfile | None = None) -> None:
    """The commands of the person's role, from the same lists as their Telegram menu."""
    everyone = bot_commands(
        texts.catalogue, texts.language if texts.language in SUPPORTED_LANGUAGES else "en"
    )
    lines = [texts("help-body"), "", texts("help-commands"), *_command_lines(everyone)]
    staff = staff_commands(texts.catalogue, user.role, texts.language) if user is not None else None
    if staff:
        lines += ["", texts("help-staff"), *_command_lines(staff[len(everyone) :])]
    await message.answer("\n".join(lines))


async def on_language(message: Message, texts: Texts) -> None:
    await message.answer(texts("language-choose"), reply_markup=language_keyboard())


async def on_language_chosen(
    query: CallbackQuery,
    *,
    callback_data: LanguageChoice,
    user: UserProfile,
    users: UserService,
    catalogue: Catalogue,
    questions: QuestionService,
) -> None:
    profile = await users.set_language(user.id, callback_data.code)
    texts = catalogue.for_language(profile.language)
    await query.answer()
    if query.message is not None:
        example = await example_question(texts, questions)
        await query.message.answer(texts("start-language-set", example=example))


async def on_cancel(message: Message, texts: Texts, state: FSMContext) -> None:
    current = await state.get_state()
    if current is None:
        await message.answer(texts("nothing-to-cancel"))
        return
    await state.clear()
    # A survey is paused, not lost: its answers are stored and the invitation resumes it.
    paused = current == SurveyAnswering.answering.state
    await message.answer(texts("survey-paused" if paused else "cancelled"))


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(on_help, command("help"))
    router.message.register(on_language, command("language"))
    router.message.register(on_cancel, command("cancel"))
    router.callback_query.register(on_language_chosen, LanguageChoice.filter())
    return router
