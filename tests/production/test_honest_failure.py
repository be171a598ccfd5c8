"""Honest failure at start-up (issue 13, item 9): what is wrong and how to fix it, in one line,
never a traceback and never a bot that starts as if nothing were missing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from knowledge.config import KnowledgeConfig
from knowledge.engine import build_engine
from tests.production.test_webhook_app import WebhookApp, webhook_app

__all__ = ["webhook_app"]

HECBOT = [sys.executable, "-m", "bot.cli"]
FIX = "hecbot kb index --bundled"


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    env["HECBOT_DATA_DIR"] = str(tmp_path / "data")
    return env


async def test_a_missing_rules_index_makes_the_instance_not_ready(
    webhook_app: WebhookApp, tmp_path: Path
):
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "no-index-here"))
    first = await asyncio.to_thread(engine.health)  # loads the model, as start-up's warm-up does
    assert not first.ok and FIX in first.detail
    webhook_app.answerer.health = engine.health  # type: ignore[attr-defined]
    for path in ("/readyz", "/healthz"):
        response = await webhook_app.http.get(webhook_app.server.make_url(path))
        body = await response.json()
        assert response.status == 503
        assert body["checks"]["knowledge"]["ok"] is False
        assert FIX in body["checks"]["knowledge"]["detail"]
    alive = await webhook_app.http.get(webhook_app.server.make_url("/livez"))
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
