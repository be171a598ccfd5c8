"""Telegram's initData signature, its age, and the desktop session token."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.web.auth import (
    AuthenticationError,
    identity_from_header,
    identity_from_init_data,
    identity_from_session_token,
    issue_session_token,
)
from tests.web.world import sign_init_data

TOKEN = "123456:TEST-token"
DAY = 24 * 3600


def test_signed_init_data_names_its_user() -> None:
    identity = identity_from_init_data(
        sign_init_data(42, token=TOKEN, language="ur"), bot_token=TOKEN, max_age_seconds=DAY
    )
    assert identity.user_id == 42
    assert identity.language_code == "ur"


def test_init_data_signed_with_another_bots_token_is_refused() -> None:
    with pytest.raises(AuthenticationError):
        identity_from_init_data(
            sign_init_data(42, token="999:other"), bot_token=TOKEN, max_age_seconds=DAY
        )


def test_changing_the_user_breaks_the_signature() -> None:
    fields = dict(parse_qsl(sign_init_data(42, token=TOKEN)))
    fields["user"] = fields["user"].replace("42", "43")
    with pytest.raises(AuthenticationError):
        identity_from_init_data(urlencode(fields), bot_token=TOKEN, max_age_seconds=DAY)


@pytest.mark.parametrize("init_data", ["", "hash=abc", "user=%7B%7D&auth_date=1", "%%%"])
def test_garbage_is_refused(init_data: str) -> None:
    with pytest.raises(AuthenticationError):
        identity_from_init_data(init_data, bot_token=TOKEN, max_age_seconds=DAY)


def test_stale_and_future_init_data_are_refused() -> None:
    now = time.time()
    stale = sign_init_data(42, token=TOKEN, auth_date=now - DAY - 5)
    with pytest.raises(AuthenticationError, match="stale"):
        identity_from_init_data(stale, bot_token=TOKEN, max_age_seconds=DAY, now=now)
    fresh = sign_init_data(42, token=TOKEN, auth_date=now - DAY + 60)
    assert identity_from_init_data(fresh, bot_token=TOKEN, max_age_seconds=DAY, now=now).user_id
    future = sign_init_data(42, token=TOKEN, auth_date=now + 3600)
    with pytest.raises(AuthenticationError):
        identity_from_init_data(future, bot_token=TOKEN, max_age_seconds=DAY, now=now)


def test_session_tokens_round_trip_and_expire() -> None:
    token = issue_session_token(7, bot_token=TOKEN, now=1_000_000)
    assert identity_from_session_token(token, bot_token=TOKEN, now=1_000_001).user_id == 7
    with pytest.raises(AuthenticationError, match="expired"):
        identity_from_session_token(token, bot_token=TOKEN, now=1_000_000 + 13 * 3600)
    with pytest.raises(AuthenticationError):
        identity_from_session_token(token, bot_token="other:token", now=1_000_001)
    _user, expires, nonce, mac = token.split(".")
    with pytest.raises(AuthenticationError):
        identity_from_session_token(f"8.{expires}.{nonce}.{mac}", bot_token=TOKEN, now=1_000_001)


@pytest.mark.parametrize("header", ["", "Basic abc", "tma", "Bearer x.y"])
def test_headers_without_valid_credentials(header: str) -> None:
    with pytest.raises(AuthenticationError):
        identity_from_header(header, bot_token=TOKEN, max_age_seconds=DAY)
