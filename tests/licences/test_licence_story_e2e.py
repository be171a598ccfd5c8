"""A learner's licence story end to end: the real bot against the fake Bot API, codes mailed
through a real SMTP server on loopback, Coursera reports imported by the CLI's service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.config import Settings
from bot.container import AppServices
from bot.services.licences_intakes import IntakeService
from tests.e2e.harness import Learner
from tests.factories import make_user
from tests.fakebotapi import FakeTelegram
from tests.licences.conftest import MailRecorder
from tests.licences.test_intakes_and_applying import open_intake_source
from tests.surveys.harness import RunningBot

ALI = 8101


@dataclass
class World:
    fake: FakeTelegram
    running: RunningBot
    services: AppServices
    mails: MailRecorder


@pytest.fixture
async def world(settings: Settings, smtp_server) -> AsyncIterator[World]:
    smtp, mails = smtp_server
    settings.smtp = smtp
    async with FakeTelegram() as fake:
        running = RunningBot(fake, settings)
        services = await running.start()
        await IntakeService(services.database).add(open_intake_source())
        try:
            yield World(fake, running, services, mails)
        finally:
            await running.stop()


async def test_apply_verify_and_submit(world: World) -> None:
    world.fake.add_user(ALI)
    await make_user(world.services.database, ALI, learner_kind="faculty")
    ali = Learner(world.fake, ALI)

    intro, first = await ali.says("/apply", replies=2)
    assert "Apply for a Coursera licence" in intro.text
    assert "HEC-recognised" in first.text
    (second,) = await ali.presses(first, "Yes", replies=1)
    assert "another programme" in second.text
    (domains,) = await ali.presses(second, "No", replies=1)
    assert "priority areas" in domains.text
    await ali.presses(domains, "Artificial intelligence")
    (ask_email,) = await ali.presses(domains, "Done", replies=1)
    assert "edu.pk" in ask_email.text
    (refused,) = await ali.says("ali@gmail.com")
    assert "not a university e-mail" in refused.text
    (sent,) = await ali.says("ali@qau.edu.pk")
    assert "ali@qau.edu.pk" in sent.text
    (wrong,) = await ali.says("12345x")
    assert "not right" in wrong.text
    verified, tracks = await ali.says(world.mails.last_code(), replies=2)
    assert "verified" in verified.text
    await ali.presses(tracks, "Data Analysis")
    await ali.presses(tracks, "Cloud Computing")
    await ali.presses(tracks, "Web Development")  # a third is refused: max_tracks is 2
    (confirm,) = await ali.presses(tracks, "Done", replies=1)
    assert "Data Analysis, Cloud Computing" in confirm.text
    (done,) = await ali.presses(confirm, "Submit", replies=1)
    assert "is submitted" in done.text

    (status,) = await ali.says("/mylicence")
    assert "waiting for HEC" in status.text
    (again,) = await ali.says("/apply")
    (withdrawn,) = await ali.presses(again, "Withdraw", replies=1)
    assert "withdrawn" in withdrawn.text
    _intro, first = await ali.says("/apply", replies=2)
    assert "HEC-recognised" in first.text
    (bye,) = await ali.says("/cancel")
    assert "Cancelled" in bye.text or "stopped" in bye.text.lower()
