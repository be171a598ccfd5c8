"""/broadcast in `hecbot chat`: the conversation, its buttons and the preview print sensibly."""

from __future__ import annotations

from bot.config import Settings
from bot.telegram.container import build_services
from bot.telegram.terminal import TERMINAL_USER_ID
from tests.databases import sqlite_at_head
from tests.e2e.harness import NoAnswerer, at_the_terminal
from tests.factories import make_user


async def test_an_admin_composes_and_sends_a_notice_in_the_terminal(settings: Settings) -> None:
    settings = settings.model_copy(update={"admin_ids": frozenset({TERMINAL_USER_ID})})
    await sqlite_at_head(settings)
    services = await build_services(settings, answerer=NoAnswerer())
    await make_user(services.database, 1001)  # one learner to receive it
    try:
        async with at_the_terminal(services) as terminal:
            out = await terminal.types(
                "/broadcast",
                "1",  # Everyone
                "Orientation on <b>Friday</b>",
                "1",  # no attachment: Skip
                "2",  # not a webinar
                "1",  # no Urdu version: Skip
                "1",  # Send now
                "/quit",
            )
    finally:
        await services.close()
    assert "Who should receive it?" in out
    assert "[1] Everyone" in out
    assert "Preview" in out and "Recipients: 1" in out
    assert "Queued for 1 recipients" in out
