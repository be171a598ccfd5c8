"""Errors that mean "a backing service is down for now": retry later, do not report a bug."""

from __future__ import annotations

from aiogram.exceptions import TelegramRetryAfter
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError

from bot.errors import ServiceUnavailableError
from bot.outages import Outages, OutageWatch
from bot.storage.db import is_outage_error

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    ServiceUnavailableError,
    RedisConnectionError,
    RedisTimeoutError,
    # The learner's per-user lock is still held after its wait ran out: most often a lock an
    # instance could not release while Redis was unreachable, which expires on its own. The
    # update must wait for it (Telegram delivers it again), not be dropped as a failure.
    LockError,
    # Telegram still refused the reply after the retries (bot.delivery.session): the update is
    # not done; Telegram delivers it again.
    TelegramRetryAfter,
    # A restart or failover seen outside `Database.session` (is_transient checks which).
    DBAPIError,
)

# Workflow-data key: set by the webhook server, whose caller (Telegram) redelivers an update that
# got an error status. The error router then re-raises transient errors instead of replying
# "try again", so the learner's message is handled once the service is back.
REDELIVER_ON_OUTAGE = "redeliver_on_outage"


def is_transient(error: BaseException) -> bool:
    if isinstance(error, DBAPIError):
        return (
            error.connection_invalidated
            or is_outage_error(error.orig)
            or is_outage_error(error.__cause__)
        )
    return isinstance(error, TRANSIENT_ERRORS)


def dependency_of(error: BaseException) -> str | None:
    """Which watched dependency's outage `error` shows: "redis", "database", or None (Telegram's
    429, a learner's lock still held, the knowledge or mail server keep their own line per
    update)."""
    cause: BaseException | None = error
    for _ in range(5):
        if cause is None:
            break
        if isinstance(cause, RedisConnectionError | RedisTimeoutError):
            return "redis"
        if isinstance(cause, ServiceUnavailableError):
            return cause.dependency
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, DBAPIError) and is_transient(error):
        return "database"
    return None


def watch_for(error: BaseException, outages: Outages) -> OutageWatch | None:
    """The process's watch of the dependency `error` shows down, if it is one."""
    dependency = dependency_of(error)
    if dependency == "redis":
        return outages.redis
    if dependency == "database":
        return outages.database
    return None


def report_outage(error: BaseException, outages: Outages | None) -> bool:
    """Tell the watch of the dependency `error` shows down; True when one took it (it logs the
    outage once, so the caller's own line per update can go to DEBUG)."""
    watch = watch_for(error, outages) if outages is not None else None
    if watch is None:
        return False
    watch.failed(error)
    return True
