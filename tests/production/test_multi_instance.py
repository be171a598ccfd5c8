"""Two bot processes in webhook mode on PostgreSQL and Redis, behind the fake Bot API server.

The fake posts updates to the instances in turn, so consecutive messages of one learner land on
different processes: the conversation state must live in Redis and the data in PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

from tests import real_services
from tests.fakebotapi import FakeTelegram
from tests.production.cluster import (
    SECRET,
    ClusterConfig,
    Instance,
    running_cluster,
    start_instance,
    stop_instance,
    wait_healthy,
)
from tests.production.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await real_services.create_postgres_database()
    try:
        yield url
    finally:
        await real_services.drop_postgres_database(url)


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    await real_services.require("redis")
    prefix = real_services.new_redis_prefix()
    try:
        yield prefix
    finally:
        await real_services.delete_redis_keys(prefix)


@pytest.fixture
def cluster_config(postgres_url: str, redis_prefix: str, tmp_path: Path) -> ClusterConfig:
    return ClusterConfig(
        database_url=postgres_url,
        redis_url=real_services.REDIS_TEST_URL,
        redis_key_prefix=redis_prefix,
        data_dir=tmp_path / "cluster",
    )


def texts_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [m.text or "" for m in fake.messages_to(chat_id) if m.from_bot]


async def test_two_instances_share_conversations_questions_and_refuse_bad_requests(
    cluster_config: ClusterConfig,
):
    async with (
        FakeTelegram(webhook_max_attempts=3) as fake,
        running_cluster(cluster_config, fake) as instances,
    ):
        learner = 5_000_000_301
        steps = ["/enrol", "NUST Islamabad", "Google Data Analytics"]
        for count, text in enumerate(steps, start=1):
            fake.push_message(learner, text)
            await fake.wait_for("sendMessage", lambda r: r.chat_id == learner, count=count)
        replies = texts_to(fake, learner)
        assert replies[-1].endswith("Enrolled: NUST Islamabad / Google Data Analytics")
        # Each step was answered by the instance the fake posted it to: both took part.
        answered_by = {reply.split("]", 1)[0].lstrip("[") for reply in replies}
        assert answered_by == {"bot1", "bot2"}
        delivered_to = {d.url for d in fake.webhook_deliveries if d.status == 200}
        assert delivered_to == {instance.webhook_url for instance in instances}

        await check_questions_and_language_are_shared(fake, instances)
        await check_secret_and_malformed_bodies_are_refused(instances[0])


async def test_the_instance_sets_its_webhook_with_the_secret_on_start(
    cluster_config: ClusterConfig,
):
    async with FakeTelegram() as fake:
        cluster_config.extra_env["WEBHOOK_URL"] = "https://bot.example.org/telegram/webhook"
        instance = start_instance(cluster_config, fake, "bot1")
        try:
            await wait_healthy(instance)
            (call,) = await fake.wait_for("setWebhook", timeout=30)
        finally:
            assert await stop_instance(instance) == 0, instance.log_text()[-2000:]
        assert call.params["url"] == "https://bot.example.org/telegram/webhook"
        assert call.params["secret_token"] == SECRET
        assert "stopping: finishing the updates in progress" in instance.log_text()


@pytest.mark.parametrize("service", ["postgres", "redis"])
async def test_a_service_restart_mid_run_loses_no_message(
    cluster_config: ClusterConfig, service: str
):
    if service == "postgres":
        proxy = TcpProxy("127.0.0.1", 5432)
        cluster_config.database_url = cluster_config.database_url.replace(
            "127.0.0.1:5432", f"127.0.0.1:{proxy.port}"
        )
    else:
        proxy = TcpProxy("127.0.0.1", 6379)
        cluster_config.redis_url = real_services.REDIS_TEST_URL.replace(
            "127.0.0.1:6379", f"127.0.0.1:{proxy.port}"
        )
    learner = 5_000_000_303
    async with (
        proxy,
        FakeTelegram(webhook_max_attempts=60, webhook_retry_delay=0.2) as fake,
        running_cluster(cluster_config, fake) as instances,
    ):
        fake.push_message(learner, "Before the restart?")
        await fake.wait_for("sendMessage", lambda r: r.chat_id == learner)

        await proxy.stop()  # the server goes away, its connections are cut
        during = [f"During the restart {n}?" for n in range(4)]
        for text in during:
            fake.push_message(learner, text)
        failed = await _wait_for_failed_delivery(fake)
        assert failed, "no delivery failed while the service was down"
        await proxy.start()  # it is back

        answers = await fake.wait_for(
            "sendMessage",
            lambda r: r.chat_id == learner and "Answer to:" in str(r.params.get("text")),
            count=1 + len(during),
            timeout=90,
        )
        answered = [str(r.params["text"]) for r in answers]
        for text in ["Before the restart?", *during]:
            assert sum(f"Answer to: {text}" in a for a in answered) == 1, (text, answered)
        for instance in instances:
            assert instance.process.poll() is None, instance.log_text()[-2000:]
        assert any("asking Telegram to deliver it again" in i.log_text() for i in instances)


async def _wait_for_failed_delivery(fake: FakeTelegram, timeout: float = 30.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if any(d.status == 503 for d in fake.webhook_deliveries):
            return True
        await asyncio.sleep(0.1)
    return False


async def check_questions_and_language_are_shared(
    fake: FakeTelegram, instances: list[Instance]
) -> None:
    learner = 5_000_000_302
    fake.push_message(learner, "/start", language_code="ur")
    (start_reply,) = await fake.wait_for("sendMessage", lambda r: r.chat_id == learner)
    message_id = start_reply.response["result"]["message_id"]
    keyboard = start_reply.params["reply_markup"]
    if isinstance(keyboard, str):
        keyboard = json.loads(keyboard)
    english = next(
        button["callback_data"]
        for row in keyboard["inline_keyboard"]
        for button in row
        if button["callback_data"].endswith(":en")
    )
    fake.push_callback(learner, message_id, english)
    await fake.wait_for("answerCallbackQuery")
    questions = [f"Question number {n} about licences?" for n in range(6)]
    for question in questions:
        fake.push_message(learner, question)
    answers = await fake.wait_for(
        "sendMessage",
        lambda r: r.chat_id == learner and "Answer to:" in str(r.params.get("text")),
        count=len(questions),
        timeout=30,
    )
    answered = sorted(str(r.params["text"]).split("Answer to: ", 1)[1] for r in answers)
    assert [a.split("\n", 1)[0] for a in answered] == sorted(questions)
    assert len(answers) == len(questions), "an answer was doubled"
    for instance in instances:
        assert instance.process.poll() is None


async def check_secret_and_malformed_bodies_are_refused(instance: Instance) -> None:
    update = {"update_id": 1, "message": {"text": "no secret"}}
    async with ClientSession() as http:
        no_secret = await http.post(instance.webhook_url, json=update)
        malformed = await http.post(
            instance.webhook_url,
            data=b"{broken",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        metrics = await (await http.get(instance.base_url + "/metrics")).text()
    assert no_secret.status == 403
    assert malformed.status == 400
    assert 'hecbot_webhook_rejected_total{reason="secret"} 1.0' in metrics
    assert 'hecbot_webhook_rejected_total{reason="malformed"} 1.0' in metrics
    assert "malformed webhook body" in instance.log_text()
