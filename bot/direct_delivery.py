"""A stand-in for the delivery Outbox until `bot/delivery/` is merged: sends at once.

It has `Outbox.enqueue_job`'s signature so the ticket service cannot tell the difference, but it
is neither persistent nor rate-limited: replace it with `Outbox(database).enqueue_job` when the
delivery package lands (bot/telegram/container.py, one line). Blocked recipients are marked
unreachable, as the Outbox worker does, so the next `TicketService.run_due` reroutes their tickets.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import FSInputFile, InlineKeyboardMarkup

from bot.services.users import UserService

log = logging.getLogger(__name__)


class DirectDelivery:
    def __init__(self, users: UserService) -> None:
        self._users = users
        self._bot: Bot | None = None
        self._job_ids = itertools.count(1)

    def bind(self, bot: Bot) -> None:
        """The Bot exists only once the dispatcher runs; handlers bind it on each update."""
        self._bot = bot

    async def enqueue_job(
        self,
        *,
        kind: str,
        reference: str | None,
        messages: Iterable[Any],
        created_by: int | None = None,
        priority: int = 0,
        not_before: datetime | None = None,
    ) -> int:
        job_id = next(self._job_ids)
        if self._bot is None:
            log.error("job %s (%s %s) dropped: no bot bound yet", job_id, kind, reference)
            return job_id
        for message in messages:
            await self._send(self._bot, message)
        return job_id

    async def _send(self, bot: Bot, message: Any) -> None:
        markup = (
            InlineKeyboardMarkup.model_validate(message.reply_markup)
            if message.reply_markup
            else None
        )
        try:
            if message.photo_path:
                await bot.send_photo(
                    message.chat_id,
                    FSInputFile(message.photo_path),
                    caption=message.text or None,
                    reply_markup=markup,
                )
            elif message.document_path:
                await bot.send_document(
                    message.chat_id,
                    FSInputFile(message.document_path),
                    caption=message.text or None,
                    reply_markup=markup,
                )
            else:
                await bot.send_message(message.chat_id, message.text, reply_markup=markup)
        except TelegramForbiddenError:
            await self._users.mark_unreachable(message.chat_id)
            log.info("chat %s blocked the bot", message.chat_id)
        except TelegramAPIError as error:
            log.warning("could not send to chat %s: %s", message.chat_id, error)
