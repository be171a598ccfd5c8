"""A survey with a close date says until when it is open, in Pakistan time, with Urdu dates for
Urdu readers; the close date is the end of that day in Pakistan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel.dates import get_month_names

from bot.config import Settings
from bot.services.survey_definitions import parse_survey
from tests.e2e.harness import BotHarness
from tests.fakebotapi import FakeTelegram
from tests.surveys.factories import add_learners

ENGLISH, URDU = 7201, 7202


def survey(closes: str) -> str:
    return (
        "id: dated\nversion: 1\ntitle: {en: Dated, ur: تاریخ والا}\n"
        f"closes_at: {closes}\n"
        "questions:\n  - {id: q1, type: yes_no, text: {en: 'Agree?', ur: 'متفق؟'}}\n"
    )


async def test_invitations_say_until_when_the_survey_is_open(settings: Settings) -> None:
    closes = (datetime.now(UTC) + timedelta(days=40)).date()
    async with FakeTelegram() as fake:
        running = BotHarness(fake, settings)
        services = await running.start()
        try:
            for user_id in (ENGLISH, URDU):
                fake.add_user(user_id)
            created = datetime.now(UTC) - timedelta(days=1)
            await add_learners(services.database, [ENGLISH], created_at=created)
            await add_learners(services.database, [URDU], created_at=created, language="ur")
            await services.surveys.add_survey(survey(closes.isoformat()))
            await services.surveys.start_waves("dated")
            assert await running.invite() == 2
        finally:
            await running.stop()
    english = fake.last_message_to(ENGLISH)
    urdu = fake.last_message_to(URDU)
    assert english is not None and urdu is not None
    month_en = get_month_names("abbreviated", locale="en")[closes.month]
    month_ur = get_month_names("wide", locale="ur")[closes.month]
    assert f"Open until {closes:%a} {closes.day} {month_en} {closes.year}, 23:59 PKT" in (
        english.text or ""
    )
    assert f"{closes.day} {month_ur} {closes.year}" in (urdu.text or "")
    assert "پاکستانی وقت" in (urdu.text or "") and "تک کھلا ہے" in (urdu.text or "")


def test_a_close_date_is_the_end_of_that_day_in_pakistan() -> None:
    definition = parse_survey(survey("2027-06-30"))
    assert definition.closes_at == datetime(2027, 6, 30, 18, 59, 59, tzinfo=UTC)
