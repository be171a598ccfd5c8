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


ENGINE_TESTS = """
from pathlib import Path

import numpy as np
from chromadb.api.shared_system_client import SharedSystemClient

from knowledge.config import KnowledgeConfig
from knowledge.engine import build_engine

CONFIG = KnowledgeConfig(data_dir=Path(__file__).with_name("data"))


class OneWordEmbedder:
    name = "one-word"
    dim = 2

    def embed_queries(self, texts):
        return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)

    embed_passages = embed_queries


def index_open():
    return str(CONFIG.chroma_path) in SharedSystemClient._identifier_to_system


def test_a_test_makes_an_engine_and_leaves_it_open():
    engine = build_engine(CONFIG, embedder=OneWordEmbedder())
    assert engine.list_sources() == []  # opens the Chroma client
    assert index_open()


def test_the_next_test_finds_its_chroma_client_closed():
    assert not index_open()
"""


def test_an_engine_a_test_leaves_open_is_shut_down_when_the_test_ends(tmp_path: Path) -> None:
    run = run_pytest(tmp_path, ENGINE_TESTS, "-p", "tests.hygiene", "-p", "no:xdist")
    assert "2 passed" in run.stdout, run.stdout + run.stderr
