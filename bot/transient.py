"""Errors that mean "a backing service is down for now": retry later, do not report a bug."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.errors import ServiceUnavailableError

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    ServiceUnavailableError,
    RedisConnectionError,
    RedisTimeoutError,
    # The learner's per-user lock is still held after its wait ran out: most often a lock an
    # instance could not release while Redis was unreachable, which expires on its own. The
    # update must wait for it (Telegram delivers it again), not be dropped as a failure.
    LockError,
)

# Workflow-data key: set by the webhook server, whose caller (Telegram) redelivers an update that
# got an error status. The error router then re-raises transient errors instead of replying
# "try again", so the learner's message is handled once the service is back.
REDELIVER_ON_OUTAGE = "redeliver_on_outage"


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_ERRORS)
