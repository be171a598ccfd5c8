"""A real SMTP server on loopback (aiosmtpd) and the licence services on a real database."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from bot.config import SMTPSettings
from bot.delivery import Outbox
from bot.i18n import Catalogue
from bot.services.licences_nudges import NudgeService
from bot.storage.db import Database
from handlers.buttons import TelegramButtons
from tests.bounded import call_bounded

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


# aiosmtpd's default of 1 s for its server to start failed on a loaded machine.
SMTP_READY_SECONDS = 30.0
# `Controller.stop` joins the server's thread without a bound (and from Python 3.12 that thread
# waits for every client connection to close).
SMTP_STOP_SECONDS = 30.0


def start_smtp_server(recorder: MailRecorder) -> tuple[Any, int]:
    """aiosmtpd's threaded server on a loopback socket bound here, so no other test process can
    take its port between choosing it and serving it (as a free port closed and bound again
    can be); returns the controller and the port."""
    from aiosmtpd.controller import Controller

    class BoundController(Controller):  # type: ignore[misc]
        def __init__(self, sock: socket.socket) -> None:
            host, port = sock.getsockname()
            super().__init__(recorder, hostname=host, port=port, ready_timeout=SMTP_READY_SECONDS)
            self.sock = sock

        # aiosmtpd's documented override point for how the server listens.
        def _create_server(self) -> Any:
            return self.loop.create_server(self._factory_invoker, sock=self.sock)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    controller = BoundController(sock)
    try:
        controller.start()
    except BaseException:
        call_bounded(lambda: controller.stop(no_assert=True), SMTP_STOP_SECONDS, "the SMTP server")
        sock.close()
        raise
    return controller, int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[SMTPSettings, MailRecorder]]:
    recorder = MailRecorder()
    controller, port = start_smtp_server(recorder)
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
        call_bounded(controller.stop, SMTP_STOP_SECONDS, "stopping the SMTP server")


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
