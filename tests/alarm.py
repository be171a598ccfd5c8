"""pytest-timeout's alarm reaches the test even when it goes off inside a background task.

With the signal method, pytest-timeout raises its failure in whatever Python code the main thread
runs when SIGALRM arrives. In an asyncio test that is often a task of the bot's (polling, the
delivery worker, a handler, a CPU-heavy answer): the task keeps the exception to itself (asyncio
stores it on the task, or logs it for a callback), the test awaits on, and the alarm, which goes
off once, is spent. Such a test waited until tests/watchdog.py ended its worker, or, before that,
until CI's own limit.

This plugin sets pytest-timeout's timer itself (its `pytest_timeout_set_timer` hook) with a
handler that looks at where the alarm landed. Outside the event loop's tasks and callbacks (the
loop waiting in `select`, or no loop at all), and in the test's own task, it raises as
pytest-timeout does. Inside another task or callback, where a raise would be lost, it also cancels
the future the event loop is running for pytest (the test, or the fixture being set up or torn
down) with pytest-timeout's message, so that it ends at its current await.

Loaded for every run by `-p tests.alarm` in pyproject.toml's pytest options.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import asyncio.events
import signal
import threading
import traceback
from types import FrameType
from typing import Any

import pytest
import pytest_timeout  # type: ignore[import-untyped]

_HANDLE_RUN = asyncio.events.Handle._run.__code__
_RUN_UNTIL_COMPLETE = asyncio.base_events.BaseEventLoop.run_until_complete.__code__


def _lost_in_the_loop(frame: FrameType | None) -> asyncio.Future[Any] | None:
    """The future `run_until_complete` runs, when the interrupted `frame` is inside a task or
    callback of that loop other than the future itself (a raise there would be lost); else None."""
    in_a_callback = False
    while frame is not None:
        if frame.f_code is _HANDLE_RUN:
            in_a_callback = True
        elif frame.f_code is _RUN_UNTIL_COMPLETE:
            running = frame.f_locals.get("future")
            if not in_a_callback or not isinstance(running, asyncio.Future) or running.done():
                return None
            try:
                current = asyncio.current_task()
            except RuntimeError:  # no running loop after all
                return None
            return None if current is running else running
        frame = frame.f_back
    return None


def _task_stack(frame: FrameType | None) -> str:
    """Where the alarm landed, from the event loop's callback in: the task it would be lost in."""
    frames: list[tuple[FrameType, int]] = []
    while frame is not None and frame.f_code is not _HANDLE_RUN:
        frames.append((frame, frame.f_lineno))
        frame = frame.f_back
    return "".join(traceback.StackSummary.extract(reversed(frames)).format())


def _on_alarm(item: pytest.Item, settings: Any, frame: FrameType | None) -> None:
    __tracebackhide__ = True
    running = _lost_in_the_loop(frame)
    if running is None:
        pytest_timeout.timeout_sigalrm(item, settings)  # raises pytest's failure here
        return
    message = pytest_timeout.PYTEST_FAILURE_MESSAGE % settings.timeout
    terminal = item.config.get_terminal_writer()
    terminal.sep("+", title="Timeout: the alarm went off in this task; the test is cancelled")
    terminal.write(_task_stack(frame))
    pytest_timeout.dump_stacks(terminal)  # the other threads'
    running.cancel(msg=message)
    # Raised here too, as pytest-timeout would: it ends a task that holds the event loop in a
    # blocking call (which would keep the test from ever seeing its cancellation).
    pytest.fail(message)


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None  # pytest-timeout's own timer

    def handler(signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        _on_alarm(item, settings, frame)

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    item.cancel_timeout = cancel  # type: ignore[attr-defined]  # where pytest-timeout looks
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    return True
