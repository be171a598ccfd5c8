"""The lease keeper's bookkeeping when a learner's lock changes hands during a renewal round.

A round reads the held locks, then asks Redis (from its own thread, without the keeper's guard).
If meanwhile the update finishes and the learner's next update takes the same lock anew (same
key, new token), Redis answers "not renewed" for the old token: that must not stop the keeper
renewing the new holder, whose lease would then lapse while its update is still handled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.storage.locks import LeaseKeeper

NAME = "fsm:1:7001:7001:default:lock"


class RoundTripClient:
    """A stand-in for the blocking Redis client: runs `meanwhile` during the round trip and
    renews only the tokens Redis holds (as the script does)."""

    def __init__(self) -> None:
        self.tokens: dict[str, bytes] = {}
        self.meanwhile: Callable[[], None] | None = None

    def eval(self, _script: str, count: int, *args: Any) -> list[int]:
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
        names, tokens = args[:count], args[count + 1 :]
        return [
            int(self.tokens.get(name) == token) for name, token in zip(names, tokens, strict=True)
        ]

    def close(self) -> None:
        pass


def test_a_lock_taken_anew_during_a_renewal_round_stays_renewed() -> None:
    client = RoundTripClient()
    keeper = LeaseKeeper(client, lease_seconds=8.0)  # type: ignore[arg-type]
    keeper._stop.set()  # no thread: the test drives the rounds
    client.tokens[NAME] = b"first"
    keeper.hold(NAME, b"first")

    def next_update_takes_the_lock() -> None:
        assert keeper.drop(NAME)  # the first update released its lock...
        client.tokens[NAME] = b"second"  # ...and the learner's next one took it
        keeper.hold(NAME, b"second")

    client.meanwhile = next_update_takes_the_lock
    keeper.renew_now()  # Redis says the old token is gone

    keeper.renew_now()
    assert keeper.drop(NAME), "the new holder's lease was reported lost"
    assert NAME not in keeper._lost


def test_a_lease_that_really_lapsed_is_still_reported() -> None:
    client = RoundTripClient()
    keeper = LeaseKeeper(client, lease_seconds=8.0)  # type: ignore[arg-type]
    keeper._stop.set()
    keeper.hold(NAME, b"mine")  # Redis no longer holds it (the lease ran out)
    keeper.renew_now()
    assert not keeper.drop(NAME)
