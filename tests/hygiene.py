"""What one test leaves behind that would hurt the tests after it, put back after each test.

Loaded for every run by `-p tests.hygiene` in pyproject.toml's pytest options.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from typing import Any

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


@pytest.fixture(autouse=True)
def _knowledge_engines_shut_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every knowledge engine a test makes (in its body, its function-scoped fixtures, or a
    `hecbot` command it runs in-process) is shut down when the test ends: its question-encoding
    threads end and its Chroma client closes. Left open, each kept chromadb's Rust runtime
    (about eight native threads) and two encoding threads to the end of the worker: one held
    about 300 threads after the knowledge tests, and one full run in ten hung with the main
    thread waiting, most likely, on such a native thread (tests/watchdog.py).

    An engine of a wider-scoped fixture is made before this fixture (pytest sets up higher
    scopes first) and is left to that fixture, which shuts it down at its own end."""
    engine_module = sys.modules.get("knowledge.engine")
    if engine_module is None:  # a run that never loads the knowledge stack
        yield
        return
    engine_class = engine_module.KnowledgeEngine
    made: list[Any] = []
    initialise = engine_class.__init__

    def track(engine: Any, *args: Any, **kwargs: Any) -> None:
        initialise(engine, *args, **kwargs)
        made.append(engine)

    monkeypatch.setattr(engine_class, "__init__", track)
    try:
        yield
    finally:
        monkeypatch.setattr(engine_class, "__init__", initialise)
        for engine in made:
            engine.shutdown()
