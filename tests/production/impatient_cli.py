"""`hecbot ...` with start-up's Telegram retries waiting milliseconds instead of seconds.

`python -m tests.production.impatient_cli run` is `hecbot run` in every other respect: the same
tries, log lines and exit. The retry test needs the tries, not the 15 s the doubling waits add
up to.
"""

from __future__ import annotations

from bot.cli.root import main
from bot.telegram import startup_check

startup_check.FIRST_DELAY_SECONDS = 0.01

if __name__ == "__main__":
    main()
