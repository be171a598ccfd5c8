"""Who is calling the dashboard: Telegram's signed `initData`, or a one-time sign-in link.

Inside Telegram the page sends `Authorization: tma <initData>`; the signature is Telegram's HMAC
over the launch parameters with a key derived from the bot token, checked here with aiogram's
implementation of the documented algorithm, and `auth_date` must be recent. On a desktop without
Telegram, `/dashboard` in the chat gives a one-time link; opening it exchanges the link's token for
a session token (`Authorization: Bearer <token>`), signed with a key derived from the bot token
and valid for a working day.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from aiogram.utils.web_app import check_webapp_signature

SESSION_SECONDS = 12 * 3600
_SESSION_KEY_LABEL = b"hecbot-dashboard-session"


class AuthenticationError(Exception):
    """The request proves no identity: answered with 401."""


@dataclass(frozen=True)
class WebIdentity:
    """The Telegram user a dashboard request comes from."""

    user_id: int
    language_code: str | None = None


def identity_from_init_data(
    init_data: str, *, bot_token: str, max_age_seconds: int, now: float | None = None
) -> WebIdentity:
    """The user `initData` was signed for; raises `AuthenticationError` when forged or stale."""
    if not init_data or not check_webapp_signature(bot_token, init_data):
        raise AuthenticationError("bad signature")
    fields = dict(parse_qsl(init_data, strict_parsing=True))
    try:
        auth_date = int(fields["auth_date"])
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError) as error:
        raise AuthenticationError("init data without a user") from error
    current = time.time() if now is None else now
    if auth_date > current + 60 or current - auth_date > max_age_seconds:
        raise AuthenticationError("stale init data")
    language = user.get("language_code")
    return WebIdentity(
        user_id=user_id, language_code=language if isinstance(language, str) else None
    )


def _session_key(bot_token: str) -> bytes:
    return hmac.new(_SESSION_KEY_LABEL, bot_token.encode(), hashlib.sha256).digest()


def issue_session_token(user_id: int, *, bot_token: str, now: float | None = None) -> str:
    """A bearer token for `user_id`, valid for `SESSION_SECONDS`."""
    expires = int((time.time() if now is None else now) + SESSION_SECONDS)
    payload = f"{user_id}.{expires}.{secrets.token_hex(4)}"
    mac = hmac.new(_session_key(bot_token), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def identity_from_session_token(
    token: str, *, bot_token: str, now: float | None = None
) -> WebIdentity:
    """The user a session token was issued to; raises `AuthenticationError` otherwise."""
    try:
        user_text, expires_text, nonce, mac_text = token.split(".")
        payload = f"{user_text}.{expires_text}.{nonce}"
        expected = hmac.new(_session_key(bot_token), payload.encode(), hashlib.sha256).digest()
        given = base64.urlsafe_b64decode(mac_text + "=" * (-len(mac_text) % 4))
        user_id, expires = int(user_text), int(expires_text)
    except ValueError as error:
        raise AuthenticationError("malformed session token") from error
    if not hmac.compare_digest(expected, given):
        raise AuthenticationError("bad session token")
    if (time.time() if now is None else now) > expires:
        raise AuthenticationError("session expired")
    return WebIdentity(user_id=user_id)


def identity_from_header(
    header: str, *, bot_token: str, max_age_seconds: int, now: float | None = None
) -> WebIdentity:
    """`Authorization: tma <initData>` or `Authorization: Bearer <session token>`."""
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "tma":
        return identity_from_init_data(
            credentials, bot_token=bot_token, max_age_seconds=max_age_seconds, now=now
        )
    if scheme.lower() == "bearer":
        return identity_from_session_token(credentials, bot_token=bot_token, now=now)
    raise AuthenticationError("no credentials")
