"""Survey button data stays within Telegram's limits (migrations: tests/integration)."""

from __future__ import annotations

from bot.i18n import Catalogue
from bot.services.survey_definitions import MAX_OPTIONS
from handlers.buttons import TelegramButtons
from handlers.surveys import SurveyButton, SurveyStart


def test_button_data_fits_in_64_bytes_at_the_limits() -> None:
    longest = SurveyButton(s="x" * 24, v=999, q=99, a="t", o=(1 << MAX_OPTIONS) - 1).pack()
    assert len(longest.encode("utf-8")) <= 64
    assert SurveyButton.unpack(longest).o == 4095


def test_invitation_button_data_matches_the_handler_factory() -> None:
    [[start]] = TelegramButtons(Catalogue.load()).survey_start(12345, "ur")["inline_keyboard"]
    assert SurveyStart.unpack(start["callback_data"]) == SurveyStart(wave=12345)
