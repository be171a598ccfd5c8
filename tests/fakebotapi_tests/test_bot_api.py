"""The real aiogram Bot against the fake: validation and errors surface as aiogram exceptions."""

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import ClientSession

from tests.fakebotapi import ChatStatus, FakeTelegram, RateLimit, UploadedFile, UserFile

USER = 5551001
URDU_LETTER = "ب"  # U+0628, two bytes in UTF-8


def keyboard(callback_data: str) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(text="Choose", callback_data=callback_data)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


async def test_send_message_returns_telegram_shaped_message(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(USER, first_name="Ayesha")
    bot = fake_telegram.make_bot()

    sent = await bot.send_message(USER, "Licence <b>approved</b>", reply_markup=keyboard("ok"))

    assert sent.text == "Licence approved"
    assert sent.chat.id == USER
    assert sent.from_user is not None and sent.from_user.id == fake_telegram.bot_id
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "ok"
    assert fake_telegram.last_message_to(USER) is not None
    assert fake_telegram.requests("sendMessage")[0].params["parse_mode"] == "HTML"


async def test_invalid_html_is_a_bad_request(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()

    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(USER, "Line one<br>line two")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, "Q&A session")

    assert fake_telegram.counts_by_status() == {400: 2}
    assert fake_telegram.messages_to(USER) == []


async def test_text_limit_counts_characters_after_entity_parsing(
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()

    sent = await bot.send_message(USER, "<b>" + URDU_LETTER * 4096 + "</b>")
    assert sent.text is not None and len(sent.text) == 4096

    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "<b>" + URDU_LETTER * 4097 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "<b> </b>")


async def test_callback_data_limit_is_64_bytes_not_characters(
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()

    await bot.send_message(USER, "fits", reply_markup=keyboard(URDU_LETTER * 32))  # 64 bytes
    too_long = URDU_LETTER * 33  # 33 characters, 66 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "too long", reply_markup=keyboard(too_long))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "empty", reply_markup=keyboard(""))


async def test_button_needs_exactly_one_action_and_a_valid_url(
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()
    bare = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="no action")]])
    double = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", url="https://a.pk", callback_data="x")]]
    )
    ftp = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", url="ftp://a")]])

    for markup, reason in [(bare, "Text buttons"), (double, "exactly one"), (ftp, "Wrong HTTP")]:
        with pytest.raises(TelegramBadRequest, match=reason):
            await bot.send_message(USER, "menu", reply_markup=markup)


async def test_per_chat_flood_limit_raises_retry_after() -> None:
    # A long window keeps the outcome independent of how fast the machine is.
    limits = RateLimit(global_limit=1000, per_chat_limit=1, window_seconds=60)
    async with FakeTelegram(rate_limit=limits) as tg:
        tg.add_user(USER)
        tg.add_user(USER + 1)
        bot = tg.make_bot()
        await bot.send_message(USER, "first")

        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(USER, "second")
        await bot.send_message(USER + 1, "another chat is not limited")

    assert isinstance(caught.value.retry_after, int) and caught.value.retry_after >= 1
    assert tg.rate_limited_count == 1
    assert tg.counts_by_status() == {200: 2, 429: 1}
    assert tg.requests("sendMessage")[1].response["parameters"]["retry_after"] >= 1


async def test_global_flood_limit_spans_chats() -> None:
    limits = RateLimit(global_limit=3, per_chat_limit=1000, window_seconds=60)
    async with FakeTelegram(rate_limit=limits) as tg:
        bot = tg.make_bot()
        for user in range(1, 5):
            tg.add_user(user)
        for user in range(1, 4):
            await bot.send_message(user, "notice")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(4, "notice")


async def test_unreachable_chats_answer_like_telegram(fake_telegram: FakeTelegram) -> None:
    bot = fake_telegram.make_bot()
    for user in (1, 2):
        fake_telegram.add_user(user)
    fake_telegram.set_chat_status(1, ChatStatus.BLOCKED)
    fake_telegram.set_chat_status(2, ChatStatus.DEACTIVATED)

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(1, "hello")
    with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
        await bot.send_message(2, "hello")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "nobody wrote from here")


async def test_edit_with_identical_content_is_not_modified(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()
    sent = await bot.send_message(USER, "Draft", reply_markup=keyboard("a"))

    await bot.edit_message_text("Final", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Final", chat_id=USER, message_id=sent.message_id)

    (visible,) = fake_telegram.messages_to(USER)
    assert visible.text == "Final"
    assert visible.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert [edit["text"] for edit in visible.edits] == ["Draft"]

    await bot.delete_message(USER, sent.message_id)
    assert fake_telegram.messages_to(USER) == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


async def test_document_upload_is_recorded_and_downloadable(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()
    report = b"%PDF-1.4 results of the survey"

    sent = await bot.send_document(
        USER, BufferedInputFile(report, filename="survey.pdf"), caption="<i>Results</i>"
    )

    request = fake_telegram.requests("sendDocument")[0]
    upload = request.params["document"]
    assert isinstance(upload, UploadedFile)
    assert (upload.filename, upload.size, upload.data) == ("survey.pdf", len(report), report)
    assert sent.document is not None and sent.document.file_name == "survey.pdf"
    assert sent.caption == "Results"
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == report


async def test_document_from_user_can_be_fetched_by_the_bot(fake_telegram: FakeTelegram) -> None:
    bot = fake_telegram.make_bot()
    update = fake_telegram.push_message(
        USER, "my transcript", document=UserFile(b"grades", "transcript.txt", "text/plain")
    )

    document = update["message"]["document"]
    assert update["message"]["caption"] == "my transcript"
    file = await bot.get_file(document["file_id"])
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"grades"


async def test_commands_get_bot_command_entities_and_update_ids_increase(
    fake_telegram: FakeTelegram,
) -> None:
    first = fake_telegram.push_message(USER, "/start")
    second = fake_telegram.push_message(USER, "پوچھنا ہے /help@hecbot_test_bot")

    assert first["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert second["message"]["entities"] == [{"type": "bot_command", "offset": 10, "length": 21}]
    assert second["update_id"] == first["update_id"] + 1
    assert second["message"]["message_id"] == first["message"]["message_id"] + 1


def test_a_users_text_is_at_most_4096_characters_as_telegram_delivers_it(
    fake_telegram: FakeTelegram,
) -> None:
    """Telegram's clients split a longer text into several messages: an update never holds
    more than 4,096 characters (UTF-16 units), so the fake refuses to make one."""
    fake_telegram.push_message(USER, "ا" * 4096)
    with pytest.raises(ValueError, match="at most 4096"):
        fake_telegram.push_message(USER, "x" * 4097)
    with pytest.raises(ValueError, match="at most 4096"):
        fake_telegram.push_message(USER, "😀" * 2049)  # two UTF-16 units each


async def test_unknown_method_is_404_and_wrong_token_401(fake_telegram: FakeTelegram) -> None:
    async with ClientSession() as http:
        url = f"{fake_telegram.base_url}/bot{fake_telegram.token}/sendTelepathy"
        async with http.post(url) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.post(f"{fake_telegram.base_url}/bot1:wrong/getMe") as response:
            assert response.status == 401


async def test_answer_callback_query_text_limit(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()
    sent = await bot.send_message(USER, "Pick", reply_markup=keyboard("pick"))
    query = fake_telegram.push_callback(USER, sent.message_id, "pick")["callback_query"]

    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query["id"], text="x" * 201)
    assert await bot.answer_callback_query(query["id"], text="x" * 200)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(ValueError, match="no button"):
        fake_telegram.push_callback(USER, sent.message_id, "not-on-the-keyboard")


async def test_markdown_v2_and_caption_limits(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()

    with pytest.raises(TelegramBadRequest, match="reserved and must be escaped"):
        await bot.send_message(USER, "Deadline: 30.06.2026", parse_mode="MarkdownV2")
    sent = await bot.send_message(USER, r"Deadline: *30\.06\.2026*", parse_mode="MarkdownV2")
    assert sent.text == "Deadline: 30.06.2026"

    photo = BufferedInputFile(b"\x89PNG fake", filename="poster.png")
    await bot.send_photo(USER, photo, caption="<b>" + "c" * 1024 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, photo, caption="c" * 1025)


async def test_other_methods_return_what_aiogram_expects(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(USER, first_name="Bilal", username="bilal_k")
    fake_telegram.add_user(USER + 1)
    bot = fake_telegram.make_bot()
    original = fake_telegram.push_message(USER, "please share")["message"]

    me = await bot.get_me()
    copied = await bot.copy_message(USER + 1, USER, original["message_id"])
    forwarded = await bot.forward_message(USER + 1, USER, original["message_id"])
    chat = await bot.get_chat(USER)
    assert await bot.send_chat_action(USER, "typing")
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(USER, "dancing")  # type: ignore[arg-type]
    from aiogram.types import BotCommand

    assert await bot.set_my_commands([BotCommand(command="start", description="Begin")])
    commands = await bot.get_my_commands()
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start-Now", description="x")])

    assert me.username == "hecbot_test_bot"
    assert [m.text for m in fake_telegram.messages_to(USER + 1)] == ["please share"] * 2
    assert copied.message_id == 1
    assert forwarded.forward_origin is not None
    assert chat.username == "bilal_k"
    assert [c.command for c in commands] == ["start"]


async def test_clear_forgets_requests_but_not_chats(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(USER)
    bot = fake_telegram.make_bot()
    await bot.send_message(USER, "one")

    fake_telegram.clear()

    assert fake_telegram.requests() == []
    assert fake_telegram.counts_by_status() == {}
    assert [m.text for m in fake_telegram.messages_to(USER)] == ["one"]
