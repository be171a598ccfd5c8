"""Prometheus metrics of one bot or worker process, served on `/metrics`.

Each `BotMetrics` owns its own `CollectorRegistry` (never prometheus_client's global one), so
several apps in one test process, or a bot and a worker, never clash over metric names.
Services receive the small protocols below rather than this class, which keeps them free of
Prometheus.
"""

from __future__ import annotations

from typing import Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# Answer latency buckets (seconds): the target is p95 under 0.5 s.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0)
# Webhook request buckets: up to the 25 s a learner's update may wait for their lock, and
# aiogram's 55 s before it answers a slow update and goes on in the background.
WEBHOOK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 55.0)


class AnswerMetrics(Protocol):
    """What `QuestionService` reports about each answer."""

    def answer_observed(self, *, latency_seconds: float, abstained: bool) -> None: ...


class DeliveryMetrics(Protocol):
    """What the delivery sender reports about each Telegram send.

    `kind` is the job kind ("broadcast", "survey", ...); `outcome` is one of "sent", "failed",
    "blocked".
    """

    def message_sent(self, *, kind: str, outcome: str) -> None: ...

    def rate_limited(self) -> None: ...


class BotMetrics:
    """The counters and histograms of one process, on a private registry."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, namespace: str = "hecbot") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "updates_handled",
            "Telegram updates handled, by update type (once each: redeliveries not counted).",
            ["type"],
            namespace=namespace,
            registry=self.registry,
        )
        self.errors = Counter(
            "errors",
            "Updates that ended in an error, by error class.",
            ["error"],
            namespace=namespace,
            registry=self.registry,
        )
        self.answer_latency = Histogram(
            "answer_latency_seconds",
            "Time to answer a learner's question, knowledge lookup and storage included.",
            buckets=LATENCY_BUCKETS,
            namespace=namespace,
            registry=self.registry,
        )
        self.abstentions = Counter(
            "answers_abstained",
            "Questions the knowledge base could not answer (the bot said so).",
            namespace=namespace,
            registry=self.registry,
        )
        self.sends = Counter(
            "delivery_sends",
            "Outbox messages sent to Telegram, by job kind and outcome.",
            ["kind", "outcome"],
            namespace=namespace,
            registry=self.registry,
        )
        self.rate_limits = Counter(
            "telegram_rate_limited",
            "Telegram answers 429 Too Many Requests.",
            namespace=namespace,
            registry=self.registry,
        )
        self.duplicates = Counter(
            "updates_duplicate",
            "Updates Telegram delivered again after they were handled: skipped.",
            namespace=namespace,
            registry=self.registry,
        )
        self.telegram_sends = Counter(
            "telegram_sends",
            "Messages sent to Telegram (counted calls only), by kind: reply, outbox, paid.",
            ["kind"],
            namespace=namespace,
            registry=self.registry,
        )
        self.retries = Counter(
            "telegram_retries",
            "Bot API calls sent again after a 429 was waited out, by kind.",
            ["kind"],
            namespace=namespace,
            registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "outbox_backlog",
            "Outbox rows waiting to be sent (pending or sending), read at scrape time.",
            namespace=namespace,
            registry=self.registry,
        )
        self.outbox_oldest_due_age = Gauge(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row that is due and not sent (0 when none).",
            namespace=namespace,
            registry=self.registry,
        )
        self.worker_heartbeat = Gauge(
            "worker_heartbeat_timestamp_seconds",
            "Unix time of the delivery worker's last loop in this process (0: no worker here).",
            namespace=namespace,
            registry=self.registry,
        )
        self.degraded = Gauge(
            "degraded",
            "1 while a dependency is failing and the process carries on without it, by dependency.",
            ["dependency"],
            namespace=namespace,
            registry=self.registry,
        )
        self.malformed_webhooks = Counter(
            "webhook_rejected",
            "Webhook requests refused, by reason.",
            ["reason"],
            namespace=namespace,
            registry=self.registry,
        )
        # Telegram holds one of its `max_connections` for each update until it is answered
        # (updates are answered after they are handled): in flight x instances must stay
        # below WEBHOOK_MAX_CONNECTIONS (docs/scaling.md).
        self.webhook_in_flight = Gauge(
            "webhook_requests_in_flight",
            "Webhook updates received and not yet answered (Telegram connections held).",
            namespace=namespace,
            registry=self.registry,
        )
        self.webhook_seconds = Histogram(
            "webhook_request_seconds",
            "Time from a webhook update's arrival to its answer (a Telegram connection held).",
            buckets=WEBHOOK_BUCKETS,
            namespace=namespace,
            registry=self.registry,
        )

    # AnswerMetrics
    def answer_observed(self, *, latency_seconds: float, abstained: bool) -> None:
        self.answer_latency.observe(latency_seconds)
        if abstained:
            self.abstentions.inc()

    # DeliveryMetrics
    def message_sent(self, *, kind: str, outcome: str) -> None:
        self.sends.labels(kind=kind, outcome=outcome).inc()

    def rate_limited(self) -> None:
        self.rate_limits.inc()

    def duplicate_update(self) -> None:
        self.duplicates.inc()

    def send_retried(self, kind: str) -> None:
        self.retries.labels(kind=kind).inc()

    def telegram_sent(self, kind: str) -> None:
        self.telegram_sends.labels(kind=kind).inc()

    def update_handled(self, update_type: str) -> None:
        self.updates.labels(type=update_type).inc()

    def error_seen(self, error: BaseException) -> None:
        self.errors.labels(error=type(error).__name__).inc()

    def webhook_rejected(self, reason: str) -> None:
        self.malformed_webhooks.labels(reason=reason).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric of this process."""
        return bytes(generate_latest(self.registry))

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """One sample's current value (0 when never observed); for tests and `python -m bench`."""
        sample = self.registry.get_sample_value(name, labels or {})
        return float(sample) if sample is not None else 0.0


class MeteredSender:
    """Wraps the delivery worker's sender so every send outcome is counted (429s: elsewhere).

    Duck-typed on purpose (`send(message) -> outcome` with `outcome.kind`, as
    `bot.delivery.telegram.MessageSender`), so metrics need not import the delivery package:
    `DeliveryWorker(..., sender=MeteredSender(TelegramSender(bot), services.metrics))`.
    """

    RATE_LIMITED_KINDS = frozenset({"retry_after"})

    def __init__(self, inner: Any, metrics: DeliveryMetrics, kind: str = "outbox") -> None:
        self._inner = inner
        self._metrics = metrics
        self._kind = kind

    async def send(self, message: Any) -> Any:
        outcome = await self._inner.send(message)
        outcome_kind = str(getattr(outcome, "kind", "unknown"))
        # A 429 is counted once, where every Bot API call passes (bot.delivery.session).
        if outcome_kind not in self.RATE_LIMITED_KINDS:
            self._metrics.message_sent(kind=self._kind, outcome=outcome_kind)
        return outcome

    def __getattr__(self, name: str) -> Any:
        # edit_text and anything else the sender offers pass straight through.
        return getattr(self._inner, name)
