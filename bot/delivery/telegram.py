"""The only place the outbox meets Telegram: turn an `OutgoingMessage` into a Bot API call and
its answer into an outcome the worker understands."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import FSInputFile, InlineKeyboardMarkup, Message, ReplyParameters

from bot.delivery.messages import OutgoingMessage
from bot.logging_setup import logged_user

log = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 20


class OutcomeKind(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot or deleted their account
    FAILED = "failed"  # Telegram refused for good (chat not found, bad request)
    RETRY_AFTER = "retry_after"  # 429: nothing was sent, pause everyone
    TRANSIENT = "transient"  # network or server error: try again later
    UNAUTHORIZED = "unauthorized"  # the token is wrong: nothing can be sent


@dataclass(frozen=True)
class SendOutcome:
    kind: OutcomeKind
    telegram_message_id: int | None = None
    retry_after: float = 0.0
    error: str | None = None


class MessageSender(Protocol):
    """Sends one message; never raises for an answer Telegram gives."""

    async def send(self, message: OutgoingMessage) -> SendOutcome: ...

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> None: ...


def _markup(message: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if message.reply_markup is None:
        return None
    return InlineKeyboardMarkup.model_validate(message.reply_markup)


async def send_outgoing(
    bot: Bot,
    message: OutgoingMessage,
    *,
    file_ids: dict[str, str] | None = None,
    request_timeout: int | None = None,
) -> Message:
    """Send as learners see it; also used for the sender's preview, so both look the same.

    `file_ids` caches Telegram's id of an uploaded file by path: a broadcast to 10,000 learners
    uploads its PDF once and then refers to it.
    """
    markup = _markup(message)
    paid = True if message.paid else None
    cache = file_ids if file_ids is not None else {}
    if message.photo_path is not None:
        path = message.photo_path
        sent = await bot.send_photo(
            message.chat_id,
            cache.get(path) or FSInputFile(path, filename=Path(path).name),
            caption=message.text or None,
            reply_markup=markup,
            allow_paid_broadcast=paid,
            request_timeout=request_timeout,
        )
        if sent.photo:
            cache[path] = sent.photo[-1].file_id
        return sent
    if message.document_path is not None:
        path = message.document_path
        sent = await bot.send_document(
            message.chat_id,
            cache.get(path) or FSInputFile(path, filename=Path(path).name),
            caption=message.text or None,
            reply_markup=markup,
            allow_paid_broadcast=paid,
            request_timeout=request_timeout,
        )
        if sent.document:
            cache[path] = sent.document.file_id
        return sent
    reply = None
    if message.reply_to_message_id is not None:
        reply = ReplyParameters(
            message_id=message.reply_to_message_id, allow_sending_without_reply=True
        )
    return await bot.send_message(
        message.chat_id,
        message.text,
        reply_markup=markup,
        allow_paid_broadcast=paid,
        reply_parameters=reply,
        request_timeout=request_timeout,
    )


def classify(error: Exception) -> SendOutcome:
    """What a failed send means for the delivery row."""
    text = str(error)[:300]
    if isinstance(error, TelegramRetryAfter):
        return SendOutcome(
            OutcomeKind.RETRY_AFTER, retry_after=float(error.retry_after), error=text
        )
    if isinstance(error, TelegramForbiddenError):
        return SendOutcome(OutcomeKind.BLOCKED, error=text)
    if isinstance(error, TelegramUnauthorizedError):
        return SendOutcome(OutcomeKind.UNAUTHORIZED, error=text)
    if isinstance(error, TelegramNetworkError | TelegramServerError | OSError | TimeoutError):
        return SendOutcome(OutcomeKind.TRANSIENT, error=text)
    if isinstance(error, TelegramBadRequest | TelegramNotFound):
        # "chat not found", "message is too long", ...: resending cannot help.
        return SendOutcome(OutcomeKind.FAILED, error=text)
    return SendOutcome(OutcomeKind.FAILED, error=f"{type(error).__name__}: {text}")


class TelegramSender:
    """`MessageSender` over an aiogram Bot."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._file_ids: dict[str, str] = {}

    async def send(self, message: OutgoingMessage) -> SendOutcome:
        try:
            sent = await send_outgoing(
                self._bot, message, file_ids=self._file_ids, request_timeout=SEND_TIMEOUT_SECONDS
            )
        except FileNotFoundError as error:
            return SendOutcome(OutcomeKind.FAILED, error=f"attachment missing: {error}")
        except Exception as error:
            return classify(error)
        return SendOutcome(OutcomeKind.SENT, telegram_message_id=sent.message_id)

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        try:
            await self._bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id)
        except (TelegramBadRequest, TelegramRetryAfter) as error:
            # "message is not modified", a deleted status message, and a 429 (the next edit
            # shows the progress anyway) are all harmless.
            log.debug(
                "status message %s/%s not edited: %s", logged_user(chat_id), message_id, error
            )
