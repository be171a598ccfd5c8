"""The memory benchmark measures a bot that really answered (bench/memory.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.memory import bot_peak_rss_mb
from knowledge.config import BUNDLED_KB_DIR, KnowledgeConfig
from knowledge.engine import build_engine

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_the_terminal_chat_answers_and_its_peak_memory_is_read(tmp_path: Path):
    report = build_engine(KnowledgeConfig(data_dir=tmp_path / "data")).index_paths([BUNDLED_KB_DIR])
    assert not report.failed
    peak = bot_peak_rss_mb(tmp_path / "data", ["How long does a Coursera licence last?"])
    assert 50 < peak < 2000
    transcript = (tmp_path / "data" / "bench-transcript.txt").read_text()
    assert "6 months" in transcript or "six months" in transcript.lower()


def test_a_chat_that_cannot_answer_is_an_error_not_a_figure(tmp_path: Path):
    empty = tmp_path / "empty"  # no index: every question gets "try again shortly"
    empty.mkdir()
    with pytest.raises(RuntimeError, match="answered 0 questions"):
        bot_peak_rss_mb(empty, ["How long does a Coursera licence last?"])
