"""A watchdog that ends a test pytest-timeout cannot end, and says where it hung.

pytest-timeout's signal method raises in the main thread only when Python code runs there. A test
blocked inside C code, or a teardown that blocks again after the timeout fired, held a worker (and
CI) until CI's own limit: the dots stopped two tests short of the end and nothing said where.
faulthandler's watchdog is a C thread: it writes every thread's stack to a file and ends the
process; pytest-xdist reports the test as crashed and starts a new worker, so the run ends, and
the controller's summary prints the file. The timer is armed again for each phase because pytest
cancels faulthandler's timer when a phase fails (`pytest_exception_interact`), and the teardown
after a timed-out call is where a second hang would have no timer left. For an async test the
thread stacks show only the event loop waiting in `select`, so a few seconds before the end the
report also gets every asyncio task of the main thread's loop and what it awaits.

Loaded for every run by `-p tests.watchdog` in pyproject.toml's pytest options.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest

from tests.bounded import await_chain

# Well above pytest-timeout's 120 s, which ends ordinary hangs cleanly. Both can be set from the
# environment for the test of this watchdog, which runs a pytest of its own.
HARD_TIMEOUT_SECONDS = int(os.environ.get("HECBOT_TEST_HARD_TIMEOUT", "300"))
HANG_REPORTS = Path(
    os.environ.get(
        "HECBOT_TEST_HANG_REPORTS", Path(__file__).resolve().parents[1] / ".pytest_cache" / "hangs"
    )
)
# The controller's pid names the run's folder, so two runs of one checkout keep apart; set in
# pytest_configure, before pytest-xdist starts the workers, which inherit the environment.
_RUN = "HECBOT_TEST_WATCHDOG_RUN"


def run_folder() -> Path:
    return HANG_REPORTS / os.environ.get(_RUN, str(os.getpid()))


# A few seconds before the end, a Python thread adds what every asyncio task of the main thread's
# event loop awaits: for an async test the thread stacks show only the loop waiting in `select`.
TASKS_LEAD_SECONDS = min(5.0, HARD_TIMEOUT_SECONDS / 3)


def _main_thread_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop the main thread is running (pytest-asyncio's, or asyncio.run's), if any."""
    frame = sys._current_frames().get(threading.main_thread().ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "run_forever":
            candidate = frame.f_locals.get("self")
            if isinstance(candidate, asyncio.AbstractEventLoop):
                return candidate
        frame = frame.f_back
    return None


def _asyncio_tasks() -> str:
    loop = _main_thread_loop()
    if loop is None:
        return ""
    lines = ["\nasyncio tasks of the main thread's event loop, and where each awaits:\n"]
    for task in asyncio.all_tasks(loop):
        lines.append(f"\n{task.get_name()} ({task.get_coro()!r}):\n{await_chain(task)}")
    return "".join(lines) + "\n"


class _Watchdog:
    def __init__(self) -> None:
        self.stream: TextIO | None = None
        self._tasks_timer: threading.Timer | None = None
        self._lock = threading.Lock()  # the timer's thread writes to the stream too

    def arm(self, item: pytest.Item, phase: str) -> None:
        if self.stream is None:
            return
        self.disarm_tasks()
        with self._lock:
            self.stream.seek(0)
            self.stream.truncate()
            self.stream.write(
                f"{item.nodeid} ({phase}) did not end within {HARD_TIMEOUT_SECONDS} s:\n"
            )
            self.stream.flush()
        faulthandler.dump_traceback_later(HARD_TIMEOUT_SECONDS, exit=True, file=self.stream)
        timer = threading.Timer(
            HARD_TIMEOUT_SECONDS - TASKS_LEAD_SECONDS, self._write_tasks, (self.stream,)
        )
        timer.daemon = True
        timer.start()
        self._tasks_timer = timer

    def disarm_tasks(self) -> None:
        if self._tasks_timer is not None:
            self._tasks_timer.cancel()
            self._tasks_timer = None

    def disarm(self) -> None:
        """After a test: no dump, no task listing, and the report stream let go."""
        faulthandler.cancel_dump_traceback_later()
        self.disarm_tasks()
        with self._lock:
            self.stream = None

    def _write_tasks(self, stream: TextIO) -> None:
        with self._lock:
            if stream is not self.stream or stream.closed:
                return
            try:
                stream.write(_asyncio_tasks())
            except Exception as error:  # a report without the tasks beats no report
                stream.write(f"\n(the asyncio tasks could not be listed: {error!r})\n")
            stream.flush()


_WATCHDOG = _Watchdog()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    folder = run_folder()
    folder.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    report = folder / f"{worker}-{os.getpid()}.txt"
    with report.open("w", encoding="utf-8") as stream:
        _WATCHDOG.stream = stream
        try:
            return (yield)
        finally:
            _WATCHDOG.disarm()
            report.unlink(missing_ok=True)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _WATCHDOG.arm(item, "setup")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    _WATCHDOG.arm(item, "call")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    _WATCHDOG.arm(item, "teardown")


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        os.environ[_RUN] = str(os.getpid())


# A hang seen in a full run (2026-12-06): the main thread sat for minutes at the start of the
# timeout's own signal handler (inside a garbage-collector callback), and the watchdog's Python
# timer thread never wrote the asyncio tasks. py-spy showed why when it came again (3 runs in 4 of
# tests/knowledge/test_cli.py under --cov, once the `ask` commands ended their threads): the main
# thread held the GIL, spinning in greenlet's destruction of an ended thread's greenlet state,
# which coverage's "greenlet" concurrency gives every thread it traces; coverage now traces
# threads only (pyproject.toml), and that file ran clean 4 runs in 4. It came once in ten full
# runs of the suite that night (and, most likely, in CI's run of 4bb81de). Nothing in the
# test can end it; the watchdog ends the worker. So that one such hang does not fail the tests of
# a run that is otherwise sound, the test runs once more on a new worker (a second hang fails
# it), and its report is printed either way. What the ended worker measured up to its last whole
# test file still counts towards coverage (tests/kept_coverage.py).
_RETRIED: set[str] = set()


def _ended_by_watchdog(nodeid: str) -> bool:
    for report in run_folder().glob("*.txt"):
        with contextlib.suppress(OSError), report.open(encoding="utf-8", errors="replace") as f:
            if f.readline().startswith(f"{nodeid} ("):
                return True
    return False


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem: str, report: pytest.TestReport, sched: Any) -> None:
    """pytest-xdist's hook for a test whose worker died: run it once more when the watchdog ended
    it (a crash of another kind fails as before)."""
    if crashitem in _RETRIED or not _ended_by_watchdog(crashitem):
        return
    _RETRIED.add(crashitem)
    sched.mark_test_pending(crashitem)
    report.outcome = "rerun"  # type: ignore[assignment]  # xdist's documented way; not a failure


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    if report.outcome == "rerun":
        return "rerun", "R", "RERUN (hung; ended by the watchdog, run again)"
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Workers write summaries too; only the controller reads the files (a worker that did would
    # take another worker's report, still being written, before the controller saw it).
    if hasattr(terminalreporter.config, "workerinput"):
        return
    folder = run_folder()
    reports = sorted(folder.glob("*.txt"))
    if reports:
        terminalreporter.section("TESTS THAT HUNG (ended by the watchdog)", sep="!", red=True)
    for report in reports:
        terminalreporter.write_line(report.read_text(encoding="utf-8", errors="replace"))
        report.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()
