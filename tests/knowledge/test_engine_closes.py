"""The engine closes what it opens: its Chroma client (chromadb keeps each client's System, with
the Rust bindings' runtime and its threads, in a class-level cache until the client is closed)
and its question-encoding threads, and so does every `hecbot kb`/`hecbot ask` command run
in-process. A test worker once held about 300 threads after the knowledge tests, among them 28
idle encoding threads; one full run in ten hung with the main thread waiting, most likely, on a
native thread of chromadb's."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from chromadb.api.shared_system_client import SharedSystemClient
from typer.testing import CliRunner

from knowledge import engine as engine_module
from knowledge.config import KnowledgeConfig
from knowledge.engine import KnowledgeEngine, build_engine
from knowledge.errors import EmbedderMismatchError, EngineClosedError
from tests.knowledge.conftest import LICENCE_MD, HashEmbedder, make_app


def chroma_open(config: KnowledgeConfig) -> bool:
    """Whether chromadb still holds a System (an open client) for the index of ``config``."""
    return str(config.chroma_path) in SharedSystemClient._identifier_to_system


def encoding_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("query-batcher")}


@pytest.fixture
def licence_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "licence.md").write_text(LICENCE_MD, encoding="utf-8")
    return folder


def test_shutting_the_engine_down_closes_its_chroma_client(
    hash_engine: KnowledgeEngine, licence_folder: Path
) -> None:
    assert hash_engine.index_paths([licence_folder]).added == ["licence.md"]
    assert chroma_open(hash_engine.config)
    hash_engine.shutdown()
    assert not chroma_open(hash_engine.config)
    with pytest.raises(EngineClosedError):
        hash_engine.list_sources()  # no client is opened again behind the shutdown
    hash_engine.shutdown()  # a second shutdown is harmless


def test_rebuilding_the_index_leaves_no_client_behind(
    hash_engine: KnowledgeEngine, licence_folder: Path
) -> None:
    """`reset` opened a client of its own to drop the collection and kept both open."""
    hash_engine.index_paths([licence_folder])
    assert hash_engine.index_paths([licence_folder], rebuild=True).added == ["licence.md"]
    assert [info.source for info in hash_engine.list_sources()] == ["licence.md"]
    hash_engine.shutdown()
    assert not chroma_open(hash_engine.config)


def test_an_index_of_another_embedder_is_refused_and_its_client_closed(
    tmp_path: Path, licence_folder: Path
) -> None:
    config = KnowledgeConfig(data_dir=tmp_path / "data")
    with build_engine(config, embedder=HashEmbedder("embedder-a")) as first:
        first.index_paths([licence_folder])
    other = build_engine(config, embedder=HashEmbedder("embedder-b"))
    with pytest.raises(EmbedderMismatchError):
        other.list_sources()
    assert not chroma_open(other.config)
    other.shutdown()


def test_cli_commands_end_their_engine_threads_and_close_the_index(
    tmp_path: Path, licence_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each command, run in-process as the tests run them, shuts its engine down: before, every
    `kb` or `ask` left a Chroma client and two idle encoding threads in the process."""
    monkeypatch.setattr(engine_module, "make_embedder", lambda *_: HashEmbedder())
    config = KnowledgeConfig(data_dir=tmp_path / "data", query_batch_ms=2.0, embed_replicas=2)
    app = make_app(config)
    runner = CliRunner()
    before = encoding_threads()
    for command in (
        ["kb", "index", str(licence_folder)],
        ["kb", "list"],
        ["kb", "stats"],
        ["ask", "How long does a licence last?"],
        ["kb", "remove", "licence.md"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output)
        assert not chroma_open(config), command
        assert encoding_threads() == before, command
