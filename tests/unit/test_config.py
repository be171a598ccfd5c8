from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigurationError


def test_defaults_put_sqlite_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HECBOT_DATA_DIR", str(tmp_path / "d"))
    settings = load_settings()
    assert settings.effective_database_url.endswith(str(tmp_path / "d" / "hecbot.sqlite3"))
    assert not settings.has_token


def test_admin_ids_accept_a_comma_list(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADMIN_IDS", "12, 5000000000")
    assert load_settings().admin_ids == frozenset({12, 5_000_000_000})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_IDS", "twelve"),
        ("DATABASE_URL", "mysql://x/y"),
        ("TELEGRAM_API_BASE", "api.telegram.org"),
        ("HECBOT_THROTTLE_SECONDS", "-1"),
        ("LLM_PROVIDER", "gpt"),
    ],
)
def test_a_wrong_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert str(raised.value).startswith(f"{name}:")
    assert "\n" not in str(raised.value)


def test_postgres_urls_get_the_async_driver(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    assert load_settings().effective_database_url.startswith("postgresql+asyncpg://")


def test_token_is_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef")
    settings = load_settings()
    assert "ABCDEFGHIJ" not in repr(settings)
    assert settings.has_token


def test_programme_texts_default_to_the_samples_and_urdu_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("PROGRAMME_NAME", "PROGRAMME_HELP_DESK"):
        monkeypatch.delenv(name, raising=False)
    assert load_settings().programme.texts() == {"en": {}, "ur": {}}
    settings = load_settings(
        PROGRAMME_NAME=" Indus Digital\n Learning Programme ",
        PROGRAMME_HELP_DESK="the IDLP help desk",
        PROGRAMME_HELP_DESK_UR="آئی ڈی ایل پی ہیلپ ڈیسک",
        PROGRAMME_EXAMPLE_QUESTION="",
    )
    assert settings.programme.texts() == {
        "en": {
            "-programme-name": "Indus Digital Learning Programme",
            "-help-desk": "the IDLP help desk",
        },
        "ur": {
            "-programme-name": "Indus Digital Learning Programme",
            "-help-desk": "آئی ڈی ایل پی ہیلپ ڈیسک",
        },
    }
