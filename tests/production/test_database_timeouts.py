"""No statement of the bot waits on PostgreSQL without end (the loose end of a load run where a
few of 40 simultaneous questions never finished): a statement blocked on a lock, or running too
long, fails after the configured timeout and the learner is asked to try again. Migrations are
exempt: an instance waits for another's migration as long as it takes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from bot.config import Settings
from bot.delivery.store import DeliveryStore
from bot.errors import DatabaseTimeoutError, ServiceUnavailableError
from bot.outages import OutageWatch
from bot.storage import db as db_module
from bot.storage.db import MIGRATION_LOCK, Database
from bot.storage.delivery_models import DeliveryStatus
from bot.storage.types import utcnow
from tests.e2e.harness import BotHarness, message_update
from tests.fakebotapi import DEFAULT_TOKEN

pytestmark = [pytest.mark.postgres]

LOCK_TIMEOUT = 0.5
STATEMENT_TIMEOUT = 1.0
# Only keeps a regression (a statement waiting without end) from hanging the suite.
HANG_GUARD_SECONDS = 30
LEARNER = 7001  # onboarded by the `webhook_app` fixture


@pytest.fixture
def database_backend() -> str:
    return "postgres"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The bot of these tests gives up on PostgreSQL within a second."""
    settings.database.lock_timeout_seconds = LOCK_TIMEOUT
    settings.database.statement_timeout_seconds = STATEMENT_TIMEOUT
    return settings


@pytest.fixture
async def bounded(database: Database) -> AsyncIterator[Database]:
    """A second handle on the test's database, with the bot's timeouts and an outage watch."""
    handle = Database(
        database.url,
        statement_timeout_seconds=STATEMENT_TIMEOUT,
        lock_timeout_seconds=LOCK_TIMEOUT,
        outage_watch=OutageWatch("database"),
    )
    try:
        yield handle
    finally:
        await handle.close()


async def _run(database: Database, statement: str) -> None:
    async with database.session() as session:
        await session.exec(text(statement))


async def _count_questions(database: Database) -> int:
    async with database.session() as session:
        return int((await session.exec(text("SELECT count(*) FROM questions"))).one()[0])


async def _server_setting(database: Database, name: str) -> str:
    """A setting as PostgreSQL holds it for the handle's connections (timeouts in ms)."""
    async with database.session() as session:
        query = text("SELECT setting FROM pg_settings WHERE name = :name")
        return str((await session.exec(query, params={"name": name})).one()[0])


async def test_a_statement_blocked_on_a_lock_fails_after_the_lock_timeout(
    database: Database, bounded: Database
):
    async with database.engine.connect() as holder:
        await holder.execute(text("LOCK TABLE questions IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(DatabaseTimeoutError) as raised:
            await asyncio.wait_for(_count_questions(bounded), HANG_GUARD_SECONDS)
    # The lock timeout ended it, not the statement timeout nor the guard: PostgreSQL says which
    # (its reason, not a measured wait: under load the cancel can arrive after STATEMENT_TIMEOUT
    # has passed too), and the lock_timeout it keeps to is the one configured.
    assert "lock timeout" in str(raised.value)
    assert f"lock_timeout {LOCK_TIMEOUT:g} s" in str(raised.value)
    # Not an outage: the database answered, and the pool's connection serves the next statement.
    assert bounded.outage_watch is not None and bounded.outage_watch.outage is None
    assert await _count_questions(bounded) == 0
    assert await _server_setting(bounded, "lock_timeout") == f"{LOCK_TIMEOUT * 1000:g}"


async def test_a_delivery_workers_statement_blocked_on_a_lock_is_a_timeout_not_an_outage(
    database: Database, bounded: Database
):
    store = DeliveryStore(bounded)
    async with database.engine.connect() as holder:
        await holder.execute(text("LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(DatabaseTimeoutError, match="lock timeout"):
            await asyncio.wait_for(
                store.finish(1, DeliveryStatus.SENT, utcnow()), HANG_GUARD_SECONDS
            )
    assert bounded.outage_watch is not None and bounded.outage_watch.outage is None


async def test_a_statement_running_too_long_is_cancelled_after_the_statement_timeout(
    bounded: Database,
):
    # pg_sleep(20) outlasts the statement timeout and ends within the guard: without the
    # timeout the statement would simply finish and nothing would be raised.
    with pytest.raises(DatabaseTimeoutError) as raised:
        await asyncio.wait_for(_run(bounded, "SELECT pg_sleep(20)"), HANG_GUARD_SECONDS)
    # PostgreSQL cancelled it for its statement_timeout (its reason, not a measured wait), and
    # that timeout is the one configured.
    assert "statement timeout" in str(raised.value)
    assert await _server_setting(bounded, "statement_timeout") == f"{STATEMENT_TIMEOUT * 1000:g}"


async def test_a_server_that_stops_answering_is_given_up_on_by_the_client(
    database: Database, monkeypatch: pytest.MonkeyPatch
):
    # The server's own timeout is switched off for the statement, as it would be missing if the
    # server (or the network to it) stopped answering: the client's command_timeout ends it.
    monkeypatch.setattr(db_module, "CLIENT_TIMEOUT_MARGIN_SECONDS", 0.5)
    handle = Database(database.url, statement_timeout_seconds=STATEMENT_TIMEOUT)

    async def unbounded_on_the_server() -> None:
        async with handle.session() as session:
            await session.exec(text("SET LOCAL statement_timeout = 0"))
            await session.exec(text("SELECT pg_sleep(20)"))

    try:
        # The guard wraps the whole session: its own TimeoutError, bare like the client's, would
        # otherwise be reported as the same "no answer" (a hang passing for the client's bound).
        # Without the client's bound the statement finishes after 20 s and nothing is raised.
        with pytest.raises(ServiceUnavailableError) as raised:
            await asyncio.wait_for(unbounded_on_the_server(), HANG_GUARD_SECONDS)
        assert str(raised.value) == "database unavailable: no answer within 1.5 s"
    finally:
        await handle.close()


async def test_a_learner_whose_question_meets_a_held_lock_is_asked_to_try_again(
    webhook_app: BotHarness, database: Database, caplog: pytest.LogCaptureFixture
):
    assert webhook_app.services is not None
    catalogue = webhook_app.services.catalogue.for_language("en")
    caplog.set_level(logging.WARNING)
    async with database.engine.connect() as holder:
        # The learner's question is stored in this table: its INSERT waits for the lock.
        await holder.execute(text("LOCK TABLE questions IN ACCESS EXCLUSIVE MODE"))
        response = await asyncio.wait_for(
            webhook_app.post(message_update(1, LEARNER, "Who gets a licence?")),
            HANG_GUARD_SECONDS,
        )
    # Answered (not left for Telegram to deliver again into the same wait), with "try again".
    assert response.status == 200
    replies = await webhook_app.fake.wait_for("sendMessage", lambda r: r.chat_id == LEARNER)
    assert replies[0].params["text"] == catalogue("error-unavailable")
    assert any("lock timeout" in record.getMessage() for record in caplog.records)

    # The lock is gone: the learner's next question is answered as usual.
    await webhook_app.post(message_update(2, LEARNER, "Who gets a licence now?"))
    replies = await webhook_app.fake.wait_for(
        "sendMessage", lambda r: r.chat_id == LEARNER, count=2
    )
    assert "Answer to: Who gets a licence now?" in replies[1].params["text"]


async def test_migrating_waits_for_another_instances_migration_beyond_the_timeouts(
    database: Database, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(db_module, "CLIENT_TIMEOUT_MARGIN_SECONDS", 0.2)  # the client's bound too
    starting = Database(
        database.url,
        statement_timeout_seconds=STATEMENT_TIMEOUT,
        lock_timeout_seconds=LOCK_TIMEOUT,
    )
    try:
        async with database.engine.connect() as other_instance:
            await other_instance.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK}
            )
            migrating = asyncio.create_task(starting.migrate())
            await asyncio.sleep(STATEMENT_TIMEOUT + 0.5)  # past every timeout
            assert not migrating.done(), "migrate() gave up while another instance migrated"
            await other_instance.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK}
            )
        await asyncio.wait_for(migrating, HANG_GUARD_SECONDS)
    finally:
        await starting.close()


async def test_the_bare_delivery_worker_opens_the_database_with_the_configured_bounds(
    database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    # `python -m bot.delivery` once opened a plain handle: no timeouts, asyncpg's default pool.
    from bot.delivery import __main__ as bare_worker

    settings.telegram.bot_token = SecretStr(DEFAULT_TOKEN)
    settings.database.pool_size = 3
    settings.database.max_overflow = 2
    seen: dict[str, object] = {}

    class RecordingWorker:
        """Stands in for the sender: reads what its database handle's connections carry."""

        def __init__(self, handle: Database, *_args: object, **_kwargs: object) -> None:
            self.handle = handle

        async def run(self, _stop: asyncio.Event) -> None:
            async with self.handle.session() as session:
                for name in ("statement_timeout", "lock_timeout"):  # in milliseconds
                    setting = text("SELECT setting FROM pg_settings WHERE name = :name")
                    seen[name] = (await session.exec(setting, params={"name": name})).one()[0]
            seen["pool"] = self.handle.engine.pool.status()

    monkeypatch.setattr(bare_worker, "load_settings", lambda: settings)
    monkeypatch.setattr(bare_worker, "DeliveryWorker", RecordingWorker)
    await asyncio.wait_for(bare_worker.main(), HANG_GUARD_SECONDS)
    assert seen["statement_timeout"] == f"{STATEMENT_TIMEOUT * 1000:g}"
    assert seen["lock_timeout"] == f"{LOCK_TIMEOUT * 1000:g}"
    assert "Pool size: 3" in str(seen["pool"])
