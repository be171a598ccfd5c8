"""Run the fake Bot API standalone: `python -m tests.fakebotapi --port 8081`.

Point the bot at http://127.0.0.1:PORT (TelegramAPIServer.from_base) with the printed token;
drive it through the /_fake/ control routes (see control.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from tests.fakebotapi.models import RateLimit
from tests.fakebotapi.server import DEFAULT_TOKEN, FakeTelegram


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fakebotapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument(
        "--rate-limit", action="store_true", help="enforce Telegram's flood limits (429)"
    )
    parser.add_argument("--global-limit", type=int, default=RateLimit.global_limit)
    parser.add_argument("--per-chat-limit", type=int, default=RateLimit.per_chat_limit)
    parser.add_argument("--window-seconds", type=float, default=RateLimit.window_seconds)
    parser.add_argument(
        "--any-chat", action="store_true", help="accept any chat id, not only users who wrote"
    )
    parser.add_argument("--webhook", action="append", default=[], help="webhook target URL")
    parser.add_argument("--webhook-secret", default=None)
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    rate_limit = (
        RateLimit(args.global_limit, args.per_chat_limit, args.window_seconds)
        if args.rate_limit
        else None
    )
    fake = FakeTelegram(
        token=args.token,
        host=args.host,
        port=args.port,
        rate_limit=rate_limit,
        strict_chats=not args.any_chat,
        webhook_urls=args.webhook,
        webhook_secret=args.webhook_secret,
    )
    async with fake:
        print(f"fake Bot API at {fake.base_url} token {fake.token}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
