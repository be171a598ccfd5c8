"""A test that configures logging leaves the root logger as it found it for the next test."""

from __future__ import annotations

from pathlib import Path

from tests.inner_pytest import run_pytest

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
    run = run_pytest(tmp_path, TWO_TESTS, "-p", "tests.hygiene", "-p", "no:xdist")
    assert "2 passed" in run.stdout, run.stdout + run.stderr
