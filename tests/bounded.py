"""Waits that end: a teardown (or any wait that could block forever) gets a bound, and when it is
over, the test fails saying what did not finish and where it was stuck.

CI once ran out of its time two tests short of the end of a run. pytest-timeout's one alarm per
test does not cover a wait without a bound: the alarm can be spent on a background task (the
bot's polling, the delivery worker), which keeps the exception to itself, or on the test, after
which its teardown has no timer left. A bounded wait ends by itself, wherever it is.

`bounded` awaits a coroutine or task, `stop_polling` stops an aiogram Dispatcher's polling task,
`call_bounded` runs a blocking call (a thread join inside a library's stop) in a thread of its
own, and `wait_process` waits for a subprocess. `await_chain` (also in tests/watchdog.py's
reports) says where a task waits, down to the innermost await.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import subprocess
import sys
import threading
import traceback
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from aiogram import Dispatcher

T = TypeVar("T")

# How long a cancelled task gets to unwind before `bounded` reports it (it is reported either way).
CANCEL_GRACE_SECONDS = 5.0


class DidNotFinishError(AssertionError):
    """A bounded wait ran out: the message names what hung and holds its stack."""


def await_chain(task: asyncio.Future[Any]) -> str:
    """Where a task waits: its coroutine and each coroutine, async generator (an async
    fixture's teardown) or task it awaits, outermost first. (`Task.print_stack` shows only the
    outermost coroutine's line.)"""
    summary = traceback.StackSummary()
    awaited: object = task
    for _ in range(200):  # a cycle cannot hold the report
        if isinstance(awaited, asyncio.Task):
            awaited = awaited.get_coro()
        if type(awaited).__name__ == "async_generator_asend":
            # `anext(generator)`: the generator is reachable only through the garbage collector.
            generators = [o for o in gc.get_referents(awaited) if inspect.isasyncgen(o)]
            awaited = generators[0] if generators else None
        frame = next(
            (
                getattr(awaited, name)
                for name in ("cr_frame", "gi_frame", "ag_frame")
                if getattr(awaited, name, None) is not None
            ),
            None,
        )
        if frame is None:
            break
        summary.append(
            traceback.FrameSummary(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        )
        awaited = next(
            (
                getattr(awaited, name)
                for name in ("cr_await", "gi_yieldfrom", "ag_await")
                if getattr(awaited, name, None) is not None
            ),
            None,
        )
    return "".join(summary.format())


def _thread_stack(thread: threading.Thread) -> str:
    frame = sys._current_frames().get(thread.ident or -1)
    return "".join(traceback.format_stack(frame)) if frame is not None else ""


async def bounded(awaitable: Awaitable[T], seconds: float, what: str) -> T:
    """Await `awaitable` for at most `seconds`; past that, cancel it and raise `DidNotFinishError`
    naming `what`, with the stack it was stuck at.

    A task given here is cancelled when it runs out (it is the caller's to stop). Exceptions of
    the awaitable itself pass through unchanged.
    """
    task = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if done:
        return task.result()
    stack = await_chain(task)
    task.cancel()
    ended, _ = await asyncio.wait({task}, timeout=CANCEL_GRACE_SECONDS)
    after = (
        "cancelled" if ended else f"and did not end within {CANCEL_GRACE_SECONDS:g} s of cancelling"
    )
    raise DidNotFinishError(
        f"{what} did not finish within {seconds:g} s ({after}); it waited at:\n{stack}"
    )


async def stop_polling(dispatcher: Dispatcher, polling: asyncio.Task[None], seconds: float) -> None:
    """Stop `dispatcher`'s polling, which `polling` runs (`create_task(dispatcher.start_polling(
    ...))`), within `seconds`; raise the polling task's own error if it had died.

    aiogram's `stop_polling` waits without a bound for polling to say it stopped (after the
    Dispatcher's shutdown handlers), and refuses when polling has not taken its lock yet: the
    task, which would then poll on forever, is cancelled instead.
    """
    if not polling.done():
        try:
            await bounded(dispatcher.stop_polling(), seconds, "the Dispatcher's stop_polling()")
        except RuntimeError:  # "Polling is not started": not yet, or no longer
            polling.cancel()
        except DidNotFinishError:
            stack = await_chain(polling)
            polling.cancel()
            await asyncio.wait({polling}, timeout=CANCEL_GRACE_SECONDS)
            raise DidNotFinishError(
                f"polling did not stop within {seconds:g} s of stop_polling() (cancelled); "
                f"the polling task waited at:\n{stack}"
            ) from None
    done, _ = await asyncio.wait({polling}, timeout=seconds)
    if not done:
        stack = await_chain(polling)
        polling.cancel()
        raise DidNotFinishError(
            f"the polling task did not end within {seconds:g} s; it waited at:\n{stack}"
        )
    if not polling.cancelled():
        polling.result()  # its own error, if it died


async def run_every(steps: Iterable[Callable[[], Awaitable[object]]]) -> None:
    """Await each step in turn, the later ones even when an earlier one failed, then raise the
    first failure: a teardown that stops at its first error leaves the rest running."""
    failures: list[Exception] = []
    for step in steps:
        try:
            await step()
        except Exception as error:
            failures.append(error)
    if failures:
        raise failures[0]


def call_bounded(function: Callable[[], T], seconds: float, what: str) -> T:
    """Call a blocking `function` in a daemon thread and wait at most `seconds` for it, so a
    library's stop that joins its own thread without a bound cannot hold the test."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(function())
        except BaseException as exc:  # handed to the caller below
            error.append(exc)

    thread = threading.Thread(target=run, name=f"bounded: {what}", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise DidNotFinishError(
            f"{what} did not finish within {seconds:g} s; it waited at:\n{_thread_stack(thread)}"
        )
    if error:
        raise error[0]
    return result[0]


def wait_process(process: subprocess.Popen[bytes], seconds: float, what: str) -> int:
    """Wait at most `seconds` for `process` to exit; past that, kill it and raise."""
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=CANCEL_GRACE_SECONDS)
        raise DidNotFinishError(
            f"{what} (pid {process.pid}) did not exit within {seconds:g} s; killed"
        ) from None
