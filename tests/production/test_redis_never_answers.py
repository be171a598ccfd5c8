"""A Redis that accepts the connection and never answers (a connection cut without a reset, a
failover in progress) fails the update's Redis calls; it does not keep the update, and the
learner's lock the lease keeper renews meanwhile, waiting forever."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.config import Settings
from bot.telegram import app


async def test_a_redis_that_never_answers_fails_the_call_instead_of_hanging(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)  # reads what it is sent, answers nothing
        while await reader.read(4096):
            pass

    # Port 0: the server binds a free port itself (no other process can take it meanwhile).
    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(app, "REDIS_SOCKET_TIMEOUT_SECONDS", 0.2)
    settings.database.redis_url = f"redis://127.0.0.1:{port}/0"
    storage = app.create_storage(SimpleNamespace(settings=settings))  # type: ignore[arg-type]
    try:
        with pytest.raises(RedisTimeoutError):
            # The guard only keeps a regression from hanging the suite: the timeout above
            # ends the call (after its retries) long before it.
            await asyncio.wait_for(storage.get_state(StorageKey(1, 7, 7)), 60)
        assert connections, "the call never reached the server"
    finally:
        await storage.close()
        server.close()
        for writer in connections:
            writer.close()
        await server.wait_closed()
