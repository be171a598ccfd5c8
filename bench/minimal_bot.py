"""The smallest aiogram bot that answers a question, for `python -m bench ceiling`.

A webhook in (aiogram's own `SimpleRequestHandler`, the update handled before the response, as
hecbot's instance does), one handler, one `sendMessage` out with 👍/👎 buttons as an answer has,
through the same fake Bot API; aiogram's defaults otherwise (in-memory FSM, its local per-user
lock), no database and no Redis. With `MINIMAL_BOT_ENCODE=question` the handler first encodes
the question as the knowledge engine does (the model replicas behind the `QueryBatcher`, from a
pool of answer threads) and nothing else: whatever an aiogram instance adds to its questions'
encoding, this one adds the least. With `MINIMAL_BOT_ENCODE=engine-text` it encodes what the
engine encodes instead: the question read by `normalise_query` (a Roman Urdu or Urdu question
with its English gloss). Configured from the environment (`minimal_bot_env`); run as
`python -m bench.minimal_bot`.
"""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures import ThreadPoolExecutor

from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from handlers.callbacks import AnswerFeedback
from knowledge.config import KnowledgeConfig
from knowledge.embeddings import Embedder
from knowledge.engine import make_question_encoder
from knowledge.language import normalise_query

ENCODE = "MINIMAL_BOT_ENCODE"
# What the handler encodes before it answers: nothing, the question, or the engine's text for it.
ENCODINGS = ("none", "question", "engine-text")


def minimal_bot_env(
    *, api_base: str, token: str, secret: str, port: int, path: str, encode: str
) -> dict[str, str]:
    return {
        "MINIMAL_BOT_API_BASE": api_base,
        "MINIMAL_BOT_TOKEN": token,
        "MINIMAL_BOT_SECRET": secret,
        "MINIMAL_BOT_PORT": str(port),
        "MINIMAL_BOT_PATH": path,
        ENCODE: encode,
    }


def feedback_buttons(question_id: int) -> InlineKeyboardMarkup:
    """The 👍/👎 pair an answer carries (the load driver counts a reply with them as answered)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text="👍",
                    callback_data=AnswerFeedback(question_id=question_id, helpful=True).pack(),
                ),
                InlineKeyboardButton(
                    text="👎",
                    callback_data=AnswerFeedback(question_id=question_id, helpful=False).pack(),
                ),
            ]
        ]
    )


def create_dispatcher(encoder: Embedder | None, *, engine_text: bool = False) -> Dispatcher:
    dispatcher = Dispatcher()
    config = KnowledgeConfig()
    threads = ThreadPoolExecutor(config.answer_threads, thread_name_prefix="answer")

    @dispatcher.message(F.text)
    async def on_question(message: Message) -> None:
        text = message.text or ""
        if encoder is not None:
            encoded = normalise_query(text).text if engine_text else text
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(threads, encoder.embed_queries, [encoded])
        await message.answer(
            f"Answer to: {text}", reply_markup=feedback_buttons(message.message_id)
        )

    return dispatcher


async def serve() -> None:
    encoder: Embedder | None = None
    encode = os.environ.get(ENCODE, "none")
    if encode not in ENCODINGS:
        raise SystemExit(f"{ENCODE}: one of {', '.join(ENCODINGS)}, not {encode!r}")
    if encode != "none":
        encoder = make_question_encoder(KnowledgeConfig())
        encoder.embed_queries(["warm-up: what does the programme offer?"])
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["MINIMAL_BOT_API_BASE"]))
    bot = Bot(
        os.environ["MINIMAL_BOT_TOKEN"],
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    dispatcher = create_dispatcher(encoder, engine_text=encode == "engine-text")
    app = web.Application()
    SimpleRequestHandler(
        dispatcher, bot, handle_in_background=False, secret_token=os.environ["MINIMAL_BOT_SECRET"]
    ).register(app, path=os.environ["MINIMAL_BOT_PATH"])

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["MINIMAL_BOT_PORT"])).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(serve())
