"""Production settings: webhook secret and URL checks, the log salt, webhook mode's requirements."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigurationError
from bot.telegram.runner import run_webhook


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "WEBHOOK_SECRET", "WEBHOOK_URL", "HECBOT_LOG_SALT"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBHOOK_SECRET", "has spaces and !"),
        ("WEBHOOK_SECRET", "x" * 257),
        ("WEBHOOK_URL", "bot.example.org/hook"),
        ("WEBHOOK_PATH", "no-leading-slash"),
        ("REDIS_KEY_PREFIX", "with space"),
        ("WEBHOOK_MAX_CONNECTIONS", "101"),
    ],
)
def test_a_wrong_production_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=f"^{name}: "):
        load_settings()


def test_the_log_salt_is_stable_per_deployment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAHecbotFakeTokenForLoopbackTests_01")
    derived = load_settings().user_hash_salt
    assert derived == load_settings().user_hash_salt
    assert "AAHecbot" not in derived
    monkeypatch.setenv("HECBOT_LOG_SALT", "chosen-salt")
    assert load_settings().user_hash_salt == "chosen-salt"


async def test_webhook_mode_refuses_to_start_without_a_secret(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAHecbotFakeTokenForLoopbackTests_01")
    with pytest.raises(ConfigurationError, match="WEBHOOK_SECRET"):
        await run_webhook(load_settings())
