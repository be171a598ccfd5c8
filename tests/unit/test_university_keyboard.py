"""The universities as buttons to pick from (a broadcast's audience, a focal person's invite or
move, onboarding): one builder, a row a university, named as the reader reads."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot.services.universities import UniversityInfo
from handlers.people_callbacks import InviteFor, UniversityPick
from handlers.rendering import UNIVERSITY_BUTTON_CHARACTERS, university_keyboard

LONG_NAME = UniversityInfo(
    id=4,
    code="QAU",
    name="Quaid-i-Azam University Institute of Distance and Continuing Professional Education",
    name_ur="",
    short_name="QAU",
    city="Islamabad",
    sector="Public",
)
PUNJAB = UniversityInfo(
    id=9,
    code="PU",
    name="University of the Punjab",
    name_ur="جامعہ پنجاب",
    short_name="PU",
    city="Lahore",
    sector="Public",
)


def rows(markup: InlineKeyboardMarkup) -> list[list[tuple[str, str | None]]]:
    return [
        [(button.text, button.callback_data) for button in row] for row in markup.inline_keyboard
    ]


def test_each_university_is_a_row_named_in_the_readers_language_and_cut_to_fit() -> None:
    markup = university_keyboard(
        [LONG_NAME, PUNJAB], "ur", lambda university_id: InviteFor(university_id=university_id)
    )
    assert rows(markup) == [
        [(LONG_NAME.display_name("ur")[:UNIVERSITY_BUTTON_CHARACTERS], "inv:4")],
        [("جامعہ پنجاب (Lahore)", "inv:9")],
    ]
    assert len(LONG_NAME.display_name("ur")) > UNIVERSITY_BUTTON_CHARACTERS


def test_the_last_button_goes_under_the_universities() -> None:
    markup = university_keyboard(
        [PUNJAB],
        "en",
        lambda university_id: UniversityPick(university_id=university_id),
        last=("None of these", UniversityPick(university_id=0)),
    )
    assert rows(markup) == [
        [("University of the Punjab (Lahore)", "obu:9")],
        [("None of these", "obu:0")],
    ]
