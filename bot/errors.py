"""Domain errors. The error router turns each into a message in the user's language."""

from __future__ import annotations

from typing import ClassVar


class HecbotError(Exception):
    """Base of every error hecbot expects and can explain to a person.

    `message_key` names the catalogue entry shown to a Telegram user; `args` carries the
    operator-facing text used by the CLI and logs.
    """

    message_key = "error-generic"

    @property
    def message_args(self) -> dict[str, str | int]:
        """The values the catalogue entry names (`{ $limit }`); none unless a subclass says."""
        return {}


class ConfigurationError(HecbotError):
    """A setting is missing or wrong; raised at start-up."""


class NotAllowedError(HecbotError):
    """The current user's role does not allow this action."""

    message_key = "error-not-allowed"


class NotFoundError(HecbotError):
    message_key = "error-not-found"


class RuleUnavailableError(NotFoundError):
    """A button names a rule the knowledge base no longer has (it was re-indexed since)."""

    message_key = "answer-rule-unavailable"


class InvalidInputError(HecbotError):
    message_key = "error-invalid-input"


class EmptyTextError(InvalidInputError):
    """A text a person typed (an answer, an FAQ entry) is empty."""

    message_key = "error-text-empty"


class TextTooLongError(InvalidInputError):
    """A text a person typed is over its limit: the message names the limit and the length,
    so they can shorten it (a bare "could not understand" left them guessing)."""

    message_key = "error-text-too-long"

    def __init__(self, what: str, length: int, limit: int) -> None:
        super().__init__(f"{what} of {length} characters (at most {limit})")
        self.length = length
        self.limit = limit

    @property
    def message_args(self) -> dict[str, str | int]:
        return {"length": self.length, "limit": self.limit}


class ServiceUnavailableError(HecbotError):
    """A backing service (database, index, Redis) is unreachable for now.

    `dependency` names it when it is one the process watches for outages (`bot.outages`):
    "database" for PostgreSQL.
    """

    message_key = "error-unavailable"
    # A webhook update that met it is left for Telegram to deliver again once the service is
    # back (the learner's message is then handled, not lost); False: the learner is told at once.
    redeliver: ClassVar[bool] = True

    def __init__(self, *args: object, dependency: str | None = None) -> None:
        super().__init__(*args)
        self.dependency = dependency


class KnowledgeUnavailableError(ServiceUnavailableError):
    """The knowledge index (a Chroma server in production) cannot answer right now.

    Unlike a database or Redis outage, the learner is told at once to ask again shortly: their
    update was handled, only the answer is missing.
    """

    message_key = "error-knowledge-unavailable"
    redeliver = False


class DatabaseTimeoutError(ServiceUnavailableError):
    """PostgreSQL cancelled a statement that ran, or waited for a lock, longer than the bot's
    timeouts (`DATABASE_STATEMENT_TIMEOUT_SECONDS`, `DATABASE_LOCK_TIMEOUT_SECONDS`).

    Not an outage: the database answered. The learner is asked to try again at once (the
    update already waited the whole timeout; delivering it again may meet the same wait), and
    the operator's log line names the timeout.
    """

    redeliver = False
