"""One bot instance in webhook mode, as its own process, for the multi-instance tests.

`python -m tests.production.instance` runs `bot.telegram.runner.run_webhook` (what `hecbot run
--webhook` runs) configured from the environment, with one test-only change: `EchoAnswerer` instead
of the knowledge engine unless ANSWERER=engine (ANSWER_DELAY_SECONDS simulates its work), and,
for `bench sustained`, UNCAPPED_SEND_RATE: a send budget of that many messages a second, above
the ~30 a second Telegram allows one bot token (which `SEND_RATE_PER_SECOND` refuses). The fake
Bot API enforces no rate unless asked, so the instance's own capacity shows, not Telegram's cap.
The conversations are the product's own (onboarding, surveys), with their state in Redis.
"""

from __future__ import annotations

import asyncio
import os

from bot.config import load_settings
from bot.logging_setup import configure_logging
from bot.services.questions import Answerer
from bot.telegram.container import build_answerer
from bot.telegram.runner import run_webhook
from tests.production.doubles import EchoAnswerer


def main() -> None:
    settings = load_settings()
    uncapped = os.environ.get("UNCAPPED_SEND_RATE")
    if uncapped:
        # model_copy skips validation on purpose: the setting's ceiling is Telegram's, and this
        # process talks to the fake Bot API only.
        delivery = settings.delivery.model_copy(update={"send_rate_per_second": float(uncapped)})
        settings = settings.model_copy(update={"delivery": delivery})
    configure_logging(settings.logging.level, settings.logging.format)
    answerer: Answerer
    if os.environ.get("ANSWERER") == "engine":
        answerer = build_answerer(settings)  # the real knowledge engine, as in production
    else:
        answerer = EchoAnswerer(float(os.environ.get("ANSWER_DELAY_SECONDS", "0")))
    asyncio.run(run_webhook(settings, answerer=answerer))


if __name__ == "__main__":
    main()
