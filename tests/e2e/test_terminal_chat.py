"""`hecbot chat` and `hecbot run` without a token: the same handlers, printed in a terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.i18n import Catalogue
from knowledge.engine import KnowledgeEngine

HECBOT = [sys.executable, "-m", "bot.cli"]


@pytest.fixture
def indexed_env(knowledge_engine: KnowledgeEngine, tmp_path: Path) -> dict[str, str]:
    """An environment whose data dir already holds the bundled index (copied, so it is ours)."""
    data_dir = tmp_path / "data"
    shutil.copytree(knowledge_engine.config.data_dir, data_dir)
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    # The default flood control stays on: piped lines arrive faster than any person types, and
    # the terminal chat must still answer every one.
    env.pop("HECBOT_THROTTLE_SECONDS", None)
    env["HECBOT_DATA_DIR"] = str(data_dir)
    return env


def chat(env: dict[str, str], *lines: str, command: str = "chat") -> str:
    result = subprocess.run(
        [*HECBOT, command],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(env["HECBOT_DATA_DIR"]).parent,
        timeout=180,
        check=True,
    )
    return result.stdout


def test_terminal_chat_answers_with_citations_and_numbered_buttons(indexed_env):
    # Onboarding: [1] agree to the privacy notice, [2] Urdu, [1] student, the university.
    out = chat(
        indexed_env,
        "1",
        "2",
        "1",
        "comsats",
        "1",
        "How do I apply for a Coursera licence?",
        "license kab tak chalta hai?",
        "/quit",
    )
    assert "[1] English" in out and "[2] اردو" in out
    assert "آپ کون ہیں" in out  # pressing [2] chose Urdu: the next step is asked in Urdu
    assert "حوالہ جات" in out  # the answer's sources, labelled in Urdu
    assert "[1] 👍" in out
    # The Roman Urdu question about how long a licence lasts ("until when"), answered from the
    # rule's Urdu version: the learner chose Urdu.
    assert "6 ماہ" in out or "23:59 پر ختم" in out
    catalogue = Catalogue.load()
    for language in ("en", "ur"):  # no flood notice for a local user
        assert catalogue.text(language, "throttled") not in out


def test_run_without_a_token_opens_the_terminal_chat(indexed_env):
    out = chat(indexed_env, "/help", command="run")
    assert "BOT_TOKEN is not set" in out
    assert "/language" in out


def test_a_wrong_setting_stops_start_up_with_one_line(indexed_env):
    env = {**indexed_env, "ADMIN_IDS": "not-a-number"}
    result = subprocess.run(
        [*HECBOT, "chat"], check=False, capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hecbot: configuration error: ADMIN_IDS:")


def test_forget_in_the_terminal_removes_the_file_mydata_wrote(indexed_env):
    data_dir = Path(indexed_env["HECBOT_DATA_DIR"])
    out = chat(indexed_env, "/mydata")
    [written] = list(data_dir.rglob("hecbot-my-data.json"))
    assert str(written) in out
    chat(indexed_env, "/forget", "1")  # [1] Yes, delete
    assert list(data_dir.rglob("hecbot-my-data.json")) == []
