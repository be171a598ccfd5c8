"""An HEC admin imports a catalogue in the chat: a clean CSV is imported (and embedded) and the
running bot recommends its new course at once; a CSV with a bad row is refused with its line
and changes nothing; learners cannot upload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services.courses import CourseService
from bot.telegram.container import AppServices, build_answerer
from tests.courses.factories import HashingEmbedder, course_row, write_csv
from tests.e2e.harness import BotHarness, Learner, onboarded_learner
from tests.fakebotapi import FakeTelegram
from tests.fakebotapi.fixtures import fake_telegram
from tests.surveys.factories import add_learners

__all__ = ["fake_telegram"]

ADMIN, LEARNER = 7_100_000_501, 7_100_000_503
BEES_URL = "https://www.coursera.org/learn/beekeeping-for-beginners"


@dataclass
class World:
    fake: FakeTelegram
    courses: CourseService


@pytest.fixture
async def world(fake_telegram: FakeTelegram, settings: Settings) -> AsyncIterator[World]:
    # The hashing embedder stands in for e5, as in the other course tests.
    courses: list[CourseService] = []

    async def prepare(services: AppServices) -> None:
        services.courses = CourseService(services.database, embedder=HashingEmbedder())
        await services.courses.ensure_catalogue()
        past = datetime.now(UTC) - timedelta(days=3)
        await add_learners(services.database, [ADMIN], created_at=past, role="admin")
        await onboarded_learner(services.database, LEARNER)
        courses.append(services.courses)

    harness = BotHarness(
        fake_telegram, settings, answerer=build_answerer(settings), prepare=prepare, worker=False
    )
    async with harness:
        yield World(fake_telegram, courses[0])


def bees_csv(tmp_path: Path, **bad: str) -> bytes:
    rows = [
        course_row(
            1,
            course_title="Beekeeping for Beginners",
            course_url=BEES_URL,
            course_skills="['Beekeeping', 'Apiculture', 'Honey Production']",
            course_summary="['Keep bees: hives, colonies, honey harvesting and beekeeping.']",
        ),
        course_row(2, **bad),
    ]
    return write_csv(tmp_path / "catalogue.csv", rows).read_bytes()


async def upload(fake: FakeTelegram, data: bytes, *, replies: int) -> str:
    before = len(fake.requests("sendMessage", chat_id=ADMIN))
    fake.push_message(ADMIN, "/catalogue_upload")
    await fake.wait_for("sendMessage", lambda r: r.chat_id == ADMIN, count=before + 1, timeout=10)
    fake.push_message(ADMIN, document=(data, "catalogue.csv"))
    await fake.wait_for(
        "sendMessage", lambda r: r.chat_id == ADMIN, count=before + 1 + replies, timeout=30
    )
    return Learner(fake, ADMIN).last_text


async def test_a_clean_catalogue_is_imported_and_recommended_without_a_restart(
    world: World, tmp_path: Path
) -> None:
    before = await world.courses.count()
    learner = Learner(world.fake, LEARNER)
    assert "Beekeeping for Beginners" not in await learner.say("which course for beekeeping?")

    done = await upload(world.fake, bees_csv(tmp_path), replies=2)
    assert "2 course(s) added, 0 changed" in done and "none removed" in done
    assert await world.courses.count() == before + 2

    assert "Beekeeping for Beginners" in await learner.say("which course for beekeeping?")


async def test_a_bad_row_is_refused_with_its_line_and_nothing_is_imported(
    world: World, tmp_path: Path
) -> None:
    before = await world.courses.count()
    data = bees_csv(tmp_path, course_url="")  # the second course (file line 3) has no URL
    refused = await upload(world.fake, data, replies=2)
    assert "was not changed: 1 row(s)" in refused
    assert "line 3:" in refused
    assert await world.courses.count() == before
    assert BEES_URL not in {course.url for course in await world.courses.courses()}


async def test_a_file_too_big_is_refused_with_the_limit(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("handlers.catalogue_upload.MAX_CATALOGUE_FILE_BYTES", 1024 * 1024)
    big = bees_csv(tmp_path, course_summary="x" * (1024 * 1024))
    refused = await upload(world.fake, big, replies=1)
    assert "too big: the limit here is 1 MB" in refused
    assert BEES_URL not in {course.url for course in await world.courses.courses()}


async def test_learners_cannot_upload_a_catalogue(world: World) -> None:
    assert "not allowed" in await Learner(world.fake, LEARNER).say("/catalogue_upload")


async def test_a_file_in_another_layout_is_refused_naming_the_missing_columns(
    world: World, tmp_path: Path
) -> None:
    before = await world.courses.count()
    other = write_csv(
        tmp_path / "other.csv", [{"name": "Beekeeping", "link": BEES_URL}], header=["name", "link"]
    ).read_bytes()
    refused = await upload(world.fake, other, replies=2)
    assert "The catalogue was not changed" in refused and "course_url" in refused
    assert await world.courses.count() == before


async def test_a_file_not_in_utf8_is_refused_and_utf16_with_its_mark_is_read(
    world: World, tmp_path: Path
) -> None:
    """A cp1252 (or any non-UTF-8) upload was read as cp1252 or Latin-1, and a UTF-16 one
    (Excel's "Unicode text") too: its header "ÿþc\\x00o..." named no column. The first is
    refused with how to save it; the second is read."""
    before = await world.courses.count()
    row = course_row(1, course_title="Gestión de Proyectos – Básico", course_url=BEES_URL)
    windows = write_csv(tmp_path / "win.csv", [row], encoding="cp1252").read_bytes()
    refused = await upload(world.fake, windows, replies=2)
    assert "not UTF-8" in refused and "Save it as UTF-8" in refused
    assert await world.courses.count() == before

    unicode = write_csv(tmp_path / "unicode.csv", [row], encoding="utf-16").read_bytes()
    assert unicode[:2] == b"\xff\xfe"
    done = await upload(world.fake, unicode, replies=2)
    assert "1 course(s) added" in done
    titles = {course.url: course.title for course in await world.courses.courses()}
    assert titles[BEES_URL] == "Gestión de Proyectos – Básico"


async def test_a_course_question_corrected_by_editing_it_is_answered_again(
    world: World, tmp_path: Path
) -> None:
    """An edited course question went nowhere (edited messages were not received)."""
    await upload(world.fake, bees_csv(tmp_path), replies=2)
    learner = Learner(world.fake, LEARNER)
    await learner.say("which course for cooking?")
    [own] = [m for m in world.fake.history(LEARNER) if not m.from_bot][-1:]
    before = len(world.fake.requests("sendMessage", chat_id=LEARNER))
    world.fake.push_edit(LEARNER, own.message_id, "which course for beekeeping?", after_seconds=20)
    await world.fake.wait_for(
        "sendMessage", lambda r: r.chat_id == LEARNER, count=before + 1, timeout=30
    )
    assert "Beekeeping for Beginners" in learner.last_text
