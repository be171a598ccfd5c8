"""Edited messages: a learner's question corrected soon after it was sent is asked again."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import Message

from bot.services.questions import answers_an_edit
from bot.services.users import UserProfile


def an_edited_question(message: Message, user: UserProfile | None = None) -> bool:
    """A learner's own recent message, edited: not a reply (a ticket's answer), not before
    onboarding, not long after it was sent. The routers add: outside any conversation's step
    (a form's step is never run twice), text, not a command."""
    return (
        user is not None
        and user.onboarded_at is not None
        and message.reply_to_message is None
        and message.edit_date is not None
        and answers_an_edit(message.date, datetime.fromtimestamp(message.edit_date, UTC))
    )
