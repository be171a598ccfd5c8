"""Who may receive a message they did not ask for (a notice, a survey, a reminder).

Only people who accepted the privacy notice, finished the first steps and have not blocked the
bot. Every audience query (broadcasts and their previews' counts, survey invitations and
reminders, webinar reminders) adds these conditions, so the rule is written once.
"""

from __future__ import annotations

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from bot.storage.models import User


def contactable() -> list[ColumnElement[bool]]:
    """SQL conditions on `users` for a person the bot may contact unasked."""
    return [
        col(User.is_blocked).is_(False),
        col(User.privacy_accepted_at).is_not(None),
        col(User.onboarded_at).is_not(None),
    ]
