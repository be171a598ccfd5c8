"""Structured logs: every line of an update carries its id and a user hash, never secrets.

The bot token and a learner's message text must not reach the log, even when handling fails.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.logging_setup import configure_logging, hash_user_id
from tests.e2e.harness import BotHarness, message_update
from tests.fakebotapi import DEFAULT_TOKEN

LEARNER_TEXT = "My CNIC is 35202-1234567-1 and my licence code ZXQ-PRIVATE-42 fails"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """hecbot's JSON logging into a buffer, at DEBUG; the previous handlers come back after."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {
        name: logging.getLogger(name).level
        for name in (
            "chromadb",
            "httpx",
            "aiogram.event",
            "aiosqlite",
            "sqlalchemy.engine",
            "sqlalchemy.pool",
            "aiogram.utils",
        )
    }
    buffer = io.StringIO()
    configure_logging("DEBUG", "json", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def json_lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


async def test_update_lines_carry_context_and_never_the_token_or_the_text(
    webhook_app: BotHarness, log_output: io.StringIO, settings: Settings
):
    user_id = 5_000_000_777
    # One answered question, one that fails inside the knowledge engine (logged with a
    # traceback), and a token-bearing line as aiogram's session writes on errors.
    await webhook_app.post(message_update(41, user_id, LEARNER_TEXT))
    await webhook_app.fake.wait_for("sendMessage", lambda r: r.chat_id == user_id)
    webhook_app.answerer.broken = RuntimeError("index closed")
    await webhook_app.post(message_update(42, user_id, LEARNER_TEXT + " again"))
    await webhook_app.fake.wait_for("sendMessage", lambda r: r.chat_id == user_id, count=2)
    logging.getLogger("aiogram.client").error(
        "request to https://api.telegram.org/bot%s/sendMessage failed", DEFAULT_TOKEN
    )

    output = log_output.getvalue()
    assert output, "nothing was logged"
    assert DEFAULT_TOKEN not in output
    assert DEFAULT_TOKEN.split(":", 1)[1] not in output
    assert "<token>" in output
    assert "ZXQ-PRIVATE-42" not in output
    assert "35202-1234567-1" not in output
    assert str(user_id) not in output

    lines = json_lines(log_output)
    expected_hash = hash_user_id(user_id, settings.user_hash_salt)
    engine_failure = [line for line in lines if "knowledge engine failed" in str(line["message"])]
    assert engine_failure, "the engine failure was not logged"
    assert engine_failure[0]["update_id"] == 42
    assert engine_failure[0]["user_hash"] == expected_hash
    assert "error" in engine_failure[0]  # the traceback, redacted
    during_updates = [line for line in lines if line.get("update_id") in (41, 42)]
    assert during_updates
    assert all(line["user_hash"] == expected_hash for line in during_updates)


def test_the_user_hash_is_salted_and_short():
    first = hash_user_id(5_000_000_777, "deployment-a")
    assert first == hash_user_id(5_000_000_777, "deployment-a")
    assert first != hash_user_id(5_000_000_777, "deployment-b")
    assert first != hash_user_id(5_000_000_778, "deployment-a")
    assert len(first) == 12
    assert "5000000777" not in first


def test_text_format_shows_the_context(log_output: io.StringIO):
    from bot.logging_setup import current_update_id, current_user_hash

    buffer = io.StringIO()
    configure_logging("INFO", "text", stream=buffer)
    update_token = current_update_id.set(99)
    user_token = current_user_hash.set("abcdef012345")
    try:
        logging.getLogger("hecbot.test").info("handled with %s", DEFAULT_TOKEN)
    finally:
        current_update_id.reset(update_token)
        current_user_hash.reset(user_token)
    line = buffer.getvalue()
    assert "[update=99 user=abcdef012345]" in line
    assert DEFAULT_TOKEN not in line
