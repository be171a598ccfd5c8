"""The one rate-limited, persistent send queue for every message that is not a direct reply.

Features call `Outbox.enqueue_job(...)`; a `DeliveryWorker` (embedded in the bot process or
`hecbot worker`) sends the rows; periodic feature work registers with the `Scheduler`.
"""

from bot.delivery.clock import Clock, SystemClock
from bot.delivery.messages import JobProgress, JobSummary, OutgoingMessage
from bot.delivery.outbox import (
    PRIORITY_BROADCAST,
    PRIORITY_REMINDER,
    PRIORITY_REPORT,
    PRIORITY_SURVEY,
    PRIORITY_TICKET,
    EnqueueJob,
    Outbox,
)
from bot.delivery.scheduler import RunDue, Scheduler

__all__ = [
    "PRIORITY_BROADCAST",
    "PRIORITY_REMINDER",
    "PRIORITY_REPORT",
    "PRIORITY_SURVEY",
    "PRIORITY_TICKET",
    "Clock",
    "EnqueueJob",
    "JobProgress",
    "JobSummary",
    "Outbox",
    "OutgoingMessage",
    "RunDue",
    "Scheduler",
    "SystemClock",
]
