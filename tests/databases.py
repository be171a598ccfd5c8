"""Databases at the newest migration for tests, copied from a template migrated once.

Migrating an empty database takes seconds (Alembic runs every revision); copying a migrated one
takes milliseconds. Each test process (each pytest-xdist worker) migrates one SQLite file and one
PostgreSQL database on first use and copies them for every test that wants a database at head.
The migrations themselves are tested from nothing by tests/integration/test_migrations.py.
Tests that start the bot on a new SQLite database get a copy of a second template, the first
start already done (the bundled universities and course sample loaded, `sqlite_started`).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bot.config import Settings
from bot.storage.db import Database
from tests import real_services


class MigratedTemplates:
    """One database per backend at head, made on first use.

    Tests run one at a time in a process, so no one is connected to the PostgreSQL template
    while it is copied, as `CREATE DATABASE ... TEMPLATE` requires.
    """

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.started: Path | None = None
        self.postgres_url: str | None = None

    async def sqlite(self) -> Path:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="hecbot-test-templates-"))
        path = self.folder / "template.sqlite3"
        if not path.exists():
            db = Database(f"sqlite+aiosqlite:///{path.resolve()}")
            await db.migrate()
            await db.close()  # the last connection closing checkpoints the WAL into the file
        return path

    async def sqlite_started(self) -> Path:
        """The SQLite template as the first start leaves it: `build_services` has loaded the
        bundled universities and course sample into it (~0.06 s of CPU for every bot a test
        starts on a new database, done once here)."""
        from bot.telegram.container import build_services

        if self.started is None:
            template = await self.sqlite()
            assert self.folder is not None
            first = Settings(HECBOT_DATA_DIR=self.folder / "first-start")  # type: ignore[call-arg]
            path = Path(first.effective_database_url.split(":///", 1)[1])
            _copy_unless_present(template, path)
            services = await build_services(first, answerer=_NeverAsked())
            await services.close()  # the last connection closing checkpoints the WAL
            self.started = path
        return self.started

    async def postgres(self) -> str:
        if self.postgres_url is None:
            url = await real_services.create_postgres_database()
            db = Database(url.replace("postgresql://", "postgresql+asyncpg://", 1))
            try:
                await db.migrate()
            finally:
                await db.close()
            self.postgres_url = url
        return self.postgres_url

    async def remove(self) -> None:
        if self.postgres_url is not None:
            await real_services.drop_postgres_database(self.postgres_url)
            self.postgres_url = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
            self.started = None


TEMPLATES = MigratedTemplates()


async def sqlite_at_head(settings: Settings) -> None:
    """Put a database at the newest migration where `settings` keep their SQLite file, as
    `hecbot db upgrade` would have; nothing when they name another database or the file exists.
    """
    if settings.database.url:
        return
    target = Path(settings.effective_database_url.split(":///", 1)[1])
    _copy_unless_present(await TEMPLATES.sqlite(), target)


async def sqlite_started(settings: Settings) -> None:
    """Like `sqlite_at_head`, a database as the bot's first start leaves it (the bundled
    universities and course sample loaded): for tests that start the bot on it, where
    `build_services` would load them anyway; nothing when the file exists."""
    if settings.database.url:
        return
    target = Path(settings.effective_database_url.split(":///", 1)[1])
    _copy_unless_present(await TEMPLATES.sqlite_started(), target)


class _NeverAsked:
    async def ask(self, question: str) -> object:
        raise AssertionError(f"the template's services were asked {question!r}")


def _copy_unless_present(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        shutil.copyfile(source, target)


async def postgres_at_head() -> str:
    """A new PostgreSQL database at the newest migration; its plain postgresql:// URL (drop it
    with `real_services.drop_postgres_database`)."""
    return await real_services.create_postgres_database(await TEMPLATES.postgres())
