"""What one test leaves behind that would hurt the tests after it, put back after each test.

Loaded for every run by `-p tests.hygiene` in pyproject.toml's pytest options.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _root_logger_as_it_was() -> Iterator[None]:
    """`configure_logging` (every in-process `hecbot` command a test runs) replaces the root
    logger's handlers with one writing to the sys.stderr of that moment: pytest's capture file,
    closed when the test ends. Every later log line from any thread (aiosmtpd's, a bot's) then
    printed "--- Logging error --- ValueError: I/O operation on closed file" into CI's output,
    and pytest's own log capture was gone for the rest of the process."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
