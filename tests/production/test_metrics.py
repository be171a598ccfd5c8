"""Metrics: the delivery sender's outcomes and 429s are counted through `MeteredSender`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.metrics import BotMetrics, MeteredSender


class Kind(StrEnum):  # as bot.delivery.telegram.OutcomeKind
    SENT = "sent"
    BLOCKED = "blocked"
    RETRY_AFTER = "retry_after"


@dataclass(frozen=True)
class Outcome:
    kind: Kind


class ScriptedSender:
    def __init__(self, outcomes: list[Kind]) -> None:
        self._outcomes = list(outcomes)
        self.edits: list[tuple[int, int, str]] = []

    async def send(self, message: object) -> Outcome:
        return Outcome(self._outcomes.pop(0))

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        self.edits.append((chat_id, message_id, text))


async def test_send_outcomes_are_counted_and_pass_through():
    metrics = BotMetrics()
    inner = ScriptedSender([Kind.SENT, Kind.SENT, Kind.BLOCKED, Kind.RETRY_AFTER])
    sender = MeteredSender(inner, metrics, kind="broadcast")
    outcomes = [await sender.send(object()) for _ in range(4)]
    await sender.edit_text(1, 2, "progress")

    assert [o.kind for o in outcomes] == [Kind.SENT, Kind.SENT, Kind.BLOCKED, Kind.RETRY_AFTER]
    labels = {"kind": "broadcast", "outcome": "sent"}
    assert metrics.value("hecbot_delivery_sends_total", labels) == 2
    labels["outcome"] = "blocked"
    assert metrics.value("hecbot_delivery_sends_total", labels) == 1
    # 429s are counted where every Bot API call passes (bot.delivery.session), not twice here.
    assert metrics.value("hecbot_telegram_rate_limited_total") == 0
    assert inner.edits == [(1, 2, "progress")]
    assert b'hecbot_delivery_sends_total{kind="broadcast",outcome="sent"} 2.0' in metrics.render()
