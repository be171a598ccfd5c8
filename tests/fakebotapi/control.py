"""HTTP control routes under /_fake/ so another process (a benchmark, a person with curl)
can drive a running fake: push updates, set chat statuses, read what the bot sent."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakebotapi.models import ChatStatus, RecordedRequest, UploadedFile, UserFile

if TYPE_CHECKING:
    from tests.fakebotapi.server import FakeTelegram


def add_control_routes(app: web.Application, fake: FakeTelegram) -> None:
    async def push_message(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        document = body.pop("document", None)
        if document is not None:
            # {"name": "x.pdf", "base64": "..."} keeps the control API plain JSON.
            body["document"] = UserFile(base64.b64decode(document["base64"]), document["name"])
        try:
            update = fake.push_message(int(body.pop("user_id")), str(body.pop("text", "")), **body)
        except (TypeError, ValueError) as error:
            return web.json_response({"ok": False, "description": str(error)}, status=400)
        return web.json_response({"ok": True, "result": update})

    async def push_callback(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        try:
            update = fake.push_callback(
                int(body["user_id"]), int(body["message_id"]), str(body["data"])
            )
        except (KeyError, ValueError) as error:
            return web.json_response({"ok": False, "description": str(error)}, status=400)
        return web.json_response({"ok": True, "result": update})

    async def set_chat_status(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        fake.set_chat_status(int(request.match_info["chat_id"]), ChatStatus(body["status"]))
        return web.json_response({"ok": True})

    async def requests(request: web.Request) -> web.Response:
        chat_id = request.query.get("chat_id")
        found = fake.requests(
            request.query.get("method"), int(chat_id) if chat_id is not None else None
        )
        return web.json_response({"ok": True, "result": [_summary(r) for r in found]})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "ok": True,
                "result": {
                    "counts_by_status": {str(k): v for k, v in fake.counts_by_status().items()},
                    "rate_limited": fake.rate_limited_count,
                    "pending_updates": fake.pending_update_count,
                    "requests": len(fake.requests()),
                },
            }
        )

    async def clear(request: web.Request) -> web.Response:
        fake.clear()
        return web.json_response({"ok": True})

    app.router.add_post("/_fake/messages", push_message)
    app.router.add_post("/_fake/callbacks", push_callback)
    app.router.add_post("/_fake/chats/{chat_id}/status", set_chat_status)
    app.router.add_get("/_fake/requests", requests)
    app.router.add_get("/_fake/stats", stats)
    app.router.add_post("/_fake/clear", clear)


def _summary(request: RecordedRequest) -> dict[str, Any]:
    params = {
        key: (
            f"<file {value.filename} {value.size} bytes>"
            if isinstance(value, UploadedFile)
            else value
        )
        for key, value in request.params.items()
    }
    return {
        "method": request.method,
        "params": params,
        "status": request.status,
        "time": request.time,
        "description": request.description,
    }
