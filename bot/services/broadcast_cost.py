"""What a broadcast costs in time, and in Telegram Stars when sent as a paid broadcast.

Telegram lets a bot send up to 1,000 messages a second with `allow_paid_broadcast`, for 0.1
Telegram Star a message; otherwise about 30 a second, shared with the bot's replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

STARS_PER_PAID_MESSAGE = Decimal("0.1")


@dataclass(frozen=True)
class BroadcastEstimate:
    recipients: int
    free_seconds: float
    paid_seconds: float
    paid_stars: Decimal


def estimate(recipients: int, *, free_rate: float, paid_rate: float) -> BroadcastEstimate:
    """`free_rate`: what the send budget leaves the outbox; `paid_rate`: the paid budget."""
    return BroadcastEstimate(
        recipients=recipients,
        free_seconds=recipients / free_rate if free_rate > 0 else float("inf"),
        paid_seconds=recipients / paid_rate if paid_rate > 0 else float("inf"),
        paid_stars=STARS_PER_PAID_MESSAGE * recipients,
    )


def duration_text(seconds: float) -> str:
    """A short "2 h 05 min" / "4 min 10 s" / "3 s" for the preview."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
