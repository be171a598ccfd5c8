"""Honest failure at start-up (issue 13, item 9): what is wrong and how to fix it, in one line,
never a traceback and never a bot that starts as if nothing were missing."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.telegram.startup_check import ATTEMPTS
from knowledge.config import KnowledgeConfig
from knowledge.engine import build_engine
from tests.e2e.harness import BotHarness
from tests.fakebotapi.server import DEFAULT_TOKEN, FakeTelegram

HECBOT = [sys.executable, "-m", "bot.cli"]
IMPATIENT_HECBOT = [sys.executable, "-m", "tests.production.impatient_cli"]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIX = "hecbot kb index --bundled"


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    env["HECBOT_DATA_DIR"] = str(tmp_path / "data")
    return env


async def test_a_missing_rules_index_makes_the_instance_not_ready(
    webhook_app: BotHarness, tmp_path: Path
):
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "no-index-here"))
    first = await asyncio.to_thread(engine.health)  # loads the model, as start-up's warm-up does
    assert not first.ok and FIX in first.detail
    webhook_app.answerer.health = engine.health  # type: ignore[attr-defined]
    for path in ("/readyz", "/healthz"):
        response = await webhook_app.get(path)
        body = await response.json()
        assert response.status == 503
        assert body["checks"]["knowledge"]["ok"] is False
        assert FIX in body["checks"]["knowledge"]["detail"]
    alive = await webhook_app.get("/livez")
    assert alive.status == 200


def test_chat_on_a_data_dir_without_an_index_says_how_to_build_it(tmp_path: Path):
    result = subprocess.run(
        [*HECBOT, "chat"],
        input="/quit\n",
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        cwd=tmp_path,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "knowledge base not ready" in line]
    assert len(lines) == 1, result.stderr
    assert FIX in lines[0]
    assert "Traceback" not in result.stderr


async def hecbot_run(
    env: dict[str, str], cwd: Path, command: Sequence[str] = HECBOT
) -> tuple[int, str]:
    """`hecbot run` as a subprocess, awaited so the in-process fake Bot API keeps serving."""
    process = await asyncio.create_subprocess_exec(
        *command,
        "run",
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_a_wrong_bot_token_is_one_line_naming_it(fake_telegram: FakeTelegram, tmp_path):
    env = clean_env(tmp_path)
    env["BOT_TOKEN"] = "123456789:AAThisIsNotTheTokenTelegramKnows_00"  # the fake answers 401
    env["TELEGRAM_API_BASE"] = fake_telegram.base_url
    code, stderr = await hecbot_run(env, tmp_path)
    assert code != 0
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if "BOT_TOKEN" in line]
    assert len(lines) == 1, stderr
    assert "401 Unauthorized" in lines[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_telegram_is_retried_then_one_line(tmp_path: Path):
    env = clean_env(tmp_path)
    env["BOT_TOKEN"] = DEFAULT_TOKEN
    env["TELEGRAM_API_BASE"] = f"http://127.0.0.1:{closed_port()}"
    # The same `hecbot run`, waiting milliseconds between tries (the waits alone were 15 s).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    code, stderr = await hecbot_run(env, tmp_path, IMPATIENT_HECBOT)
    assert code != 0
    assert "Traceback" not in stderr
    retries = [line for line in stderr.splitlines() if "retrying in" in line]
    assert len(retries) == ATTEMPTS - 1, stderr
    assert all(f"(try {n} of {ATTEMPTS})" in line for n, line in enumerate(retries, 1))
    final = [line for line in stderr.splitlines() if f"after {ATTEMPTS} tries" in line]
    assert len(final) == 1, stderr
    assert final[0].startswith("hecbot: Telegram unreachable at http://127.0.0.1:")


def test_a_corrupt_sqlite_file_is_one_line_naming_it(tmp_path: Path):
    env = clean_env(tmp_path)
    database = tmp_path / "data" / "hecbot.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"this was never a database, " * 200)
    result = subprocess.run(
        [*HECBOT, "run"],  # no BOT_TOKEN: the terminal chat, over the same database
        input="/quit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if str(database) in line]
    assert len(lines) == 1, result.stderr
    assert "is not a SQLite database" in lines[0] and "move it away" in lines[0]
