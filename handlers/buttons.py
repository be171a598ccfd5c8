"""The Telegram layer's `Buttons` (bot/services/buttons.py): keyboards for the messages services
queue, built with the callback factories of the handlers that answer the presses."""

from __future__ import annotations

from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Catalogue
from bot.services.buttons import Keyboard
from handlers.broadcast_callbacks import webinar_keyboard
from handlers.surveys import SurveyStart


class TelegramButtons:
    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    def webinar(self, webinar_id: int, language: str) -> Keyboard:
        return webinar_keyboard(self._catalogue, webinar_id, language)

    def survey_start(self, wave_id: int, language: str, *, resume: bool = False) -> Keyboard:
        key = "survey-continue-button" if resume else "survey-start-button"
        builder = InlineKeyboardBuilder()
        builder.button(
            text=self._catalogue.text(language, key), callback_data=SurveyStart(wave=wave_id)
        )
        return builder.as_markup().model_dump(exclude_none=True)
