"""`hecbot chat`: talk to the real dispatcher and handlers in a terminal, with no Telegram.

A `TerminalSession` stands where aiogram's HTTP session would: every Bot API call the handlers make
is printed instead of sent. Inline keyboards become numbered choices; typing the number presses
the button. Files the bot sends are saved into the data dir and their path printed.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any, TextIO, cast

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
    User,
)

TERMINAL_USER_ID = 1
BOT_USER = User(id=42, is_bot=True, first_name="HEC Coursera assistant", username="hecbot_local")

_TAGS = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|tg-spoiler)>")
_LINKS = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def html_to_plain(text: str) -> str:
    """Telegram HTML as a terminal shows it: links spelled out, tags dropped."""
    text = _LINKS.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAGS.sub("", text))


class TerminalSession(BaseSession):
    """Prints what the bot sends and remembers the last inline keyboard for numbered picks."""

    def __init__(self, output: TextIO, files_dir: Path) -> None:
        super().__init__()
        self._out = output
        self._files_dir = files_dir
        self._message_ids = count(1000)
        self.keyboard: tuple[int, InlineKeyboardMarkup] | None = None

    async def close(self) -> None:
        """Nothing to close: there is no connection."""

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _message(self, bot: Bot, chat_id: int | str, text: str | None) -> Message:
        message = Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=Chat(id=int(chat_id), type="private"),
            from_user=BOT_USER,
            text=text,
        )
        return message.as_(bot)

    def _show_keyboard(self, message_id: int, markup: Any) -> None:
        if not isinstance(markup, InlineKeyboardMarkup):
            return
        self.keyboard = (message_id, markup)
        number = 0
        for row in markup.inline_keyboard:
            for button in row:
                number += 1
                target = f" -> {button.url}" if button.url else ""
                self._print(f"   [{number}] {button.text}{target}")

    async def _save(self, file: Any, chat_id: int | str) -> str:
        # One folder per chat: /forget removes the files written for that person.
        folder = self._files_dir / str(chat_id)
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(file, InputFile):
            name = file.filename or "file"
            path = folder / name
            with path.open("wb") as handle:
                async for chunk in file.read(self):  # type: ignore[arg-type]
                    handle.write(chunk)
            return str(path)
        return str(file)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        result: Any = True
        if isinstance(method, GetMe):
            result = BOT_USER
        elif isinstance(method, SendMessage):
            self._print("bot> " + html_to_plain(method.text).replace("\n", "\n     "))
            result = self._message(bot, method.chat_id, method.text)
            self._show_keyboard(result.message_id, method.reply_markup)
        elif isinstance(method, EditMessageText):
            self._print(
                "bot (edited)> " + html_to_plain(method.text or "").replace("\n", "\n     ")
            )
            result = self._message(bot, method.chat_id or TERMINAL_USER_ID, method.text)
            self._show_keyboard(method.message_id or 0, method.reply_markup)
        elif isinstance(method, EditMessageReplyMarkup):
            self._show_keyboard(method.message_id or 0, method.reply_markup)
        elif isinstance(method, SendDocument | SendPhoto):
            media = method.document if isinstance(method, SendDocument) else method.photo
            saved = await self._save(media, method.chat_id)
            caption = html_to_plain(method.caption or "")
            self._print(f"bot> [file saved to {saved}] {caption}".rstrip())
            result = self._message(bot, method.chat_id, None)
            self._show_keyboard(result.message_id, method.reply_markup)
        elif isinstance(method, AnswerCallbackQuery):
            if method.text:
                self._print(f"bot (notice)> {method.text}")
        elif isinstance(method, SendChatAction):
            pass
        return cast(TelegramType, result)


class TerminalChat:
    """Turns typed lines into Telegram updates for the dispatcher."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, session: TerminalSession) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self.session = session
        self._update_ids = count(1)
        self._message_ids = count(1)
        self._user = User(id=TERMINAL_USER_ID, is_bot=False, first_name="You", language_code="en")
        self._chat = Chat(id=TERMINAL_USER_ID, type="private")

    def _pressed(self, line: str) -> Update | None:
        keyboard = self.session.keyboard
        if keyboard is None or not line.isdigit():
            return None
        message_id, markup = keyboard
        buttons = [button for row in markup.inline_keyboard for button in row]
        index = int(line) - 1
        if not 0 <= index < len(buttons) or buttons[index].callback_data is None:
            return None
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=self._chat,
            from_user=BOT_USER,
            text="…",
        )
        return Update(
            update_id=next(self._update_ids),
            callback_query=CallbackQuery(
                id=str(next(self._update_ids)),
                from_user=self._user,
                chat_instance="terminal",
                message=message,
                data=buttons[index].callback_data,
            ),
        )

    def _typed(self, line: str) -> Update:
        entities = None
        if line.startswith("/"):
            command = line.split(maxsplit=1)[0]
            entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
        return Update(
            update_id=next(self._update_ids),
            message=Message(
                message_id=next(self._message_ids),
                date=datetime.now(UTC),
                chat=self._chat,
                from_user=self._user,
                text=line,
                entities=entities,
            ),
        )

    async def handle_line(self, line: str) -> None:
        update = self._pressed(line) or self._typed(line)
        await self._dispatcher.feed_update(self._bot, update)

    async def run(self, lines: TextIO = sys.stdin, *, prompt: bool = True) -> None:
        loop = asyncio.get_running_loop()
        await self.handle_line("/start")
        while True:
            if prompt and lines.isatty():
                sys.stdout.write("you> ")
                sys.stdout.flush()
            line = await loop.run_in_executor(None, lines.readline)
            if not line:
                break
            line = line.strip()
            if line in {"/quit", "/exit"}:
                break
            if line:
                await self.handle_line(line)
