"""Raw Telegram ids never reach a log line (issue 13, item 9): the salted hash does.

The flows that log who did what (roles, tickets, FAQ review, broadcasts and their delivery,
refusals) run end to end against the fake Bot API with every hecbot logger at DEBUG; no record
may carry a participant's id, in its message, its arguments or its traceback. A new log line
that prints an id fails here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.errors import NotAllowedError
from bot.logging_setup import hash_user_id, logged_user, set_log_salt, tune_library_loggers
from bot.services.audience import Audience
from bot.services.broadcast_drafts import BroadcastDraft
from bot.services.permissions import Actor
from bot.storage.models import Role
from bot.storage.types import utcnow
from tests.e2e.people.conftest import ADMIN, PeopleBot
from tests.e2e.people.test_people_story import invite_link

# Long, distinctive ids: one of them in a log line cannot be a coincidence.
FOCAL, LEARNER, STRANGER = 7_301_552_201, 7_301_552_202, 7_301_552_203
QUESTION = "Can I pause my licence during my exams?"


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG from hecbot's own code, libraries at production's levels."""
    caplog.set_level(logging.DEBUG)
    libraries = ("chromadb", "httpx", "aiogram.event", "alembic", "aiosqlite", "aiogram.utils")
    saved = {
        name: logging.getLogger(name).level
        for name in (*libraries, "sqlalchemy.engine", "sqlalchemy.pool")
    }
    tune_library_loggers(logging.DEBUG)
    try:
        yield caplog
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def leaks(records: list[logging.LogRecord], ids: tuple[int, ...]) -> list[str]:
    pattern = re.compile(r"(?<!\d)(" + "|".join(str(i) for i in ids) + r")(?!\d)")
    found = []
    for record in records:
        parts = [record.getMessage(), repr(record.args)]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if any(pattern.search(part) for part in parts):
            found.append(f"{record.name}: {record.getMessage()}")
    return found


def test_a_logged_user_is_its_salted_hash() -> None:
    set_log_salt("deployment-salt")
    assert f"{logged_user(LEARNER)}" == hash_user_id(LEARNER, "deployment-salt")
    assert str(LEARNER) not in f"{logged_user(LEARNER)} {logged_user(LEARNER)!r}"
    assert str(logged_user(None)) == "-"


async def test_no_flow_logs_a_raw_telegram_id(
    people_bot: PeopleBot, records: pytest.LogCaptureFixture
) -> None:
    people = people_bot
    # Roles: an admin invites a focal person, who redeems the invite; a stale invite is refused.
    await people.onboard_staff(ADMIN)
    token = await invite_link(people)
    await people.onboard_staff(FOCAL, f"/start {token}")
    await people.send(STRANGER, f"/start {token}", expect=2)
    await people.onboard(LEARNER, "comsats")

    # Tickets: the learner's question goes to the focal person, who answers by replying.
    [abstained] = await people.send(LEARNER, QUESTION)
    await people.press(LEARNER, abstained, people.button(abstained, "esc:"))
    await people.until(lambda: "🎫" in (people.messages(FOCAL)[-1].text or ""), "ticket")
    ticket = people.messages(FOCAL)[-1]
    [sent] = await people.send(FOCAL, "Yes, before the 1st.", reply_to_message_id=ticket.message_id)

    # FAQ: the answer becomes a draft; a learner's forged approval is refused; the admin
    # approves it.
    await people.press(FOCAL, sent, people.button(sent, "faq:add"), expect=0)
    [_, draft, _] = await people.send(ADMIN, "/faq", expect=3)
    approve = people.button(draft, "faq:approve")
    await people.press(LEARNER, draft, approve, expect=0, check_button=False)
    assert "not allowed" in people.last_alert()
    await people.press(ADMIN, draft, approve, expect=0)

    # Delivery: a focal person may not address the whole country; their own university's
    # broadcast is queued and delivered by the worker, with a report to them.
    focal = Actor(id=FOCAL, role=Role.FOCAL_PERSON, university_id=await _university(people))
    with pytest.raises(NotAllowedError):
        await people.services.broadcasts.create(
            focal, BroadcastDraft(audience=Audience(), text_en="To everyone")
        )
    summary = await people.services.broadcasts.create(
        focal,
        BroadcastDraft(
            audience=Audience(universities=frozenset({focal.university_id or 0})),
            text_en="Exam week: the library opens at 8.",
        ),
        send_at=utcnow() - timedelta(seconds=1),
    )
    [status] = await people.send(FOCAL, "/help")
    await people.services.broadcasts.watch(
        summary.id, chat_id=FOCAL, message_id=status.message_id, language="en"
    )
    await people.until(
        lambda: any("library opens" in (m.text or "") for m in people.messages(LEARNER)),
        "the broadcast reaches the learner",
    )

    # Roles again: the admin revokes the focal person, who then presses an admin button.
    [_, line] = await people.send(ADMIN, "/focals", expect=2)
    revoke = people.button(line, "fp:revoke")
    await people.press(ADMIN, line, revoke, expect=0)
    [anchor] = await people.send(FOCAL, "/help")
    await people.press(FOCAL, anchor, revoke, expect=0, check_button=False)

    logged = records.records
    assert logged, "nothing was logged: the test would prove nothing"
    assert any("by user" in record.getMessage() for record in logged)
    assert leaks(logged, (FOCAL, LEARNER, STRANGER, ADMIN)) == []


async def _university(people: PeopleBot) -> int | None:
    profile = await people.services.users.get_or_create(FOCAL)
    return profile.university_id
