"""A real SMTP server on loopback (aiosmtpd) and the licence services on a real database."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest

from bot.config import SMTPSettings
from bot.delivery import Outbox
from bot.i18n import Catalogue
from bot.services.licences_nudges import NudgeService
from bot.storage.db import Database
from handlers.buttons import TelegramButtons

EXAMPLE_INTAKE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "intake.yaml"


@dataclass
class MailRecorder:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def last_code(self) -> str:
        import re

        body = self.messages[-1].get_payload(decode=True).decode()
        found = re.search(r"\b(\d{6})\b", body)
        assert found, body
        return found.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[SMTPSettings, MailRecorder]]:
    from aiosmtpd.controller import Controller

    recorder = MailRecorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield (
            SMTPSettings(
                host="127.0.0.1",
                port=port,
                starttls=False,
                SMTP_FROM="hecbot@hec.example",
            ),  # type: ignore[call-arg]
            recorder,
        )
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture
def nudges(database: Database, catalogue: Catalogue) -> NudgeService:
    """The nudge service over the test's database, queueing on its outbox."""
    return NudgeService(database, Outbox(database), catalogue, buttons=TelegramButtons(catalogue))


def intake_source(**changes: str) -> str:
    """The example intake, with some `key: value` lines replaced."""
    text = EXAMPLE_INTAKE.read_text(encoding="utf-8")
    lines = text.splitlines()
    for key, value in changes.items():
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in lines]
    return "\n".join(lines) + "\n"
