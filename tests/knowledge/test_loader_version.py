"""A file unchanged on disk is read again by `kb index` when hecbot's loaders changed since it
was indexed (the loader version recorded with its chunks differs), so a loader fix reaches an
existing index without `kb index --rebuild`; unchanged files of the same version are skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import knowledge.index
from knowledge.engine import KnowledgeEngine
from knowledge.loaders import LOADER_VERSION, LoadedDocument, load_document

from .conftest import build_fixture_kb

DOCUMENTS = ["certificates.docx", "eligibility.pdf", "helpdesk.html", "licence.md", "notice.txt"]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = build_fixture_kb(tmp_path / "docs")
    shutil.rmtree(folder / "bad")
    return folder


def test_each_indexed_file_records_the_loader_version(hash_engine: KnowledgeEngine, docs: Path):
    hash_engine.index_paths([docs])
    assert {info.loader_version for info in hash_engine.list_sources()} == {LOADER_VERSION}
    again = hash_engine.index_paths([docs])
    assert sorted(again.unchanged) == DOCUMENTS and not again.changed and not again.reread


def test_a_loader_change_reaches_unchanged_files_on_the_next_index(
    hash_engine: KnowledgeEngine, docs: Path, monkeypatch: pytest.MonkeyPatch
):
    hash_engine.index_paths([docs])

    # The next release reads Markdown differently (a loader fix) and says so by its version.
    def fixed_loader(path: Path) -> LoadedDocument:
        document = load_document(path)
        if path.suffix != ".md":
            return document
        fixed = document.markdown.replace("six months", "six months (fixed loader)")
        return LoadedDocument(**{**document.__dict__, "markdown": fixed})

    monkeypatch.setattr(knowledge.index, "load_document", fixed_loader)
    monkeypatch.setattr(knowledge.index, "LOADER_VERSION", LOADER_VERSION + 1)
    upgraded = hash_engine.index_paths([docs])
    assert sorted(upgraded.replaced) == sorted(upgraded.reread) == DOCUMENTS
    assert not upgraded.added and not upgraded.unchanged and not upgraded.failed
    assert "six months (fixed loader)" in " ".join(c.text for c in hash_engine.store.all_chunks())
    assert {info.loader_version for info in hash_engine.list_sources()} == {LOADER_VERSION + 1}
    # Read once: the run after skips them again.
    assert sorted(hash_engine.index_paths([docs]).unchanged) == DOCUMENTS


def test_an_index_built_before_loader_versions_were_recorded_is_read_again_once(
    hash_engine: KnowledgeEngine, docs: Path
):
    hash_engine.index_paths([docs])
    collection = hash_engine.store._collection
    stored = collection.get(include=["documents", "metadatas", "embeddings"])
    # As an earlier release stored them: the same chunks without the loader's version.
    collection.delete(ids=stored["ids"])
    collection.add(
        ids=stored["ids"],
        documents=stored["documents"],
        embeddings=stored["embeddings"],
        metadatas=[
            {key: value for key, value in meta.items() if key != "loader"}
            for meta in stored["metadatas"]
        ],
    )
    assert {info.loader_version for info in hash_engine.list_sources()} == {1}
    upgraded = hash_engine.index_paths([docs])
    assert sorted(upgraded.reread) == DOCUMENTS
    assert sorted(hash_engine.index_paths([docs]).unchanged) == DOCUMENTS
