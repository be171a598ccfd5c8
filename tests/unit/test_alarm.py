"""pytest-timeout's alarm ends an async test even when it goes off inside a busy background task
(tests/alarm.py); without the plugin the task keeps the failure and the test awaits forever."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.inner_pytest import run_pytest

TESTS = """
import asyncio
import time


async def busy_bot():
    # The loop is busy most of the time, awaiting between bursts: the alarm lands in here.
    while True:
        end = time.monotonic() + 0.05
        while time.monotonic() < end:
            pass
        await asyncio.sleep(0.001)


async def test_awaits_forever_beside_a_busy_task():
    task = asyncio.create_task(busy_bot())
    try:
        await asyncio.Event().wait()
    finally:
        task.cancel()


async def blocking_bot():
    await asyncio.sleep(0)
    time.sleep(600)  # holds the event loop: the alarm lands in here


async def test_awaits_forever_beside_a_task_holding_the_loop():
    task = asyncio.create_task(blocking_bot())
    try:
        await asyncio.Event().wait()
    finally:
        task.cancel()


async def test_awaits_forever_alone():
    await asyncio.Event().wait()


def test_sleeps_forever():
    time.sleep(600)


async def test_beside_them():
    await asyncio.sleep(0)
"""


def run_inner(tmp_path: Path, *plugins: str) -> subprocess.CompletedProcess[str]:
    loads = [arg for plugin in plugins for arg in ("-p", plugin)]
    return run_pytest(
        tmp_path,
        TESTS,
        *loads,
        "-o",
        "timeout=2",
        # Wide enough that the summary's lines keep each test's error whole.
        environ={"COLUMNS": "300"},
        # Far more than the four 2 s alarms; without the plugin the first test never ends.
        seconds=90,
    )


def test_an_alarm_in_a_background_task_cancels_the_test_with_the_timeout_message(
    tmp_path: Path,
) -> None:
    run = run_inner(tmp_path, "tests.alarm")
    output = run.stdout + run.stderr
    # Every test ended at its alarm (without the plugin the first never does).
    assert "4 failed, 1 passed" in output, output
    # The task holding the loop in a blocking call is where the alarm always lands: the test is
    # cancelled with the timeout's message, and the report shows that task.
    assert (
        "test_awaits_forever_beside_a_task_holding_the_loop - asyncio.exceptions.CancelledError: "
        "Timeout (>2.0s) from pytest-timeout"
    ) in output, output
    assert "the alarm went off in this task" in output, output
    assert "in blocking_bot" in output, output
    # The busy task's bursts are where it mostly lands; between them (in the loop's `select`, or
    # in the test's own task) pytest-timeout's own raise reaches the test. Either way it ends.
    # Outside any task (the loop waiting, or a plain test), as pytest-timeout does.
    assert "test_awaits_forever_alone - Failed: Timeout" in output, output
    assert "test_sleeps_forever - Failed: Timeout" in output, output
