"""A test that configures logging leaves the root logger as it found it for the next test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

TWO_TESTS = """
import logging

from bot.logging_setup import configure_logging


def test_a_command_configures_logging():
    configure_logging("DEBUG", "text")  # onto sys.stderr, which is pytest's capture file now


def test_the_next_test_logs_from_a_clean_root_logger():
    root = logging.getLogger()
    assert root.level != logging.DEBUG
    assert not any(
        isinstance(handler, logging.StreamHandler) and getattr(handler.stream, "closed", False)
        for handler in root.handlers
    ), root.handlers
"""


def test_a_test_that_configures_logging_leaves_the_root_logger_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "test_two.py").write_text(TWO_TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(tmp_path / "pytest.ini"),
            "--rootdir",
            str(tmp_path),
            "-p",
            "tests.hygiene",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            str(tmp_path / "test_two.py"),
        ],
        check=False,  # the assertions below read the inner run's outcome
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "2 passed" in run.stdout, run.stdout + run.stderr
