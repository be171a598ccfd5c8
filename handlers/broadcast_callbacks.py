"""Callback data of the broadcast conversation and of webinar notices (ids and codes only)."""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Catalogue


class BroadcastAudienceChoice(CallbackData, prefix="bca"):
    """An audience pick: kind is everyone|university|city|role; value an id or a role code."""

    kind: str
    value: str = ""


class BroadcastStep(CallbackData, prefix="bcs"):
    """skip|yes|no during composing; send|schedule|discard at the preview."""

    action: str


class BroadcastManage(CallbackData, prefix="bcm"):
    action: str
    broadcast_id: int


class WebinarAction(CallbackData, prefix="wbn"):
    """On a learner's notice: rsvp or ics."""

    action: str
    webinar_id: int


def webinar_keyboard(catalogue: Catalogue, webinar_id: int, language: str) -> dict[str, Any]:
    """The notice's buttons as a plain dict, for the outbox."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=catalogue.text(language, "broadcast-button-attend"),
        callback_data=WebinarAction(action="rsvp", webinar_id=webinar_id),
    )
    builder.button(
        text=catalogue.text(language, "broadcast-button-calendar"),
        callback_data=WebinarAction(action="ics", webinar_id=webinar_id),
    )
    return builder.as_markup().model_dump(exclude_none=True)
