"""Latency measurements ask the same questions again (benchmark rounds, evaluation modes): they
must run with the query-vector cache off, or they time a dictionary lookup, not a question."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import knowledge.engine as engine_module
from bench import knowledge as bench
from knowledge.config import BUNDLED_KB_DIR, KnowledgeConfig
from tests.knowledge.conftest import make_app


class StopBeforeWorkError(Exception):
    pass


def _capture(configs: list[KnowledgeConfig]) -> Any:
    def build(config: KnowledgeConfig, **_overrides: Any) -> Any:
        configs.append(config)
        raise StopBeforeWorkError

    return build


def test_the_knowledge_benchmark_runs_without_the_query_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    configs: list[KnowledgeConfig] = []
    monkeypatch.setattr(bench, "build_engine", _capture(configs))
    with pytest.raises(StopBeforeWorkError):
        bench.run_benchmark(BUNDLED_KB_DIR, tmp_path / "courses.csv", data_dir=tmp_path)
    assert [c.query_cache_size for c in configs] == [0]


def test_kb_eval_runs_without_the_query_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    configs: list[KnowledgeConfig] = []
    monkeypatch.setattr(engine_module, "build_engine", _capture(configs))
    result = CliRunner().invoke(
        make_app(KnowledgeConfig(data_dir=tmp_path)),
        ["kb", "eval", "--questions", "knowledge/eval/questions.yaml", "--kb", str(BUNDLED_KB_DIR)],
    )
    assert isinstance(result.exception, StopBeforeWorkError), result.output
    assert [c.query_cache_size for c in configs] == [0]
