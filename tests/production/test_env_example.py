"""`.env.example` documents every setting, with a comment, and nothing that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, environment_variables, load_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def settings_variables() -> set[str]:
    return environment_variables()


def documented_variables() -> dict[str, bool]:
    """Variable -> whether a comment precedes it (directly or in its block)."""
    documented: dict[str, bool] = {}
    commented = False
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.startswith("#"):
            commented = True
        elif match := re.match(r"^([A-Z][A-Z0-9_]*)=", line):
            documented[match.group(1)] = commented
        elif not line.strip():
            commented = False
    return documented


def test_every_setting_is_in_env_example_with_a_comment():
    documented = documented_variables()
    assert settings_variables() - set(documented) == set(), "settings missing from .env.example"
    assert set(documented) - settings_variables() == set(), ".env.example names unknown settings"
    assert [name for name, commented in documented.items() if not commented] == []


def test_env_example_values_load():
    values = {
        name: value
        for name, value in (
            line.split("=", 1)
            for line in ENV_EXAMPLE.read_text().splitlines()
            if re.match(r"^[A-Z]", line)
        )
        if value
    }
    settings = Settings(**values)  # type: ignore[arg-type]
    assert settings.telegram.webhook_path == "/telegram/webhook"
    assert settings.database.redis_key_prefix == "hecbot"


def test_env_example_copied_to_dot_env_loads_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # What the deployment steps do: `cp .env.example .env`, empty values (CHROMA_URL=,
    # WORKER_HEALTH_PORT=, ...) and all.
    (tmp_path / ".env").write_text(ENV_EXAMPLE.read_text())
    monkeypatch.chdir(tmp_path)
    for name in settings_variables():
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.knowledge.chroma_url is None
    assert settings.delivery.worker_health_port is None
    assert settings.delivery.send_rate_per_second + settings.delivery.send_burst <= 30
