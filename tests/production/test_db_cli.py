"""`hecbot db downgrade REV`: the rollback step of the deployment docs, without raw alembic."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


def test_db_upgrade_then_downgrade_to_a_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HECBOT_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    downgraded = runner.invoke(app, ["db", "downgrade", "0001"])
    assert downgraded.exit_code == 0, downgraded.output
    with sqlite3.connect(tmp_path / "data" / "hecbot.sqlite3") as connection:
        [(revision,)] = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert revision == "0001"
