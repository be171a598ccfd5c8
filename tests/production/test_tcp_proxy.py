"""The test proxy's stop cuts open connections and returns, whatever the Python: from 3.12 a
server's `wait_closed` waits for its accepted connections to go, so cutting them comes first."""

from __future__ import annotations

import asyncio

from tests.production.tcp_proxy import TcpProxy


async def test_stopping_the_proxy_with_a_connection_open_cuts_it_and_returns() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(100):
            writer.write(data)
            await writer.drain()
        writer.close()

    upstream = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = upstream.sockets[0].getsockname()[1]
    try:
        proxy = TcpProxy("127.0.0.1", port)
        await proxy.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(b"ping")
        assert await asyncio.wait_for(reader.read(4), 10) == b"ping"
        await asyncio.wait_for(proxy.stop(), 10)
        assert await asyncio.wait_for(reader.read(4), 10) == b""  # cut, as a restart does
        writer.close()
    finally:
        upstream.close()
        await upstream.wait_closed()
