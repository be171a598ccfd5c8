"""/tracks_upload: an HEC admin sends a tracks YAML; it is checked against the catalogue
(problems listed with their lines) and, if clean, every running instance uses it from its next
request. /tracks_upload then the file; /cancel (or any other command) leaves."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, Message

from bot.i18n import Texts
from bot.services.course_tracks import TrackValidationError
from bot.services.courses import CourseService
from bot.services.permissions import Permission, require
from bot.services.users import UserProfile
from handlers.commands import command
from handlers.uploads import answer_problems, document_bytes, utf8_text

MAX_TRACKS_FILE_BYTES = 256 * 1024


class TracksUpload(StatesGroup):
    waiting_file = State()


async def on_upload_command(
    message: Message, *, user: UserProfile, texts: Texts, state: FSMContext, courses: CourseService
) -> None:
    require(user, Permission.MANAGE_COURSES)
    await state.set_state(TracksUpload.waiting_file)
    current = (await courses.tracks_text()).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(current, filename="tracks.yaml"), caption=texts("tracks-upload-prompt")
    )


async def on_cancel(message: Message, texts: Texts, state: FSMContext) -> None:
    await state.clear()
    await message.answer(texts("tracks-upload-cancelled"))


async def on_upload_document(
    message: Message,
    *,
    bot: Bot,
    user: UserProfile,
    texts: Texts,
    state: FSMContext,
    courses: CourseService,
) -> None:
    require(user, Permission.MANAGE_COURSES)
    text = utf8_text(await document_bytes(message, bot, max_bytes=MAX_TRACKS_FILE_BYTES))
    if not text:
        await message.answer(texts("tracks-upload-not-document"))
        return
    try:
        tracks = await courses.import_tracks(text, by="telegram")
    except TrackValidationError as error:
        heading = texts("tracks-upload-problems", count=len(error.problems))
        await answer_problems(message, heading, error.problems)
        return
    await state.clear()
    await message.answer(texts("tracks-upload-done", count=len(tracks)))


def create_router() -> Router:
    router = Router(name="course_tracks")
    router.message.register(on_upload_command, command("tracks_upload"))
    router.message.register(on_cancel, StateFilter(TracksUpload.waiting_file), command("cancel"))
    router.message.register(on_upload_document, StateFilter(TracksUpload.waiting_file), F.document)
    return router
