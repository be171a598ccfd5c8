"""Fake Telegram Bot API server for hecbot's end-to-end tests and benchmarks.

async with FakeTelegram() as tg:
    bot = tg.make_bot()
    tg.push_message(1001, "/start")
    reply = (await tg.wait_for("sendMessage"))[0]
"""

from tests.fakebotapi.formatting import EntityParseError, ParsedText, parse_html, parse_text
from tests.fakebotapi.models import (
    ChatMessage,
    ChatStatus,
    RateLimit,
    RecordedRequest,
    UploadedFile,
    UserFile,
    WebhookDelivery,
)
from tests.fakebotapi.server import DEFAULT_TOKEN, FakeTelegram

__all__ = [
    "DEFAULT_TOKEN",
    "ChatMessage",
    "ChatStatus",
    "EntityParseError",
    "FakeTelegram",
    "ParsedText",
    "RateLimit",
    "RecordedRequest",
    "UploadedFile",
    "UserFile",
    "WebhookDelivery",
    "parse_html",
    "parse_text",
]
