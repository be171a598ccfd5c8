"""The retrieval snapshot: a new process answers from it without Chroma, never from a stale one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from knowledge.chunking import Chunk
from knowledge.config import KnowledgeConfig
from knowledge.engine import build_engine
from knowledge.snapshot import chroma_stamp, read_snapshot
from tests.knowledge.conftest import NOTICE_TXT, HashEmbedder

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _index_notice(tmp_path: Path) -> tuple[KnowledgeConfig, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notice.txt").write_text(NOTICE_TXT, encoding="utf-8")
    config = KnowledgeConfig(data_dir=tmp_path / "data")
    build_engine(config, embedder=HashEmbedder()).index_paths([docs])
    return config, docs


def test_indexing_leaves_a_snapshot_matching_the_index(tmp_path):
    config, _ = _index_notice(tmp_path)
    stamp = chroma_stamp(config.chroma_path, config.collection)
    snapshot = read_snapshot(
        config.data_dir / "retrieval-snapshot", config.collection, HashEmbedder(), stamp
    )
    assert snapshot is not None
    assert stamp is not None and stamp["vectors"] == len(snapshot.chunks) > 0
    assert any("orientation webinar" in chunk.text for chunk in snapshot.chunks)


def test_a_new_engine_answers_from_the_snapshot_without_importing_chromadb(tmp_path):
    config, _ = _index_notice(tmp_path)
    # The test-only embedder is written out here: tests.knowledge.conftest imports Chroma.
    script = f"""
import hashlib, sys
from pathlib import Path
import numpy as np
from knowledge.config import KnowledgeConfig
from knowledge.engine import build_engine

class HashEmbedder:
    name = "test-hash"
    dim = 64
    def embed_queries(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
        return out
    embed_passages = embed_queries

engine = build_engine(KnowledgeConfig(data_dir=Path({str(config.data_dir)!r})),
                      embedder=HashEmbedder())
passages = engine.retriever.retrieve("When is the orientation webinar?", top_k=1)
print(passages[0].chunk.source, engine.health().ok, "chromadb" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    )
    assert result.stdout.split() == ["notice.txt", "True", "False"]


def test_a_write_by_another_process_makes_the_snapshot_stale(tmp_path):
    config, docs = _index_notice(tmp_path)
    # Another writer adds a chunk straight through Chroma (not through this engine).
    other = build_engine(config, embedder=HashEmbedder())
    other.store.add_chunks(
        [
            Chunk(
                id="extra",
                text="The helpdesk phone line opens at nine.",
                title="Helpdesk",
                section="",
                source="extra.txt",
                root=str(docs),
                content_hash="x",
                ordinal=0,
            )
        ]
    )
    stamp = chroma_stamp(config.chroma_path, config.collection)
    directory = config.data_dir / "retrieval-snapshot"
    assert read_snapshot(directory, config.collection, HashEmbedder(), stamp) is None
    fresh = build_engine(config, embedder=HashEmbedder())
    best = fresh.retriever.retrieve("helpdesk phone line", top_k=1)[0]
    assert best.chunk.id == "extra"
    # Reading the store again wrote a snapshot of its new state.
    assert read_snapshot(directory, config.collection, HashEmbedder(), stamp) is not None


def test_a_snapshot_of_another_embedder_or_damaged_is_not_used(tmp_path):
    config, _ = _index_notice(tmp_path)
    stamp = chroma_stamp(config.chroma_path, config.collection)
    directory = config.data_dir / "retrieval-snapshot"
    assert read_snapshot(directory, config.collection, HashEmbedder("other"), stamp) is None
    manifest = directory / f"{config.collection}.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    (directory / data["vectors"]).unlink()
    assert read_snapshot(directory, config.collection, HashEmbedder(), stamp) is None
    manifest.write_text("{not json", encoding="utf-8")
    assert read_snapshot(directory, config.collection, HashEmbedder(), stamp) is None


def test_no_stamp_without_a_local_index(tmp_path):
    assert chroma_stamp(tmp_path / "chroma", "hecbot_kb") is None
    (tmp_path / "chroma").mkdir()
    (tmp_path / "chroma" / "chroma.sqlite3").write_bytes(b"not a database")
    assert chroma_stamp(tmp_path / "chroma", "hecbot_kb") is None
