"""Keeps a background loop of the bot process alive: a crash is logged, then it is restarted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def supervise(
    run: Callable[[asyncio.Event], Awaitable[None]],
    stop: asyncio.Event,
    *,
    name: str,
    first_backoff: float = 1.0,
    max_backoff: float = 60.0,
) -> None:
    """Run ``run(stop)`` until ``stop`` is set; restart it with backoff whenever it dies.

    An exception escaping ``run`` is logged with its traceback and ``run`` is started again after
    a wait that doubles on each crash up to ``max_backoff`` (reset once a run lasted longer than
    that). A return without ``stop`` set is logged and restarted too: nothing ends silently.
    """
    loop = asyncio.get_running_loop()
    backoff = first_backoff
    while not stop.is_set():
        started = loop.time()
        try:
            await run(stop)
        except Exception:
            log.exception("%s died; restarting it in %.1f s", name, backoff)
        else:
            if stop.is_set():
                return
            log.error("%s stopped unasked; restarting it in %.1f s", name, backoff)
        if loop.time() - started > max_backoff:
            backoff = first_backoff
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=backoff)
        backoff = min(backoff * 2, max_backoff)
