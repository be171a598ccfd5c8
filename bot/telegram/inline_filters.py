"""Synchronous handler filters run on the event loop, not in a worker thread.

aiogram runs every synchronous filter through `asyncio.to_thread`: `F.text`,
`~F.text.startswith("/")` and `_is_course_question` each cost microseconds to evaluate, but the
hop costs a context copy, a wake-up of a default-executor thread and the GIL passed twice, and
under load the hop queues behind whatever else waits in that executor. A plain question meets
four of them on its way to the questions router. hecbot's filters are pure and cheap (a rule:
anything that waits on I/O is an async `Filter`), so they are evaluated inline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def _filters(router: Router) -> Iterator[FilterObject]:
    for member in router.chain_tail:
        for observer in member.observers.values():
            # Router-level filters (`router.message.filter(...)`) live on the observer itself.
            for handler in [observer._handler, *observer.handlers]:
                yield from handler.filters or ()


def _on_the_loop(callback: Callable[..., Any]) -> Callable[..., Any]:
    async def inline(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return inline


def run_filters_inline(router: Router) -> int:
    """Make every synchronous filter under `router` run on the loop; returns how many.

    The keyword arguments a filter receives are unchanged: aiogram picks them from the
    original callback's signature, which was read when the filter was registered.
    """
    changed = 0
    for event_filter in _filters(router):
        if not event_filter.awaitable:
            event_filter.callback = _on_the_loop(event_filter.callback)
            event_filter.awaitable = True
            changed += 1
    return changed


def threaded_filters(router: Router) -> list[FilterObject]:
    """Filters under `router` that aiogram would still run in a thread (for tests)."""
    return [event_filter for event_filter in _filters(router) if not event_filter.awaitable]
