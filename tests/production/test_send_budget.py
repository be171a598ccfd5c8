"""Replies under Telegram's flood control: a 429 is waited out and the reply sent again, counted
once; a reply that still cannot go leaves its update unacknowledged (503, Telegram delivers it
again), and an update id already handled is never answered twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram.exceptions import TelegramRetryAfter
from pydantic import SecretStr

from bot.config import Settings
from bot.delivery.budget import BudgetRates, LocalSendBudget
from bot.delivery.messages import OutgoingMessage
from bot.delivery.session import install_send_budget
from bot.delivery.telegram import OutcomeKind, TelegramSender
from bot.metrics import BotMetrics
from bot.storage.db import Database
from bot.telegram.container import AppServices
from bot.transient import is_transient
from tests.delivery.fakes import FakeClock
from tests.e2e.harness import BotHarness, message_update
from tests.factories import make_user
from tests.fakebotapi import DEFAULT_TOKEN, FakeTelegram, RateLimit
from tests.production.conftest import SECRET
from tests.production.doubles import EchoAnswerer

# A budget far above what the fake allows: every 429 below is Telegram's, not avoided by pacing.
GENEROUS = BudgetRates(rate=30, burst=10)


async def test_replies_refused_with_429_are_sent_after_the_wait_and_counted_once():
    metrics = BotMetrics()
    async with FakeTelegram(
        strict_chats=False, rate_limit=RateLimit(global_limit=3, per_chat_limit=100)
    ) as fake:
        bot = fake.make_bot()
        install_send_budget(bot, LocalSendBudget(GENEROUS), metrics)
        await asyncio.gather(*(bot.send_message(chat, "hello") for chat in range(1, 7)))

    delivered = [r for r in fake.requests("sendMessage") if r.ok]
    assert sorted(int(r.chat_id or 0) for r in delivered) == [1, 2, 3, 4, 5, 6]
    assert fake.rate_limited_count > 0
    assert metrics.value("hecbot_telegram_rate_limited_total") == fake.rate_limited_count
    assert metrics.value("hecbot_telegram_retries_total", {"kind": "reply"}) == (
        fake.rate_limited_count
    )
    assert metrics.value("hecbot_telegram_sends_total", {"kind": "reply"}) == 6


async def test_a_reply_still_refused_after_the_retries_raises_a_transient_error():
    async with FakeTelegram(
        strict_chats=False, rate_limit=RateLimit(global_limit=1, window_seconds=60)
    ) as fake:
        bot = fake.make_bot()
        install_send_budget(bot, LocalSendBudget(GENEROUS))
        await bot.send_message(1, "first")
        with pytest.raises(TelegramRetryAfter) as refused:
            await bot.send_message(2, "second")  # told to wait ~60 s: more than a reply may
    assert is_transient(refused.value)


@pytest.fixture
async def flooded_app(settings: Settings, database: Database) -> AsyncIterator[BotHarness]:
    async with FakeTelegram(strict_chats=False) as fake:
        settings.telegram.bot_token = SecretStr(DEFAULT_TOKEN)
        settings.telegram.api_base = fake.base_url

        def on_a_clock_that_jumps(services: AppServices) -> None:
            # The 60 s pause the first 429 starts is not waited in real time.
            install_send_budget(
                harness.bot, LocalSendBudget(GENEROUS, FakeClock()), services.metrics
            )

        harness = BotHarness(
            fake,
            settings,
            answerer=EchoAnswerer(),
            webhook_secret=SECRET,
            worker=False,
            prepare=on_a_clock_that_jumps,
        )
        async with harness:
            assert harness.services is not None
            await make_user(harness.services.database, 7001)
            yield harness


async def test_an_update_whose_reply_hit_429_is_not_acknowledged_and_is_answered_once(
    flooded_app: BotHarness,
):
    fake, services = flooded_app.fake, flooded_app.services
    update = message_update(41, 7001, "Who gets a licence?")

    fake.rate_limit = RateLimit(global_limit=1, window_seconds=60)
    await fake.make_bot().send_message(999, "the minute's only message")  # the rest: 429
    refused = await flooded_app.post(update)
    assert refused.status == 503  # not done: Telegram delivers it again

    fake.rate_limit = None
    accepted = await flooded_app.post(update)
    assert accepted.status == 200
    again = await flooded_app.post(update)  # e.g. the 200 was lost
    assert again.status == 200

    answers = [r for r in fake.requests("sendMessage") if r.ok and r.chat_id == 7001]
    assert len(answers) == 1
    assert "Answer to: Who gets a licence?" in answers[0].params["text"]
    metrics = services.metrics
    assert metrics.value("hecbot_updates_handled_total", {"type": "message"}) == 1
    assert metrics.value("hecbot_updates_duplicate_total") == 1


async def test_paid_messages_go_with_allow_paid_broadcast_past_the_free_limit():
    async with FakeTelegram(
        strict_chats=False, rate_limit=RateLimit(global_limit=1, window_seconds=60)
    ) as fake:
        sender = TelegramSender(fake.make_bot())
        free = await sender.send(OutgoingMessage(chat_id=1, text="free"))
        paid = [
            await sender.send(OutgoingMessage(chat_id=chat, text="urgent", paid=True))
            for chat in (2, 3, 4)
        ]
        refused = await sender.send(OutgoingMessage(chat_id=5, text="free again"))
    assert free.kind is OutcomeKind.SENT
    assert [outcome.kind for outcome in paid] == [OutcomeKind.SENT] * 3
    assert refused.kind is OutcomeKind.RETRY_AFTER
    assert fake.paid_broadcast_count == 3
    flags = [r.params.get("allow_paid_broadcast") for r in fake.requests("sendMessage") if r.ok]
    assert flags == [None, True, True, True]
    # Stored and read back from an outbox row, the flag survives.
    message = OutgoingMessage(chat_id=9, text="urgent", paid=True)
    assert OutgoingMessage.from_payload(9, message.payload()) == message
