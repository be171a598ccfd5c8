"""An HEC admin changes the tracks in the chat: the current file comes back to edit, a broken
one is refused with its lines, a good one is used at once; learners cannot upload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.services.course_tracks import DEFAULT_TRACKS_PATH
from tests.e2e.harness import BotHarness, Learner
from tests.fakebotapi import FakeTelegram
from tests.surveys.factories import add_learners

ADMIN, LEARNER = 5101, 5103


@pytest.fixture
async def bot_world(settings: Settings) -> AsyncIterator[tuple[FakeTelegram, BotHarness]]:
    async with FakeTelegram() as fake:
        running = BotHarness(fake, settings)
        services = await running.start()
        past = datetime.now(UTC) - timedelta(days=3)
        await add_learners(services.database, [ADMIN], created_at=past, role="admin")
        await add_learners(services.database, [LEARNER], created_at=past, university_id=2)
        try:
            yield fake, running
        finally:
            await running.stop()


async def upload(fake: FakeTelegram, admin: Learner, source: str) -> None:
    before = len(fake.requests("sendMessage", chat_id=admin.id))
    fake.push_message(admin.id, document=(source.encode("utf-8"), "tracks.yaml"))
    await fake.wait_for(
        "sendMessage", lambda r: r.chat_id == admin.id, count=before + 1, timeout=10
    )


async def test_admin_replaces_the_tracks_and_the_running_bot_uses_them(
    bot_world: tuple[FakeTelegram, BotHarness],
) -> None:
    fake, running = bot_world
    admin = Learner(fake, ADMIN)
    before = len(fake.requests("sendDocument"))
    fake.push_message(ADMIN, "/tracks_upload")
    await fake.wait_for("sendDocument", count=before + 1, timeout=10)

    shipped = DEFAULT_TRACKS_PATH.read_text(encoding="utf-8")
    broken = shipped.replace(
        "https://www.coursera.org/learn/excel-essentials", "https://example.org/no-such-course", 1
    )
    await upload(fake, admin, broken)
    assert "problem(s)" in admin.last_text
    line = 1 + shipped.splitlines().index("      - https://www.coursera.org/learn/excel-essentials")
    assert f"line {line}:" in admin.last_text and "not in the catalogue" in admin.last_text

    await upload(fake, admin, shipped.replace("title: Data Analysis", "title: Data Skills", 1))
    assert "Saved 8 tracks" in admin.last_text
    assert running.services is not None
    courses = running.services.courses
    titles = [view.track.title for view in await courses.tracks()]
    assert "Data Skills" in titles


async def test_learners_cannot_upload_tracks(bot_world: tuple[FakeTelegram, BotHarness]) -> None:
    fake, _ = bot_world
    assert "not allowed" in await Learner(fake, LEARNER).say("/tracks_upload")
