"""One bot instance in webhook mode, as its own process, for the multi-instance tests.

`python -m tests.production.instance` runs `bot.telegram.runner.run_webhook` (what `hecbot run
--webhook` runs) configured from the environment, with one test-only change: `EchoAnswerer` instead
of the knowledge engine unless ANSWERER=engine (ANSWER_DELAY_SECONDS simulates its work). The
conversations are the product's own (onboarding, surveys), with their state in Redis.
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
    configure_logging(settings.logging.level, settings.logging.format)
    answerer: Answerer
    if os.environ.get("ANSWERER") == "engine":
        answerer = build_answerer(settings)  # the real knowledge engine, as in production
    else:
        answerer = EchoAnswerer(float(os.environ.get("ANSWER_DELAY_SECONDS", "0")))
    asyncio.run(run_webhook(settings, answerer=answerer))


if __name__ == "__main__":
    main()
