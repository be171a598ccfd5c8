"""The embedded delivery worker never dies silently: a crash is logged and it runs again."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any, ClassVar
from unittest.mock import MagicMock

import pytest

from bot.telegram import runner


class CrashingOnceWorker:
    """Stands in for DeliveryWorker: its first run raises, the second runs until stopped."""

    instances: ClassVar[list[CrashingOnceWorker]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.runs = 0
        self.heartbeat = 0.0
        self.running_again = asyncio.Event()
        CrashingOnceWorker.instances.append(self)

    async def run(self, stop: asyncio.Event) -> None:
        self.runs += 1
        if self.runs == 1:
            raise RuntimeError("outbox row with a broken payload")
        self.running_again.set()
        await stop.wait()


async def test_a_crash_of_the_embedded_worker_is_logged_and_it_runs_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    CrashingOnceWorker.instances.clear()
    monkeypatch.setattr(runner, "DeliveryWorker", CrashingOnceWorker)
    monkeypatch.setattr(runner, "WORKER_RESTART_BACKOFF", (0.0, 0.0))
    services = SimpleNamespace(
        settings=SimpleNamespace(delivery=SimpleNamespace(embedded=True)),
        database=None,
        scheduler=None,
        users=None,
        send_budget=None,
        metrics=MagicMock(),
    )
    with caplog.at_level(logging.ERROR, logger="bot.telegram.supervisor"):
        async with runner.embedded_worker(services, MagicMock()):  # type: ignore[arg-type]
            (worker,) = CrashingOnceWorker.instances
            await asyncio.wait_for(worker.running_again.wait(), timeout=30)
    assert worker.runs == 2
    (record,) = [r for r in caplog.records if "delivery worker died" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and "broken payload" in str(record.exc_info[1])
