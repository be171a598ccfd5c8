"""How Telegram's answers map onto delivery outcomes."""

from __future__ import annotations

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage

from bot.delivery.telegram import OutcomeKind, classify

METHOD = SendMessage(chat_id=1, text="x")


def test_retry_after_carries_the_wait():
    outcome = classify(TelegramRetryAfter(METHOD, "Too Many Requests: retry after 7", 7))
    assert outcome.kind is OutcomeKind.RETRY_AFTER
    assert outcome.retry_after == 7


def test_blocked_and_deactivated_users_are_blocked():
    for text in ("Forbidden: bot was blocked by the user", "Forbidden: user is deactivated"):
        assert classify(TelegramForbiddenError(METHOD, text)).kind is OutcomeKind.BLOCKED


def test_a_missing_chat_fails_for_good():
    outcome = classify(TelegramBadRequest(METHOD, "Bad Request: chat not found"))
    assert outcome.kind is OutcomeKind.FAILED
    assert "chat not found" in (outcome.error or "")


def test_network_and_server_errors_are_transient():
    assert (
        classify(TelegramNetworkError(METHOD, "Request timeout error")).kind
        is OutcomeKind.TRANSIENT
    )
    assert classify(TelegramServerError(METHOD, "Bad Gateway")).kind is OutcomeKind.TRANSIENT
    assert classify(ConnectionResetError()).kind is OutcomeKind.TRANSIENT


def test_a_wrong_token_is_its_own_case():
    assert (
        classify(TelegramUnauthorizedError(METHOD, "Unauthorized")).kind is OutcomeKind.UNAUTHORIZED
    )
