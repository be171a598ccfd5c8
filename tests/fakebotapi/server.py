"""A fake Telegram Bot API server on loopback for end-to-end tests of the real bot.

The bot under test talks to it through aiogram exactly as it would to api.telegram.org;
the test drives users with `push_message`/`push_callback` and asserts on what the bot sent.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from aiohttp import ClientSession, ClientTimeout, MultipartReader, web
from aiohttp.client_exceptions import ClientError

from tests.bounded import bounded
from tests.fakebotapi.formatting import EntityParseError, ParsedText, parse_text, utf16_len
from tests.fakebotapi.models import (
    ChatMessage,
    ChatStatus,
    RateLimit,
    RecordedRequest,
    SlidingWindowLimiter,
    StoredFile,
    UploadedFile,
    UserFile,
    WebhookDelivery,
)
from tests.fakebotapi.spec import (
    ApiError,
    bad_request,
    coerce_params,
    known_methods,
    type_field_names,
)

if TYPE_CHECKING:
    from aiogram import Bot

DEFAULT_TOKEN = "123456789:AAHecbotFakeTokenForLoopbackTests_01"
# Past aiohttp's own minute of waiting for requests still being handled.
STOP_SECONDS = 90.0
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT_BYTES = 64
CALLBACK_ANSWER_LIMIT = 200
DOCUMENT_LIMIT_BYTES = 50 * 1024 * 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Methods that put a new message into a chat and therefore count against flood limits.
RATE_LIMITED_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage"}
)
_BUTTON_DISPLAY_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})
_BOT_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_BUTTON_URL_RE = re.compile(r"^(https?://[^\s/$.?#][^\s]*|tg://\S+)$", re.IGNORECASE)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class FakeTelegram:
    """Fake Bot API server. Use as `async with FakeTelegram() as tg:`.

    rate_limit=None (the default) disables flood limits; pass `RateLimit()` for Telegram's.
    strict_chats=True answers "chat not found" for chats no user has written from (or that
    were not added with `add_user`); False accepts any integer chat id as a private chat.
    webhook_urls pre-configures webhook delivery (round-robin) as if setWebhook was called.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        rate_limit: RateLimit | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "hecbot_test_bot",
        bot_first_name: str = "HEC Test Bot",
        strict_chats: bool = True,
        webhook_urls: Sequence[str] = (),
        webhook_secret: str | None = None,
        webhook_retry_delay: float = 0.05,
        webhook_max_attempts: int = 5,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.host = host
        self.port = port
        self.strict_chats = strict_chats
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.webhook_urls: list[str] = list(webhook_urls)
        self.webhook_secret = webhook_secret
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_max_attempts = webhook_max_attempts
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.rate_limited_count = 0
        self.paid_broadcast_count = 0
        self._limiter: SlidingWindowLimiter | None = None
        self.rate_limit = rate_limit

        self._recorded: list[RecordedRequest] = []
        self._recorded_changed = asyncio.Condition()
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._chat_status: dict[int, ChatStatus] = {}
        self._messages: dict[int, dict[int, ChatMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._callback_counter = itertools.count(4_000_000_000_000_000_001)
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # setChatMenuButton per chat (None: the default for every chat).
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._update_counter = itertools.count(100_000_001)
        self._pending: list[dict[str, Any]] = []
        self._pollers: list[asyncio.Future[str]] = []
        self._poller_added = asyncio.Event()
        self._webhook_wakeup = asyncio.Event()
        self._webhook_round_robin = itertools.count()
        self._webhook_last_error: tuple[int, str] | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._http: ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._bots: list[Bot] = []
        self._handlers: dict[str, Handler] = self._build_handlers()
        self._methods = known_methods()

    # --- lifecycle -------------------------------------------------------------------

    @property
    def rate_limit(self) -> RateLimit | None:
        return self._limiter.limit if self._limiter else None

    @rate_limit.setter
    def rate_limit(self, value: RateLimit | None) -> None:
        self._limiter = SlidingWindowLimiter(value) if value else None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=DOCUMENT_LIMIT_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        from tests.fakebotapi.control import add_control_routes

        add_control_routes(app, self)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.build_app(), handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = int(sockets[0].getsockname()[1])
        self._http = ClientSession(timeout=ClientTimeout(total=30))
        self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        if self.webhook_urls:
            self._webhook_wakeup.set()

    async def stop(self) -> None:
        """Stop serving, within a bound: aiohttp waits up to a minute for requests still being
        handled, and a stop that hung would hold its test with no timer left."""
        await bounded(self._stop(), STOP_SECONDS, "stopping the fake Bot API")

    async def _stop(self) -> None:
        for poller in self._pollers:
            if not poller.done():
                poller.set_result("stopped")
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
        for bot in self._bots:
            await bot.session.close()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def make_bot(self, **bot_kwargs: Any) -> Bot:
        """An aiogram Bot pointed at this server, HTML parse mode by default; closed on stop."""
        from aiogram import Bot
        from aiogram.client.default import DefaultBotProperties
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer
        from aiogram.enums import ParseMode

        bot_kwargs.setdefault("default", DefaultBotProperties(parse_mode=ParseMode.HTML))
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base_url))
        bot = Bot(self.token, session=session, **bot_kwargs)
        self._bots.append(bot)
        return bot

    # --- configuring chats -----------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Register (or update) a user and their private chat; returns the User object."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat: dict[str, Any] = {"type": "private"}
        for key in ("id", "first_name", "last_name", "username"):
            if key in user:
                chat[key] = user[key]
        self._chats[user_id] = chat
        return user

    def set_chat_status(self, chat_id: int, status: ChatStatus) -> None:
        self._chat_status[chat_id] = status

    def set_webhook_targets(self, urls: Sequence[str], secret_token: str | None = None) -> None:
        """Deliver updates to these URLs in turn (several bot instances behind one webhook)."""
        self.webhook_urls = list(urls)
        self.webhook_secret = secret_token
        self._webhook_wakeup.set()

    # --- driving the bot -------------------------------------------------------------

    def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (update_id is assigned); returns it as the bot will see it."""
        update = {"update_id": next(self._update_counter), **copy.deepcopy(payload)}
        self._pending.append(update)
        for poller in self._pollers:
            if not poller.done():
                poller.set_result("update")
        self._webhook_wakeup.set()
        return copy.deepcopy(update)

    def push_message(
        self,
        user_id: int,
        text: str = "",
        *,
        chat_id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        reply_to_message_id: int | None = None,
        document: UserFile | tuple[bytes, str] | None = None,
        photo: UserFile | bytes | None = None,
        sticker: str | None = None,
        voice: UserFile | bytes | None = None,
    ) -> dict[str, Any]:
        """A user writes to the bot; returns the update. Text goes to caption with media.

        Profile fields left as None keep what `add_user` (or an earlier push) set.
        """
        known = self._users.get(user_id, {})
        user = self.add_user(
            user_id,
            first_name=first_name or known.get("first_name", "Test"),
            last_name=last_name or known.get("last_name"),
            username=username or known.get("username"),
            language_code=language_code or known.get("language_code", "en"),
        )
        target = user_id if chat_id is None else chat_id
        if target != user_id:
            self._ensure_group(target)
        content: dict[str, Any] = {}
        has_media = any(item is not None for item in (document, photo, sticker, voice))
        if document is not None:
            file = document if isinstance(document, UserFile) else UserFile(*document)
            content["document"] = self._document_object(self._store_file(file, "documents"))
        if photo is not None:
            file = photo if isinstance(photo, UserFile) else UserFile(photo, "photo.jpg")
            content["photo"] = self._photo_sizes(self._store_file(file, "photos"))
        if voice is not None:
            file = voice if isinstance(voice, UserFile) else UserFile(voice, "voice.ogg")
            stored = self._store_file(file, "voice")
            content["voice"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "duration": max(1, len(file.data) // 2000),
                "mime_type": file.mime_type or "audio/ogg",
                "file_size": len(file.data),
            }
        if sticker is not None:
            stored = self._store_file(UserFile(b"RIFF-sticker", "sticker.webp"), "stickers")
            content["sticker"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": sticker,
            }
        if text and not has_media and utf16_len(text) > TEXT_LIMIT:
            # A client splits a longer text into several messages: no update carries more.
            raise ValueError(f"a user's message holds at most {TEXT_LIMIT} characters")
        if text:
            key = "caption" if has_media else "text"
            content[key] = text
            commands = _bot_commands(text)
            if commands:
                content["caption_entities" if has_media else "entities"] = commands
        elif not has_media:
            raise ValueError("push_message needs text or media")
        if reply_to_message_id is not None:
            replied = self._find_message(target, reply_to_message_id)
            if replied is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {target}")
            content["reply_to_message"] = copy.deepcopy(replied.raw)
        message = self._store_message(target, user, content)
        return self.push_update({"message": message.raw})

    def push_edit(
        self, user_id: int, message_id: int, text: str, *, after_seconds: int = 0
    ) -> dict[str, Any]:
        """The user edits the text of a message they sent; returns the `edited_message`
        update. `after_seconds`: how long after sending it was edited (its edit_date)."""
        message = self._find_message(user_id, message_id)
        if message is None or message.from_bot or "text" not in message.raw:
            raise ValueError(f"no text message {message_id} of user {user_id}")
        if utf16_len(text) > TEXT_LIMIT:
            raise ValueError(f"a user's message holds at most {TEXT_LIMIT} characters")
        message.edits.append(copy.deepcopy(message.raw))
        message.raw["text"] = text
        message.raw.pop("entities", None)
        commands = _bot_commands(text)
        if commands:
            message.raw["entities"] = commands
        message.raw["edit_date"] = max(int(time.time()), message.date + after_seconds)
        return self.push_update({"edited_message": message.raw})

    def push_callback(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        check_button: bool = True,
    ) -> dict[str, Any]:
        """The user presses an inline button of a bot message; returns the update.

        With check_button the data must belong to a button of that message, as a real
        client can only send what is on the keyboard.
        """
        target = user_id if chat_id is None else chat_id
        message = self._find_message(target, message_id)
        if message is None or not message.from_bot:
            raise ValueError(f"no bot message {message_id} in chat {target}")
        if check_button and data not in message.callback_data:
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        user = self._users.get(user_id) or self.add_user(user_id)
        query_id = str(next(self._callback_counter))
        self._callback_queries[query_id] = False
        return self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message.raw,
                    "chat_instance": str(abs(hash((self.bot_id, target)))),
                    "data": data,
                }
            }
        )

    # --- assertions ------------------------------------------------------------------

    def requests(
        self, method: str | None = None, chat_id: int | str | None = None
    ) -> list[RecordedRequest]:
        """Recorded requests, optionally only of one method and/or to one chat."""
        return [
            request
            for request in self._recorded
            if (method is None or request.method.lower() == method.lower())
            and (chat_id is None or request.chat_id == chat_id)
        ]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5,
        count: int = 1,
    ) -> list[RecordedRequest]:
        """Wait until `count` requests of `method` (matching predicate) were recorded.

        Returns all matching requests so far; raises AssertionError with the recent
        requests listed when the timeout passes first.
        """

        def matching() -> list[RecordedRequest]:
            return [r for r in self.requests(method) if predicate is None or predicate(r)]

        try:
            async with self._recorded_changed:
                await asyncio.wait_for(
                    self._recorded_changed.wait_for(lambda: len(matching()) >= count), timeout
                )
        except TimeoutError:
            recent = [f"{r.method} {r.status} {r.params}" for r in self._recorded[-10:]]
            raise AssertionError(
                f"waited {timeout}s for {count} x {method}, saw {len(matching())}; "
                f"recent requests: {recent}"
            ) from None
        return matching()

    def messages_to(self, chat_id: int) -> list[ChatMessage]:
        """Bot messages currently visible in the chat (edits applied, deletions removed)."""
        return [m for m in self.history(chat_id) if m.from_bot]

    def last_message_to(self, chat_id: int) -> ChatMessage | None:
        messages = self.messages_to(chat_id)
        return messages[-1] if messages else None

    def history(self, chat_id: int) -> list[ChatMessage]:
        """All visible messages of the chat, the users' and the bot's, in order."""
        return [m for m in self._messages.get(chat_id, {}).values() if not m.deleted]

    def counts_by_status(self) -> dict[int, int]:
        return dict(Counter(request.status for request in self._recorded))

    def uploaded_files(self) -> list[UploadedFile]:
        return [file for request in self._recorded for file in request.files.values()]

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    @property
    def active_long_polls(self) -> int:
        """getUpdates calls currently waiting for an update."""
        return sum(1 for poller in self._pollers if not poller.done())

    async def wait_for_long_poll(self, timeout: float = 5) -> None:
        """Return once a getUpdates call is waiting (so a push will wake it)."""
        async with asyncio.timeout(timeout):
            while not self.active_long_polls:
                self._poller_added.clear()
                await self._poller_added.wait()

    @property
    def pending_update_count(self) -> int:
        return len(self._pending)

    def clear(self) -> None:
        """Forget recorded requests, webhook deliveries and counters (not chats/messages)."""
        self._recorded.clear()
        self.webhook_deliveries.clear()
        self.rate_limited_count = 0

    # --- HTTP ------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        raw, files = await _read_params(request)
        method_name = request.match_info["method"]
        record = RecordedRequest(
            method=self._methods.get(method_name.lower(), method_name),
            params=raw,
            files=files,
            time=time.time(),
        )
        if request.match_info["token"] != self.token:
            body: dict[str, Any] = ApiError(401, "Unauthorized").body()
        else:
            body = await self._call(record, raw, files)
        await self._record(record, body)
        return web.json_response(body, status=record.status)

    async def _call(
        self, record: RecordedRequest, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> dict[str, Any]:
        handler = self._handlers.get(record.method)
        if handler is None:
            return ApiError(404, "Not Found").body()
        try:
            params = coerce_params(record.method, raw, files)
            record.params = params
            result = await handler(params)
        except ApiError as error:
            if error.error_code == 429:
                self.rate_limited_count += 1
            return error.body()
        except Exception as error:  # a bug in the fake: recorded, so the failing test shows it
            return ApiError(500, f"Internal Server Error: fake crashed: {error!r}").body()
        return {"ok": True, "result": result}

    async def _record(self, record: RecordedRequest, body: dict[str, Any]) -> None:
        record.status = 200 if body.get("ok") else int(body["error_code"])
        record.response = body
        async with self._recorded_changed:
            self._recorded.append(record)
            self._recorded_changed.notify_all()

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self._files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # --- method handlers -------------------------------------------------------------

    def _build_handlers(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "close": self._true,
            "logOut": self._true,
        }

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_urls:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset", 0))
        if offset < 0:
            del self._pending[: max(0, len(self._pending) + offset)]
        elif offset:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        allowed = params.get("allowed_updates") or None
        # A newer getUpdates ends any older long poll, as Telegram does with two instances.
        for poller in self._pollers:
            if not poller.done():
                poller.set_result("conflict")
        timeout = float(params.get("timeout", 0))
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self._pending if _update_allowed(u, allowed)][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0:
                return ready
            wakeup: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._pollers.append(wakeup)
            self._poller_added.set()
            try:
                reason = await asyncio.wait_for(asyncio.shield(wakeup), remaining)
            except TimeoutError:
                reason = "timeout"
            finally:
                self._pollers.remove(wakeup)
            if reason == "conflict":
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if reason == "stopped":
                return []

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if not url:
            return await self._delete_webhook(params)
        if not re.match(r"^https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.set_webhook_targets([url], secret)
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_urls = []
        self.webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_urls[0] if self.webhook_urls else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_urls:
            info["max_connections"] = 40
        if self._webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target_chat(params)
        parsed = self._parse(params, "text", TEXT_LIMIT)
        markup = self._reply_markup(params)
        self._check_flood(chat_id, params)
        content: dict[str, Any] = {"text": parsed.text}
        if parsed.entities:
            content["entities"] = parsed.entities
        return self._bot_message(chat_id, content, markup, params).raw

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "document")

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "photo")

    async def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._target_chat(params)
        caption = self._parse(params, "caption", CAPTION_LIMIT, allow_empty=True)
        markup = self._reply_markup(params)
        stored = self._resolve_file(params[kind], kind)
        self._check_flood(chat_id, params)
        content: dict[str, Any] = {}
        if kind == "document":
            content["document"] = self._document_object(stored)
        else:
            content["photo"] = self._photo_sizes(stored)
        _put_caption(content, caption)
        return self._bot_message(chat_id, content, markup, params).raw

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "text" not in params:
            raise bad_request("message text is empty")
        parsed = self._parse(params, "text", TEXT_LIMIT)
        markup = self._reply_markup(params)
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if "text" not in message.raw:
            raise bad_request("there is no text in the message to edit")
        new: dict[str, Any] = {"text": parsed.text}
        if parsed.entities:
            new["entities"] = parsed.entities
        return self._apply_edit(message, new, markup, ("text", "entities"))

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        caption = self._parse(params, "caption", CAPTION_LIMIT, allow_empty=True)
        markup = self._reply_markup(params)
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        new: dict[str, Any] = {}
        _put_caption(new, caption)
        return self._apply_edit(message, new, markup, ("caption", "caption_entities"))

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        markup = self._reply_markup(params)
        if params.get("inline_message_id"):
            return True
        return self._apply_edit(self._editable(params), {}, markup, ())

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = self._target_chat(params)
        message = self._find_message(chat_id, int(params["message_id"]))
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params["callback_query_id"])
        if self._callback_queries.get(query_id, True):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text", ""))) > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        return True

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._target_chat(params)
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _copy_message(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self._source_message(params, "copy")
        chat_id = self._target_chat(params)
        content = {
            key: copy.deepcopy(value)
            for key, value in source.raw.items()
            if key in {"text", "entities", "caption", "caption_entities", "document", "photo"}
        }
        if "caption" in params:
            content.pop("caption_entities", None)
            _put_caption(content, self._parse(params, "caption", CAPTION_LIMIT, allow_empty=True))
        markup = self._reply_markup(params)
        self._check_flood(chat_id, params)
        message = self._bot_message(chat_id, content, markup, params)
        return {"message_id": message.message_id}

    async def _forward_message(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self._source_message(params, "forward")
        chat_id = self._target_chat(params)
        content = {
            key: copy.deepcopy(value)
            for key, value in source.raw.items()
            if key not in {"message_id", "date", "chat", "from", "reply_markup", "edit_date"}
        }
        sender = source.raw.get("from", self.bot_user)
        content["forward_origin"] = {"type": "user", "date": source.date, "sender_user": sender}
        self._check_flood(chat_id, params)
        return self._bot_message(chat_id, content, None, params).raw

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command"))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[_commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self._commands.get(_commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if isinstance(button, str):
            button = json.loads(button)
        kind = button.get("type")
        if kind == "web_app":
            url = str((button.get("web_app") or {}).get("url", ""))
            if not url.startswith("https://"):
                raise bad_request("BUTTON_URL_INVALID")
            if not 1 <= len(str(button.get("text", ""))) <= 64:
                raise bad_request("BUTTON_TEXT_INVALID")
        elif kind not in ("default", "commands"):
            raise bad_request("BUTTON_TYPE_INVALID")
        chat_id = params.get("chat_id")
        self.menu_buttons[None if chat_id is None else int(chat_id)] = button
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        key = None if chat_id is None else int(chat_id)
        return self.menu_buttons.get(key, self.menu_buttons.get(None, {"type": "default"}))

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._known_chat(params["chat_id"])
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params["file_id"]))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # --- validation helpers ----------------------------------------------------------

    def _known_chat(self, value: Any) -> int:
        if isinstance(value, str):
            matches = [
                cid for cid, chat in self._chats.items() if f"@{chat.get('username')}" == value
            ]
            if not matches:
                raise bad_request("chat not found")
            return matches[0]
        chat_id = int(value)
        status = self._chat_status.get(chat_id, ChatStatus.OK)
        if status is ChatStatus.NOT_FOUND:
            raise bad_request("chat not found")
        if chat_id not in self._chats:
            if self.strict_chats:
                raise bad_request("chat not found")
            self._chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "User"}
        return chat_id

    def _target_chat(self, params: dict[str, Any]) -> int:
        """Resolve chat_id and answer as a blocked/deactivated user's chat would."""
        chat_id = self._known_chat(params["chat_id"])
        status = self._chat_status.get(chat_id, ChatStatus.OK)
        if status is ChatStatus.BLOCKED:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if status is ChatStatus.DEACTIVATED:
            raise ApiError(403, "Forbidden: user is deactivated")
        return chat_id

    def _parse(
        self, params: dict[str, Any], key: str, limit: int, *, allow_empty: bool = False
    ) -> ParsedText:
        source = str(params.get(key, ""))
        entities = params.get(f"{key}_entities" if key == "caption" else "entities")
        try:
            if entities:
                parsed = ParsedText(source, list(entities))
            else:
                parsed = parse_text(source, params.get("parse_mode"))
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        if not parsed.text and not allow_empty:
            raise bad_request("message text is empty")
        if len(parsed.text) > limit:
            raise bad_request(
                "message caption is too long" if key == "caption" else "message is too long"
            )
        return parsed

    def _reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Validate reply_markup; return it when Telegram echoes it (inline keyboards only)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            keyboard = markup.get("keyboard")
            if keyboard is not None and not _rows_of(keyboard):
                raise bad_request("can't parse reply keyboard markup JSON object")
            return None
        rows = markup["inline_keyboard"]
        if not _rows_of(rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        actions = set(type_field_names("InlineKeyboardButton")) - _BUTTON_DISPLAY_FIELDS
        for row in rows:
            for button in row:
                _check_button(button, actions)
        return {"inline_keyboard": rows}

    def _check_flood(self, chat_id: int, params: dict[str, Any]) -> None:
        if self._limiter is None:
            return
        # allow_paid_broadcast: up to 1,000 messages a second for 0.1 Star each, "ignoring
        # broadcasting limits" (Bot API); the fake counts them apart and lets them through.
        if params.get("allow_paid_broadcast") in {True, "true", "True", "1"}:
            self.paid_broadcast_count += 1
            return
        retry_after = self._limiter.retry_after(str(chat_id))
        if retry_after:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    def _editable(self, params: dict[str, Any]) -> ChatMessage:
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat_id = self._target_chat(params)
        message = self._find_message(chat_id, int(params["message_id"]))
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(
        self,
        message: ChatMessage,
        new: dict[str, Any],
        markup: dict[str, Any] | None,
        content_keys: tuple[str, ...],
    ) -> dict[str, Any]:
        current = {key: message.raw[key] for key in content_keys if key in message.raw}
        if current == new and message.raw.get("reply_markup") == markup:
            raise bad_request(_NOT_MODIFIED)
        message.edits.append(copy.deepcopy(message.raw))
        for key in content_keys:
            message.raw.pop(key, None)
        message.raw.update(copy.deepcopy(new))
        # Without reply_markup an edit removes the inline keyboard, as in Telegram.
        message.raw.pop("reply_markup", None)
        if markup is not None:
            message.raw["reply_markup"] = markup
        message.raw["edit_date"] = int(time.time())
        return message.raw

    def _source_message(self, params: dict[str, Any], verb: str) -> ChatMessage:
        from_chat = self._known_chat(params["from_chat_id"])
        source = self._find_message(from_chat, int(params["message_id"]))
        if source is None:
            raise bad_request(f"message to {verb} not found")
        return source

    # --- state helpers ---------------------------------------------------------------

    def _ensure_group(self, chat_id: int) -> None:
        if chat_id not in self._chats:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            self._chats[chat_id] = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def _find_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        message = self._messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted else message

    def _store_message(
        self, chat_id: int, sender: dict[str, Any], content: dict[str, Any]
    ) -> ChatMessage:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        date = int(time.time())
        raw = {
            "message_id": message_id,
            "from": sender,
            "chat": self._chats[chat_id],
            "date": date,
            **content,
        }
        message = ChatMessage(message_id, chat_id, sender["id"] == self.bot_id, date, raw)
        self._messages.setdefault(chat_id, {})[message_id] = message
        return message

    def _bot_message(
        self,
        chat_id: int,
        content: dict[str, Any],
        markup: dict[str, Any] | None,
        params: dict[str, Any],
    ) -> ChatMessage:
        reply = params.get("reply_parameters") or {}
        reply_to = params.get("reply_to_message_id") or reply.get("message_id")
        if reply_to:
            replied = self._find_message(chat_id, int(reply_to))
            if replied is None and not reply.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
            if replied is not None:
                content["reply_to_message"] = copy.deepcopy(replied.raw)
        if markup is not None:
            content["reply_markup"] = markup
        return self._store_message(chat_id, self.bot_user, content)

    def _store_file(self, file: UserFile, folder: str) -> StoredFile:
        number = next(self._file_counter)
        suffix = file.name.rsplit(".", 1)[-1] if "." in file.name else "bin"
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{number:08d}fake",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"{folder}/file_{number}.{suffix}",
            data=file.data,
            name=file.name,
            mime_type=file.mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _resolve_file(self, value: Any, kind: str) -> StoredFile:
        if isinstance(value, UploadedFile):
            if kind == "document" and value.size > DOCUMENT_LIMIT_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            name = value.filename or value.field_name
            return self._store_file(UserFile(value.data, name, value.content_type), f"{kind}s")
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and re.match(r"^https?://", value):
            # Telegram would fetch the URL; the fake has no network, so it stores the URL.
            name = value.rsplit("/", 1)[-1] or "file"
            return self._store_file(UserFile(value.encode(), name), f"{kind}s")
        raise bad_request("wrong file identifier/HTTP URL specified")

    @staticmethod
    def _document_object(stored: StoredFile) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.name:
            document["file_name"] = stored.name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    @staticmethod
    def _photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 800,
                "height": 600,
                "file_size": len(stored.data),
            }
        ]

    # --- webhook delivery ------------------------------------------------------------

    async def _deliver_webhooks(self) -> None:
        while True:
            await self._webhook_wakeup.wait()
            self._webhook_wakeup.clear()
            while self.webhook_urls and self._pending:
                update = self._pending[0]
                # Delivered or given up after max attempts (Telegram also drops it in the end).
                await self._deliver(update)
                if self._pending and self._pending[0] is update:
                    self._pending.pop(0)

    async def _deliver(self, update: dict[str, Any]) -> bool:
        assert self._http is not None
        for attempt in range(1, self.webhook_max_attempts + 1):
            if not self.webhook_urls:
                return False
            url = self.webhook_urls[next(self._webhook_round_robin) % len(self.webhook_urls)]
            headers = {"Content-Type": "application/json"}
            if self.webhook_secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
            status: int | None = None
            error: str | None = None
            posted = time.monotonic()
            try:
                async with self._http.post(
                    url, data=json.dumps(update), headers=headers
                ) as response:
                    status = response.status
                    if 200 <= status < 300:
                        await self._run_webhook_reply(response)
                    else:
                        error = f"Wrong response from the webhook: {status} {response.reason}"
            except (ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {exc!r}"
            self.webhook_deliveries.append(
                WebhookDelivery(
                    url,
                    update["update_id"],
                    attempt,
                    status,
                    error,
                    self.webhook_secret,
                    seconds=time.monotonic() - posted,
                )
            )
            if error is None:
                return True
            self._webhook_last_error = (int(time.time()), error)
            await asyncio.sleep(min(self.webhook_retry_delay * 2 ** (attempt - 1), 2.0))
        return False

    async def _run_webhook_reply(self, response: Any) -> None:
        """Execute a method the bot returned in the webhook response body, as Telegram does."""
        content_type = response.headers.get("Content-Type", "")
        raw: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        if content_type.startswith("multipart/"):
            reader = MultipartReader(response.headers, response.content)
            raw, files = await _read_multipart(reader)
        elif content_type.startswith("application/json"):
            body = await response.read()
            loaded = json.loads(body) if body.strip() else {}
            raw = loaded if isinstance(loaded, dict) else {}
        method = raw.pop("method", None)
        if not method:
            return
        record = RecordedRequest(
            method=self._methods.get(str(method).lower(), str(method)),
            params=raw,
            files=files,
            time=time.time(),
            via_webhook_reply=True,
        )
        await self._record(record, await self._call(record, raw, files))


# --- module helpers ------------------------------------------------------------------


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            raw.update(body)
    elif request.content_type.startswith("multipart/"):
        more, files = await _read_multipart(await request.multipart())
        raw.update(more)
    elif request.can_read_body:
        raw.update({key: str(value) for key, value in (await request.post()).items()})
    return raw, files


async def _read_multipart(
    reader: MultipartReader,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    raw: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    while (part := await reader.next()) is not None:
        if isinstance(part, MultipartReader):
            continue
        name = part.name or ""
        data = await part.read()
        if part.filename is not None:
            upload = UploadedFile(
                name, part.filename, part.headers.get("Content-Type"), bytes(data)
            )
            files[name] = upload
            raw.setdefault(name, upload)
        else:
            raw[name] = bytes(data).decode("utf-8")
    return raw, files


def _update_allowed(update: dict[str, Any], allowed: list[str] | None) -> bool:
    return allowed is None or any(kind in update for kind in allowed)


def _rows_of(rows: Any) -> bool:
    return isinstance(rows, list) and all(isinstance(row, list) for row in rows)


def _check_button(button: Any, actions: set[str]) -> None:
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    used = [field for field in actions if field in button]
    if not used:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(used) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode("utf-8"))
        if not 1 <= size <= CALLBACK_DATA_LIMIT_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not _BUTTON_URL_RE.match(str(button["url"])):
        raise bad_request(
            f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
        )


def _bot_commands(text: str) -> list[dict[str, Any]]:
    """The `bot_command` entities Telegram gives a user's text (offsets in UTF-16 units)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group()),
        }
        for m in _BOT_COMMAND_RE.finditer(text)
    ]


def _put_caption(content: dict[str, Any], caption: ParsedText) -> None:
    if caption.text:
        content["caption"] = caption.text
    if caption.entities:
        content["caption_entities"] = caption.entities


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code", ""))
