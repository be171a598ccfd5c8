"""Round trips to PostgreSQL per update: connections are pinged before use only after sitting
idle, and a broken idle one is still replaced without the learner noticing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text

import bot.storage.db as db_module
from bot.errors import ServiceUnavailableError
from bot.storage.db import Database
from tests import real_services

pytestmark = pytest.mark.postgres


@pytest.fixture
async def postgres() -> AsyncIterator[Database]:
    await real_services.require("postgres")
    url = await real_services.create_postgres_database()
    database = Database(url.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=1)
    try:
        yield database
    finally:
        await database.close()
        await real_services.drop_postgres_database(url)


async def _backend_pid(database: Database) -> int:
    async with database.session() as session:
        return int((await session.exec(text("SELECT pg_backend_pid()"))).one()[0])  # type: ignore[call-overload]


async def _terminate(pid: int) -> None:
    admin = await asyncpg.connect(real_services.POSTGRES_ADMIN_URL)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def test_an_idle_connection_a_restart_broke_is_replaced_unnoticed(
    postgres: Database, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    broken = await _backend_pid(postgres)
    await _terminate(broken)
    assert await _backend_pid(postgres) != broken  # pinged, found dead, replaced


async def test_a_connection_in_steady_use_is_not_pinged(
    postgres: Database, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    broken = await _backend_pid(postgres)
    await _terminate(broken)
    # Not pinged, so the break surfaces (a 503 for the webhook: Telegram redelivers) ...
    with pytest.raises(ServiceUnavailableError):
        await _backend_pid(postgres)
    # ... and the pool has replaced the connection for the next update.
    assert await _backend_pid(postgres) != broken


async def test_a_known_learners_question_opens_no_transaction_and_stores_the_same(
    postgres: Database, monkeypatch: pytest.MonkeyPatch
):
    """Every question looks its asker up and stores one row: each is one statement, run
    without BEGIN and COMMIT (two round trips of three each). The stored rows are unchanged."""
    from asyncpg.transaction import Transaction  # type: ignore[import-untyped]
    from sqlmodel import select

    from bot.services.questions import QuestionService
    from bot.services.users import UserService
    from bot.storage.models import QuestionLog
    from tests.production.doubles import EchoAnswerer

    await postgres.migrate()
    users = UserService(postgres)
    questions = QuestionService(postgres, EchoAnswerer())
    created = await users.get_or_create(7, language_code="ur")  # first contact: one INSERT
    assert created.is_new and created.language == "ur"

    started: list[object] = []
    begin = Transaction.start

    async def counting_start(self: Transaction) -> None:
        started.append(self)
        await begin(self)

    monkeypatch.setattr(Transaction, "start", counting_start)
    known = await users.get_or_create(7, language_code="en")
    answered = await questions.ask(7, "Who is eligible for a licence?", channel="telegram")
    assert started == []

    assert not known.is_new and known.language == "ur"
    async with postgres.session() as session:
        (row,) = (await session.exec(select(QuestionLog))).all()
    assert row.id == answered.id and row.user_id == 7
    assert row.answer == "Answer to: Who is eligible for a licence?" and row.citations
