"""Bounded waits (tests/bounded.py): a wait that would block forever fails within its bound,
saying what did not finish and where it was stuck; one that finishes is not changed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest

from tests.bounded import DidNotFinishError, bounded, call_bounded, run_every, wait_process


async def answer() -> int:
    await asyncio.sleep(0)
    return 42


async def fail() -> None:
    raise ValueError("its own error")


async def stuck_forever() -> None:
    await asyncio.Event().wait()


async def stuck_inside() -> None:
    await stuck_forever()


async def test_a_wait_that_finishes_returns_its_result_and_keeps_its_errors() -> None:
    assert await bounded(answer(), 5, "answering") == 42
    with pytest.raises(ValueError, match="its own error"):
        await bounded(fail(), 5, "failing")


async def test_a_wait_that_never_ends_fails_within_its_bound_naming_it_and_where() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.create_task(stuck_inside())
    with pytest.raises(DidNotFinishError) as raised:
        await bounded(task, 0.2, "the stuck step")
    assert loop.time() - started < 5
    message = str(raised.value)
    assert message.startswith("the stuck step did not finish within 0.2 s (cancelled)")
    # Every coroutine of the chain it waited in, not only the outermost.
    assert "in stuck_inside" in message and "in stuck_forever" in message, message
    assert task.cancelled()


def test_a_blocking_call_that_never_returns_fails_within_its_bound_with_its_stack() -> None:
    release = threading.Event()

    def join_forever() -> None:
        release.wait()

    started = time.monotonic()
    try:
        with pytest.raises(DidNotFinishError, match="stopping the server did not finish") as raised:
            call_bounded(join_forever, 0.2, "stopping the server")
    finally:
        release.set()
    assert time.monotonic() - started < 5
    assert "in join_forever" in str(raised.value)
    assert call_bounded(lambda: 7, 5, "seven") == 7


def test_a_process_that_does_not_exit_is_killed_and_reported() -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with pytest.raises(DidNotFinishError, match=r"the sleeper \(pid \d+\) did not exit within"):
        wait_process(process, 0.2, "the sleeper")
    assert process.poll() is not None  # killed, not left running


async def test_run_every_runs_the_steps_after_a_failure_and_raises_the_first() -> None:
    ran: list[str] = []

    async def step(name: str, error: Exception | None = None) -> None:
        ran.append(name)
        if error is not None:
            raise error

    with pytest.raises(RuntimeError, match="first"):
        await run_every(
            [
                lambda: step("a", RuntimeError("first")),
                lambda: step("b", ValueError("second")),
                lambda: step("c"),
            ]
        )
    assert ran == ["a", "b", "c"]
