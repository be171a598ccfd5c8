"""/catalogue_upload: an HEC admin sends a course catalogue CSV in the default (Coursera) layout;
it is checked row by row (problems listed with their lines, nothing imported if any) and, if
clean, imported through `CourseService` (new courses embedded off the event loop). Every running
instance uses it from its next request. /catalogue_upload then the file; /cancel leaves."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.i18n import Texts, escape
from bot.services.course_catalogue import (
    CatalogueEncodingError,
    CatalogueFileError,
    CatalogueRowsError,
)
from bot.services.courses import CourseService
from bot.services.permissions import Permission, require
from bot.services.users import UserProfile
from handlers.commands import command
from handlers.uploads import Refused, answer_problems, document_bytes

MAX_CATALOGUE_FILE_BYTES = 10 * 1024 * 1024  # Telegram lets bots download up to 20 MB
MAX_PROBLEMS_SHOWN = 30


class CatalogueUpload(StatesGroup):
    waiting_file = State()


async def on_upload_command(
    message: Message, *, user: UserProfile, texts: Texts, state: FSMContext
) -> None:
    require(user, Permission.MANAGE_COURSES)
    await state.set_state(CatalogueUpload.waiting_file)
    await message.answer(texts("catalogue-upload-prompt"))


async def on_cancel(message: Message, texts: Texts, state: FSMContext) -> None:
    await state.clear()
    await message.answer(texts("catalogue-upload-cancelled"))


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
    data = await document_bytes(message, bot, max_bytes=MAX_CATALOGUE_FILE_BYTES, suffix=".csv")
    if data is Refused.TOO_BIG:
        await message.answer(texts("catalogue-upload-too-big", megabytes=_megabytes()))
        return
    if isinstance(data, Refused) or not data.strip():
        await message.answer(texts("catalogue-upload-not-csv"))
        return
    await message.answer(texts("catalogue-upload-started"))
    try:
        report = await courses.import_upload(data, by=f"telegram:{user.id}")
    except CatalogueRowsError as error:
        await answer_problems(
            message,
            texts("catalogue-upload-problems", count=len(error.problems)),
            error.problems,
            at_most=MAX_PROBLEMS_SHOWN,
            more=lambda count: texts("catalogue-upload-more-problems", count=count),
        )
        return
    except CatalogueEncodingError:
        await message.answer(texts("catalogue-upload-not-utf8"))
        return
    except CatalogueFileError as error:
        await message.answer(texts("catalogue-upload-file-problem", problem=escape(str(error))))
        return
    await state.clear()
    await message.answer(
        texts(
            "catalogue-upload-done",
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            embedded=report.embedded,
        )
    )


def _megabytes() -> int:
    return MAX_CATALOGUE_FILE_BYTES // (1024 * 1024)


def create_router() -> Router:
    router = Router(name="catalogue_upload")
    router.message.register(on_upload_command, command("catalogue_upload"))
    router.message.register(on_cancel, StateFilter(CatalogueUpload.waiting_file), command("cancel"))
    router.message.register(
        on_upload_document, StateFilter(CatalogueUpload.waiting_file), F.document
    )
    return router
