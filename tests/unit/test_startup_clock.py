"""The start-up clock names every phase, in order, from the process's own start."""

from __future__ import annotations

from bot.startup_clock import StartupClock, process_age_seconds


def test_phases_are_kept_in_order_and_add_up_to_the_total():
    clock = StartupClock()
    for phase in ("services", "dispatcher", "knowledge", "listening"):
        clock.mark(phase)
    names = [name for name, _, _ in clock.phases]
    assert names == ["imports", "services", "dispatcher", "knowledge", "listening"]
    assert all(wall >= 0 and cpu >= 0 for _, wall, cpu in clock.phases)
    assert abs(clock.total_wall - sum(wall for _, wall, _ in clock.phases)) < 1e-9
    summary = clock.summary()
    assert summary.startswith("ready ") and "after the process started" in summary
    assert summary.index("imports") < summary.index("services") < summary.index("listening")


def test_the_process_age_counts_from_before_this_test():
    # The interpreter and pytest started before any test: the age is already positive.
    assert process_age_seconds() > 0
