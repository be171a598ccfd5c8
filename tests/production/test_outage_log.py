"""One log line when PostgreSQL or Redis goes away, one when it is back, however many updates
the outage fails in between; `/readyz` says it is down meanwhile, and for how long."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.harness import message_update
from tests.factories import make_user
from tests.production.conftest import OutageBot

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

UPDATES_DURING_OUTAGE = 6


def outage_records(records: list[logging.LogRecord], dependency: str) -> list[str]:
    return [
        str(getattr(r, "outage", ""))
        for r in records
        if getattr(r, "dependency", None) == dependency and getattr(r, "outage", None)
    ]


@pytest.mark.parametrize("service", ["postgres", "redis"])
async def test_an_outage_of_many_updates_is_one_down_and_one_up_line(
    service: str, outage_bot: OutageBot, caplog: pytest.LogCaptureFixture
):
    bot, proxy, dependency = outage_bot.harness, outage_bot.proxy, outage_bot.dependency
    assert bot.services is not None
    caplog.set_level(logging.DEBUG)
    learners = [5_000_000_601 + n for n in range(UPDATES_DURING_OUTAGE)]
    for learner in learners:
        await make_user(bot.services.database, learner)

    async def post(update_id: int, learner: int) -> int:
        update = message_update(update_id, learner, f"Question {update_id}?")
        return (await bot.post(update)).status

    assert await post(1, learners[0]) == 200
    assert outage_records(caplog.records, dependency) == []
    caplog.clear()

    await proxy.stop()
    statuses = [await post(10 + n, learner) for n, learner in enumerate(learners)]
    assert statuses == [503] * UPDATES_DURING_OUTAGE
    health = await bot.get("/readyz")
    assert health.status == 503
    check = (await health.json())["checks"][outage_bot.check]
    assert not check["ok"]
    assert "down for" in check["detail"], check
    during = list(caplog.records)

    await proxy.start()
    for n, learner in enumerate(learners):  # Telegram delivers them again
        assert await post(10 + n, learner) == 200
    assert (await bot.get("/readyz")).status == 200

    assert outage_records(during, dependency) == ["down"]
    down = next(r for r in during if getattr(r, "outage", None) == "down")
    assert down.levelno == logging.WARNING
    assert getattr(down, "error_kind", "") not in ("", "ServiceUnavailableError"), down.__dict__
    assert outage_records(caplog.records, dependency) == ["down", "up"]
    up = next(r for r in caplog.records if getattr(r, "outage", None) == "up")
    assert getattr(up, "outage_seconds", -1.0) > 0
    # Nothing else at WARNING or above while it was down: no line, no traceback per update.
    noisy = [
        f"{r.name}: {r.getMessage()}"
        for r in during
        if r.levelno >= logging.WARNING and getattr(r, "outage", None) is None
    ]
    assert noisy == []
    answered = [str(r.params["text"]) for r in bot.fake.requests("sendMessage")]
    for n in range(UPDATES_DURING_OUTAGE):
        assert sum(f"Question {10 + n}?" in a for a in answered) == 1, answered
