"""aiogram imported through bot/aiogram_import.py builds its types when used, and they behave
exactly as when aiogram builds them all at import.

Each side runs in a fresh interpreter (the import happens once per process): one imports `bot`
first (the hook), the other imports aiogram before `bot` (aiogram's own import). Both parse the
same updates, build the same outgoing calls and print what they got; the two must be equal.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref

PROBE = r"""
import json, sys
{first}
import aiogram
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendDocument, SendMessage
from aiogram.types import (
    BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo,
)
from bot import aiogram_import

deferred_after_import = aiogram_import.deferred_model_count()
user = {"id": 42, "is_bot": False, "first_name": "Ayesha", "language_code": "ur"}
chat = {"id": 42, "type": "private", "first_name": "Ayesha"}
updates = [
    {"update_id": 1, "message": {"message_id": 7, "date": 1764900000, "chat": chat,
        "from": user, "text": "/start uni_17",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}},
    {"update_id": 2, "callback_query": {"id": "cb1", "from": user, "chat_instance": "ci",
        "data": "wbn:rsvp:3", "message": {"message_id": 8, "date": 1764900001, "chat": chat,
        "text": "Webinar", "reply_markup": {"inline_keyboard": [[{"text": "RSVP",
        "callback_data": "wbn:rsvp:3"}]]}}}},
    {"update_id": 3, "my_chat_member": {"chat": chat, "from": user, "date": 1764900002,
        "old_chat_member": {"status": "member", "user": user},
        "new_chat_member": {"status": "kicked", "user": user, "until_date": 0}}},
    {"update_id": 4, "message": {"message_id": 9, "date": 1764900003,
        "chat": {"id": -100, "type": "supergroup", "title": "Group"}, "from": user,
        "text": "hello", "reply_to_message": {"message_id": 1, "date": 1764900000,
        "chat": {"id": -100, "type": "supergroup", "title": "Group"}, "text": "q"}}},
]
parsed = [Update.model_validate(u).model_dump(mode="json", exclude_none=True) for u in updates]
markup = InlineKeyboardMarkup(inline_keyboard=[[
    InlineKeyboardButton(text="Yes", callback_data="svy:a:1:2"),
    InlineKeyboardButton(text="Open", web_app=WebAppInfo(url="https://example.org/app/")),
]])
calls = [
    SendMessage(chat_id=42, text="<b>Hi</b>", parse_mode="HTML", reply_markup=markup),
    EditMessageText(chat_id=42, message_id=8, text="Done"),
    AnswerCallbackQuery(callback_query_id="cb1", text="No longer available", show_alert=False),
    SendDocument(chat_id=42, document=BufferedInputFile(b"{}", filename="my-data.json")),
]
dumped = [
    {"method": c.__api_method__, "fields": repr(c.model_dump(exclude_none=True,
     exclude={"document"}))} for c in calls
]
errors = []
try:
    SendMessage(chat_id=42)  # text is required
except Exception as exc:
    errors.append(type(exc).__name__)
print(json.dumps({"deferred": deferred_after_import, "parsed": parsed, "calls": dumped,
                  "errors": errors}))
"""


def _run(first: str) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.replace("{first}", first)],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    )
    result: dict[str, object] = json.loads(completed.stdout)
    return result


def test_types_built_when_used_behave_as_types_built_at_import() -> None:
    deferred = _run("import bot")
    eager = _run("import aiogram")

    # The hook did defer: if aiogram drops its rebuild loop, look at bot/aiogram_import.py.
    assert isinstance(deferred["deferred"], int) and deferred["deferred"] > 100
    assert eager["deferred"] == 0
    assert deferred["parsed"] == eager["parsed"]
    assert deferred["calls"] == eager["calls"]
    assert deferred["errors"] == eager["errors"] == ["ValidationError"]


def test_a_response_model_outlives_a_garbage_collection() -> None:
    """aiogram writes `Response[method.__returning__]` for every reply; pydantic keeps such a
    model only weakly, so without bot/aiogram_import.py keeping it, a collection drops it and
    the next reply builds it again (tens of milliseconds each)."""
    from aiogram.methods.base import Response  # imported after `bot` (tests/conftest.py)

    built = weakref.ref(Response[list[bool]])
    gc.collect()
    assert built() is not None
    assert Response[list[bool]] is built()
