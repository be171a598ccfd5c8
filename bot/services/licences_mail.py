"""Outgoing e-mail: the one-time codes that verify a university address.

With SMTP configured, mail goes through aiosmtplib (async: the bot's event loop never blocks on
a slow mail server). Without it, each mail is written as an .eml file to a folder in the data
dir, so a development install works and an operator can read what would have been sent.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from bot.config import SMTPSettings
from bot.errors import ServiceUnavailableError

log = logging.getLogger(__name__)


class Mailer(Protocol):
    async def send(
        self, *, to: str, subject: str, body: str, user_id: int | None = None
    ) -> None: ...


def _message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(body)
    return message


class SmtpMailer:
    """Sends through an SMTP server (STARTTLS or implicit TLS, optional login)."""

    def __init__(self, settings: SMTPSettings) -> None:
        assert settings.host
        self._settings = settings

    async def send(self, *, to: str, subject: str, body: str, user_id: int | None = None) -> None:
        import aiosmtplib

        settings = self._settings
        message = _message(settings.sender, to, subject, body)
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=settings.password.get_secret_value() if settings.password else None,
                start_tls=settings.starttls and not settings.use_tls,
                use_tls=settings.use_tls,
                timeout=settings.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("mail to the SMTP server failed: %s", type(error).__name__)
            raise ServiceUnavailableError(f"mail server unavailable: {error}") from error


class FolderMailer:
    """Writes each mail as `<timestamp>-<n>.eml` into a folder (no SMTP configured).

    A mail for a person goes into a sub-folder named by their Telegram id, so /forget removes it
    with their other files (`USER_FILES` in bot/storage/personal_data.py).
    """

    def __init__(self, directory: Path, sender: str = "hecbot@localhost") -> None:
        self.directory = directory
        self._sender = sender
        self._count = 0

    async def send(self, *, to: str, subject: str, body: str, user_id: int | None = None) -> None:
        directory = self.directory if user_id is None else self.directory / str(user_id)
        directory.mkdir(parents=True, exist_ok=True)
        self._count += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = directory / f"{stamp}-{self._count}.eml"
        path.write_bytes(bytes(_message(self._sender, to, subject, body)))


def build_mailer(settings: SMTPSettings, data_dir: Path) -> Mailer:
    if settings.host:
        return SmtpMailer(settings)
    return FolderMailer(data_dir / "outgoing-mail", settings.sender)
