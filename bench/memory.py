"""Resident memory of the bot process itself over a given data dir (`python -m bench knowledge`).

The knowledge benchmark grows an index to 20,000 chunks in its own process, whose memory then
also holds what indexing left behind. What a deployment needs to know is the bot's: this starts
`hecbot chat` (the terminal chat: the same dispatcher, handlers, knowledge engine, course
recommender and outbox worker as on Telegram) over that data dir, asks it questions through
standard input, and reads the process's peak resident memory (VmHWM) while it runs.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.knowledge import process_memory_mb
from bench.load import seed_onboarded_learners
from bot.config import Settings
from bot.telegram.terminal import TERMINAL_USER_ID


def bot_peak_rss_mb(data_dir: Path, questions: Sequence[str], timeout: float = 600) -> float:
    """Peak resident memory of `hecbot chat` answering `questions` over `data_dir`, in MB.

    Raises RuntimeError if the chat did not answer them (a memory figure of a bot that failed
    to load its index would flatter it)."""
    # The terminal's person has finished onboarding, so their lines are questions.
    database_url = Settings(HECBOT_DATA_DIR=data_dir).effective_database_url  # type: ignore[call-arg]
    asyncio.run(seed_onboarded_learners(database_url, [TERMINAL_USER_ID], migrate=True))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HECBOT_", "BOT_TOKEN", "DATABASE_", "REDIS_", "CHROMA_"))
    }
    env["HECBOT_DATA_DIR"] = str(data_dir)
    hecbot = Path(sys.executable).with_name("hecbot")
    script = data_dir / "bench-questions.txt"
    script.write_text("".join(f"{question}\n" for question in questions) + "/quit\n")
    transcript = data_dir / "bench-transcript.txt"
    with script.open() as stdin, transcript.open("w") as stdout:
        process = subprocess.Popen(
            [str(hecbot), "chat"], stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, env=env
        )
        peak = 0.0
        deadline = time.monotonic() + timeout
        while process.poll() is None:
            peak = max(peak, process_memory_mb("VmHWM", process.pid) or 0.0)
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the terminal chat did not finish in time")
            time.sleep(0.1)
    output = transcript.read_text()
    answered = output.count("Sources:")
    if process.returncode != 0 or answered == 0:
        raise RuntimeError(f"the terminal chat answered {answered} questions:\n{output[-2000:]}")
    return peak
