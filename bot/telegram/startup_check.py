"""The first call to Telegram at start-up: a wrong token or no network is one clear line.

Without this, `hecbot run` with a mistyped BOT_TOKEN or no route to Telegram ends in an aiogram
traceback from whichever call came first. `getMe` is asked before anything else is built:
401 names BOT_TOKEN at once (retrying cannot help); a connection refused, a DNS failure or a
timeout is retried with doubling waits, one log line per try, then ends start-up.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

from bot.errors import ConfigurationError, ServiceUnavailableError

log = logging.getLogger(__name__)

ATTEMPTS = 5
FIRST_DELAY_SECONDS = 1.0


async def check_telegram(
    bot: Bot,
    api_base: str,
    *,
    attempts: int = ATTEMPTS,
    first_delay: float | None = None,
) -> None:
    """Ask Telegram who the bot is; raise a HecbotError with one operator-facing line."""
    # Read at each call, not bound as a default, so a test's launcher can shorten the waits.
    delay = FIRST_DELAY_SECONDS if first_delay is None else first_delay
    for attempt in range(1, attempts + 1):
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            raise ConfigurationError(
                f"BOT_TOKEN: Telegram ({api_base}) refused it (401 Unauthorized); "
                "check the token @BotFather gave you"
            ) from None
        except TelegramNetworkError as error:
            if attempt == attempts:
                raise ServiceUnavailableError(
                    f"Telegram unreachable at {api_base} after {attempts} tries ({error}); "
                    "check the network, DNS and TELEGRAM_API_BASE"
                ) from None
            log.warning(
                "Telegram unreachable at %s (try %d of %d): %s; retrying in %.0f s",
                api_base,
                attempt,
                attempts,
                error,
                delay,
            )
            await asyncio.sleep(delay)
            delay *= 2
        else:
            log.info("connected to Telegram as @%s", me.username)
            return
