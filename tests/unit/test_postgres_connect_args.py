"""The bounds every PostgreSQL connection of the bot opens with: the values the timeout tests in
tests/production/test_database_timeouts.py see enforced, checked here without timing a wait."""

from __future__ import annotations

from bot.storage.db import CLIENT_TIMEOUT_MARGIN_SECONDS, postgres_connect_args


def test_the_server_cancels_first_and_the_client_gives_up_a_margin_later() -> None:
    arguments = postgres_connect_args(statement_timeout_seconds=1.0, lock_timeout_seconds=0.5)
    assert arguments["server_settings"] == {"statement_timeout": "1000ms", "lock_timeout": "500ms"}
    assert arguments["command_timeout"] == 1.0 + CLIENT_TIMEOUT_MARGIN_SECONDS


def test_a_bound_set_to_zero_is_off_on_both_sides() -> None:
    arguments = postgres_connect_args(statement_timeout_seconds=0, lock_timeout_seconds=0)
    assert "server_settings" not in arguments
    assert "command_timeout" not in arguments
