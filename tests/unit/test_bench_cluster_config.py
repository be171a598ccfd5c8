"""The cluster the load, sustained and startup benchmarks start their instances in
(bench/load.py: bench_cluster_config)."""

from __future__ import annotations

from pathlib import Path

from bench.load import bench_cluster_config

SHARED = {"database_url": "postgresql://db", "redis_url": "redis://r", "redis_key_prefix": "p"}


def test_the_instances_live_under_the_runs_directory_with_the_bots_defaults(tmp_path: Path):
    config = bench_cluster_config(**SHARED, root=tmp_path)
    assert config.data_dir == tmp_path / "cluster"
    assert (config.database_url, config.redis_url, config.redis_key_prefix) == (
        "postgresql://db",
        "redis://r",
        "p",
    )
    # The query-vector cache keeps the bot's default size: nothing overrides it.
    assert config.extra_env == {"ANSWERER": "engine"}


def test_questions_never_seen_before_are_measured_without_the_query_cache(tmp_path: Path):
    config = bench_cluster_config(
        **SHARED,
        root=tmp_path,
        answerer="stub",
        query_cache=False,
        env={"HECBOT_EMBED_REPLICAS": "1"},
    )
    assert config.extra_env == {
        "ANSWERER": "stub",
        "HECBOT_QUERY_CACHE_SIZE": "0",
        "HECBOT_EMBED_REPLICAS": "1",
    }
