"""How services get the buttons of the messages they queue: a `Buttons` renderer that the
Telegram layer supplies at start-up (handlers/buttons.py), so callback formats stay with the
handlers that answer them. Services hand the outbox plain dicts and never build callback data.
"""

from __future__ import annotations

from typing import Any, Protocol

# An inline keyboard as the outbox stores it (`InlineKeyboardMarkup.model_dump(...)`).
Keyboard = dict[str, Any]


class Buttons(Protocol):
    def webinar(self, webinar_id: int, language: str) -> Keyboard:
        """A webinar notice's "I'll attend" and "Add to calendar"."""
        ...

    def survey_start(self, wave_id: int, language: str, *, resume: bool = False) -> Keyboard:
        """A survey invitation's "Start" (or, in the reminder, "Continue")."""
        ...
