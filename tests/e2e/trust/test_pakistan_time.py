"""Times are shown in Pakistan time, and Urdu texts use Urdu dates (the real dispatcher and
delivery worker against the fake Bot API)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from babel.dates import get_day_names, get_month_names
from sqlmodel import col, select

from bot.services.audience import Audience
from bot.services.broadcast_drafts import BroadcastDraft, WebinarDraft
from bot.services.permissions import Actor
from bot.storage.models import Role
from bot.storage.people_models import University
from tests.e2e.people.conftest import PeopleBot
from tests.factories import make_user

URDU_LEARNER, ENGLISH_LEARNER, FOCAL = 5101, 5102, 5103
ROOT = Path(__file__).resolve().parents[3]


def webinar_start() -> datetime:
    """Three days ahead at 20:30 UTC: 01:30 the next morning in Pakistan (UTC+5)."""
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    return datetime(day.year, day.month, day.day, 20, 30, tzinfo=UTC)


async def test_a_webinar_notice_shows_pakistan_time_and_urdu_dates_to_urdu_readers(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    database = people.services.database
    async with database.session() as session:
        university = (await session.exec(select(University).order_by(col(University.id)))).first()
    assert university is not None and university.id is not None
    for user_id in (URDU_LEARNER, ENGLISH_LEARNER, FOCAL):
        people.tg.add_user(user_id)
    await make_user(database, URDU_LEARNER, university_id=university.id, language="ur")
    await make_user(database, ENGLISH_LEARNER, university_id=university.id)
    await make_user(database, FOCAL, role=Role.FOCAL_PERSON, university_id=university.id)
    starts = webinar_start()
    await people.services.broadcasts.create(
        Actor(id=FOCAL, role=Role.FOCAL_PERSON, university_id=university.id),
        BroadcastDraft(
            audience=Audience(universities=frozenset({university.id})),
            text_en="Join our webinar",
            text_ur="ہمارے ویبینار میں شامل ہوں",
            webinar=WebinarDraft("Career skills", starts, 60, "https://meet.example.org/x"),
        ),
    )
    await people.until(
        lambda: bool(people.messages(URDU_LEARNER)) and bool(people.messages(ENGLISH_LEARNER)),
        "the notice reaches both learners",
    )
    local = starts + timedelta(hours=5)  # the next day, 01:30 in Pakistan
    urdu = people.messages(URDU_LEARNER)[-1].text or ""
    english = people.messages(ENGLISH_LEARNER)[-1].text or ""

    assert "01:30 PKT" in english and "20:30" not in english
    assert f"{local.day} {get_month_names('abbreviated', locale='en')[local.month]}" in english
    assert "01:30" in urdu and "20:30" not in urdu and "پاکستانی وقت" in urdu
    assert f"{local.day} {get_month_names('wide', locale='ur')[local.month]}" in urdu
    assert get_day_names("wide", locale="ur")[local.weekday()] in urdu
    assert not re.search(
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
        r"Sep|Oct|Nov|Dec)\b",
        urdu,
    )


def test_the_project_has_one_pakistan_zone() -> None:
    """Every time shown goes through bot.i18n's PAKISTAN_TIME; no second zone constant."""
    zones = []
    for folder in ("bot", "handlers", "knowledge"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"ZoneInfo\(|timezone\(timedelta", text):
                zones.append(str(path.relative_to(ROOT)))
    assert zones == ["bot/i18n.py"]
