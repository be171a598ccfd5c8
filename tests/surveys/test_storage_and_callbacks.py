"""Button data stays within Telegram's limits (the surveys migration is in the one stairway,
tests/integration/test_migrations.py)."""

from __future__ import annotations

from bot.services.survey_definitions import MAX_OPTIONS
from bot.services.surveys import start_callback_data
from handlers.surveys import SurveyButton, SurveyStart


def test_button_data_fits_in_64_bytes_at_the_limits() -> None:
    longest = SurveyButton(s="x" * 24, v=999, q=99, a="t", o=(1 << MAX_OPTIONS) - 1).pack()
    assert len(longest.encode("utf-8")) <= 64
    assert SurveyButton.unpack(longest).o == 4095


def test_invitation_button_data_matches_the_handler_factory() -> None:
    assert SurveyStart(wave=12345).pack() == start_callback_data(12345)
