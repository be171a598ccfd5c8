"""An outage of PostgreSQL or Redis, in-process: 503 while down (Telegram redelivers), then the
same update is handled once the service is back, over reconnected pools."""

from __future__ import annotations

import pytest

from tests.e2e.harness import message_update
from tests.factories import make_user
from tests.production.conftest import OutageBot

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LEARNER = 5_000_000_501


@pytest.mark.parametrize("service", ["postgres", "redis"])
async def test_an_update_during_an_outage_gets_503_and_succeeds_when_redelivered(
    service: str, outage_bot: OutageBot
):
    bot, proxy = outage_bot.harness, outage_bot.proxy
    assert bot.services is not None
    services = bot.services
    await make_user(services.database, LEARNER)

    async def post(update_id: int, text: str) -> int:
        return (await bot.post(message_update(update_id, LEARNER, text))).status

    assert await post(1, "How do I apply before the deadline?") == 200
    await proxy.stop()
    assert await post(2, "Who approves licences during exams?") == 503
    assert await post(2, "Who approves licences during exams?") == 503  # Telegram retries
    assert (await bot.get("/healthz")).status == 503
    await proxy.start()
    assert await post(2, "Who approves licences during exams?") == 200  # the redelivery
    assert await post(3, "Where do I send my licence documents?") == 200
    assert (await bot.get("/healthz")).status == 200

    answers = [str(r.params["text"]) for r in bot.fake.requests("sendMessage", chat_id=LEARNER)]
    for text in (
        "How do I apply before the deadline?",
        "Who approves licences during exams?",
        "Where do I send my licence documents?",
    ):
        assert sum(f"Answer to: {text}" in a for a in answers) == 1, answers
    assert not any("try again" in a.lower() for a in answers), answers
    assert (
        services.metrics.value(
            "hecbot_errors_total",
            {"error": "ServiceUnavailableError" if service == "postgres" else "ConnectionError"},
        )
        >= 1
    )
