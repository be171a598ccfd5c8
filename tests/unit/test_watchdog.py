"""The test run always ends: a test that hangs where pytest-timeout cannot end it is ended by
tests/watchdog.py, and the summary says which test hung, in which phase, and where."""

from __future__ import annotations

from pathlib import Path

from tests.inner_pytest import DID_NOT_END, run_pytest, watchdog_environ

STUCK_TESTS = """
import time

import pytest


@pytest.fixture
def stubborn_cleanup():
    yield
    time.sleep(600)  # blocks again after pytest-timeout has failed the call


def test_hangs_then_blocks_its_teardown(stubborn_cleanup):
    time.sleep(600)


def test_beside_it():
    assert True
"""


ASYNC_STUCK_TESTS = """
import asyncio

import pytest


async def waits_for_the_bot():
    await asyncio.Event().wait()


@pytest.fixture
async def bot_that_never_stops():
    yield
    await waits_for_the_bot()  # no timer left: the call's timeout spent it


async def test_times_out_then_its_async_teardown_hangs(bot_that_never_stops):
    await asyncio.sleep(600)
"""


def run_stuck(tmp_path: Path, tests: str, *, fails: bool = True) -> str:
    """A pytest run of its own over `tests`, with a 1 s timeout and the watchdog."""
    run = run_pytest(
        tmp_path,
        tests,
        "-p",
        "tests.watchdog",
        "-n",
        "2",
        "-o",
        "timeout=1",
        environ=watchdog_environ(tmp_path),
    )
    output = run.stdout + run.stderr
    assert (run.returncode != 0) is fails, output
    return output


def test_a_test_blocked_past_its_timeout_ends_the_worker_and_the_summary_says_where(
    tmp_path: Path,
) -> None:
    output = run_stuck(tmp_path, STUCK_TESTS)
    assert "TESTS THAT HUNG" in output, output
    assert f"test_hangs_then_blocks_its_teardown (teardown) {DID_NOT_END}" in output
    assert "in stubborn_cleanup" in output, output  # the stack shows where it blocked
    assert "1 passed" in output, output  # the test beside it ran and passed
    assert not list((tmp_path / "hangs").glob("*/*.txt"))  # each report printed once, removed


def test_an_async_hang_is_reported_with_what_each_asyncio_task_awaits(tmp_path: Path) -> None:
    output = run_stuck(tmp_path, ASYNC_STUCK_TESTS)
    assert f"(teardown) {DID_NOT_END}" in output, output
    # The thread stacks show only the event loop in `select`; the tasks show where it hung.
    assert "asyncio tasks of the main thread's event loop" in output, output
    teardown = output[output.index("asyncio tasks of the main thread's event loop") :]
    assert "in bot_that_never_stops" in teardown and "in waits_for_the_bot" in teardown, output


# The hang seen in a full run: the alarm never reached the test (its handler waited for the GIL),
# so the watchdog alone ended it, and the call left no report. Ignoring SIGALRM models that.
HANGS_ONCE_TESTS = """
import signal
import time
from pathlib import Path


HUNG = Path(__file__).with_name("hung-once")


def test_hangs_only_the_first_time():
    if not HUNG.exists():
        HUNG.touch()
        signal.signal(signal.SIGALRM, signal.SIG_IGN)  # the timeout cannot reach it
        time.sleep(600)
"""


def test_a_test_the_watchdog_ended_runs_once_more_on_a_new_worker(tmp_path: Path) -> None:
    output = run_stuck(tmp_path, HANGS_ONCE_TESTS, fails=False)
    assert "TESTS THAT HUNG" in output, output  # said, though the run passes
    assert f"test_hangs_only_the_first_time (call) {DID_NOT_END}" in output, output
    assert "1 passed, 1 rerun" in output, output
