"""/broadcast in `hecbot chat`: the conversation, its buttons and the preview print sensibly."""

from __future__ import annotations

from tests.e2e.test_terminal_chat import chat, indexed_env  # noqa: F401  (fixture)


def test_an_admin_composes_and_sends_a_notice_in_the_terminal(indexed_env):  # noqa: F811
    env = {**indexed_env, "ADMIN_IDS": "1"}
    out = chat(
        env,
        "/broadcast",
        "1",  # Everyone
        "Orientation on <b>Friday</b>",
        "1",  # no attachment: Skip
        "2",  # not a webinar
        "1",  # no Urdu version: Skip
        "1",  # Send now
        "/quit",
    )
    assert "Who should receive it?" in out
    assert "[1] Everyone" in out
    assert "Preview" in out and "Recipients: 0" in out
    assert "Queued for 0 recipients" in out
