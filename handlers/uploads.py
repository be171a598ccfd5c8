"""The one way a conversation takes a file an HEC admin sends (/catalogue_upload,
/tracks_upload, /survey_upload): read the document, refuse what cannot be read, list a rejected
file's problems. What the file means, and whether it is saved, stays with each conversation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from aiogram import Bot
from aiogram.types import Message

from bot.i18n import escape, split_message


class Refused(StrEnum):
    """Why a sent file was not read."""

    NO_FILE = "no-file"  # no document, or nothing to download
    WRONG_KIND = "wrong-kind"  # not the file name ending the conversation asks for
    TOO_BIG = "too-big"


async def document_bytes(
    message: Message, bot: Bot, *, max_bytes: int, suffix: str | None = None
) -> bytes | Refused:
    """The bytes of the document in `message`, or why they were not read: checked against the
    size Telegram announces before downloading, and against the bytes themselves after (Telegram
    may leave the size out)."""
    document = message.document
    if document is None:
        return Refused.NO_FILE
    if suffix is not None and not (document.file_name or "").lower().endswith(suffix):
        return Refused.WRONG_KIND
    if (document.file_size or 0) > max_bytes:
        return Refused.TOO_BIG
    downloaded = await bot.download(document.file_id)
    if downloaded is None:
        return Refused.NO_FILE
    data = downloaded.read()
    return Refused.TOO_BIG if len(data) > max_bytes else data


def utf8_text(data: bytes | Refused) -> str | None:
    """A UTF-8 file's text (a byte-order mark dropped); None when it was refused or is not
    UTF-8."""
    if isinstance(data, Refused):
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


async def answer_problems(
    message: Message,
    heading: str,
    problems: Sequence[object],
    *,
    at_most: int | None = None,
    more: Callable[[int], str] | None = None,
) -> None:
    """`heading`, then one line per problem (the first `at_most`, then `more(left out)`), in as
    many messages as Telegram's length limit needs."""
    shown = problems if at_most is None else problems[:at_most]
    lines = [heading, *(f"• {escape(str(problem))}" for problem in shown)]
    if more is not None and len(problems) > len(shown):
        lines.append(more(len(problems) - len(shown)))
    for piece in split_message("\n".join(lines)):
        await message.answer(piece)
