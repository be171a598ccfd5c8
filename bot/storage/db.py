"""The database handle: one async engine and session factory, built at start-up and passed down."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import (
    DatabaseError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import ConfigurationError, DatabaseTimeoutError, ServiceUnavailableError
from bot.outages import OutageWatch

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# PostgreSQL advisory lock id held while migrating (an arbitrary constant: "hecb" in ASCII).
MIGRATION_LOCK = 0x68656362
# Held while an instance loads the bundled catalogues into an empty database ("hecs").
FIRST_START_LOCK = 0x68656373


def alembic_config(url: str) -> Config:
    """Alembic's config without an ini file, so migrations run from the installed package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the bot read while the worker writes. busy_timeout waits out other writers: on a
    # loaded 2-core machine 5 s was seen to run out when many learners answered at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    # Not DATABASE_LOCK_TIMEOUT_SECONDS: SQLite has one write lock for the whole file, so this
    # wait is ordinary queueing behind the other process's writes (bot and worker), not a
    # transaction stuck on a row; that setting's 10 s default would shorten a wait chosen after
    # 5 s ran out, and its 0 (no bound, on PostgreSQL) would here mean "fail at once".
    cursor.execute("PRAGMA busy_timeout=15000")
    # In WAL mode NORMAL survives a killed process (only a power cut may lose the last commits)
    # and spares an fsync per commit: the outbox commits twice per message.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # /forget must not leave a person's words readable in the file's free pages: deleted and
    # overwritten content is zeroed (the WAL is truncated after /forget, bot/services/privacy.py).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# A pooled PostgreSQL connection unused for this long is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 2.0
# Opening a PostgreSQL connection gives up after this long (asyncpg waits 60 s by default), as
# waiting for a free pooled one does (pool_timeout).
CONNECT_TIMEOUT_SECONDS = 10.0
# With a statement timeout, the client stops waiting for an answer this much later than the
# server would have cancelled the statement: PostgreSQL normally reports first, saying why; the
# client's own bound catches a server (or network) that has stopped answering at all.
CLIENT_TIMEOUT_MARGIN_SECONDS = 5.0
# SQLSTATEs of a statement PostgreSQL cancelled: query_canceled (statement_timeout, or an
# operator's pg_cancel_backend) and lock_not_available (lock_timeout).
_TIMEOUT_SQLSTATES = ("57014", "55P03")


def postgres_connect_args(
    *, statement_timeout_seconds: float, lock_timeout_seconds: float
) -> dict[str, Any]:
    """asyncpg's connect arguments bounding every statement (0: that bound is off).

    statement_timeout and lock_timeout travel in the start-up packet (no extra round trip); a
    cancelled statement fails with SQLSTATE 57014 or 55P03, which `Database` turns into
    `DatabaseTimeoutError` (`_service_error`: its sessions, `statements` and `transaction`).
    command_timeout bounds the wait on the client side as well.
    """
    server_settings: dict[str, str] = {}
    if statement_timeout_seconds > 0:
        server_settings["statement_timeout"] = f"{round(statement_timeout_seconds * 1000)}ms"
    if lock_timeout_seconds > 0:
        server_settings["lock_timeout"] = f"{round(lock_timeout_seconds * 1000)}ms"
    arguments: dict[str, Any] = {"timeout": CONNECT_TIMEOUT_SECONDS}
    if server_settings:
        arguments["server_settings"] = server_settings
    if statement_timeout_seconds > 0:
        arguments["command_timeout"] = statement_timeout_seconds + CLIENT_TIMEOUT_MARGIN_SECONDS
    return arguments


def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dialect: Dialect, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except Exception as error:
        # The pool discards this connection and checks out (or opens) another.
        raise DisconnectionError(f"stale pooled connection: {error}") from error


class Database:
    """An async engine plus its session factory.

    On PostgreSQL, `statement_timeout_seconds` and `lock_timeout_seconds` (0: none) bound every
    statement of the pool: one that runs or waits for a lock longer fails with
    `DatabaseTimeoutError` (the learner is asked to try again) instead of hanging the update.
    Migrations and the first-start lock wait on a connection of their own without them: another
    instance may hold the migration lock for as long as its migration takes.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 5,
        max_overflow: int = 5,
        outage_watch: OutageWatch | None = None,
        statement_timeout_seconds: float = 0.0,
        lock_timeout_seconds: float = 0.0,
    ) -> None:
        self.url = url
        self._echo = echo
        self.statement_timeout_seconds = statement_timeout_seconds
        self.lock_timeout_seconds = lock_timeout_seconds
        # Told of every session that got through or met an outage: one log line per outage.
        self.outage_watch = outage_watch
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split(":///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # hide_parameters: a failed statement's log line must not carry a learner's text.
            self.engine: AsyncEngine = create_async_engine(url, echo=echo, hide_parameters=True)
            event.listen(self.engine.sync_engine, "connect", _configure_sqlite)
        else:
            # pool_recycle drops connections idle proxies may have cut. Instead of
            # pool_pre_ping (a round trip before every session: a tenth of the bot's time per
            # question under load), only connections idle for a while are pinged; one in steady
            # use that a restart broke fails its update (503: Telegram redelivers) and makes
            # SQLAlchemy replace every connection older than the failure.
            self.engine = create_async_engine(
                url,
                echo=echo,
                hide_parameters=True,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_recycle=1800,
                pool_timeout=10,
                connect_args=postgres_connect_args(
                    statement_timeout_seconds=statement_timeout_seconds,
                    lock_timeout_seconds=lock_timeout_seconds,
                ),
            )
            pool = self.engine.sync_engine.pool
            event.listen(pool, "checkin", _note_idle_since)
            event.listen(pool, "checkout", partial(_ping_if_idle, self.engine.dialect))
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        # Statements each a transaction of their own: no BEGIN and COMMIT round trips around
        # them (PostgreSQL; SQLite keeps its ordinary transactions).
        self._autocommit_engine = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._single_statement_sessions = (
            self._sessions
            if self.is_sqlite
            else async_sessionmaker(
                self._autocommit_engine, class_=AsyncSession, expire_on_commit=False
            )
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, outage_watch: OutageWatch | None = None
    ) -> Database:
        """The database handle of a long-running process (the bot, `hecbot worker`,
        `python -m bot.delivery`): the configured pool, statement and lock timeouts."""
        return cls(
            settings.effective_database_url,
            pool_size=settings.database.pool_size,
            max_overflow=settings.database.max_overflow,
            outage_watch=outage_watch,
            statement_timeout_seconds=settings.database.statement_timeout_seconds,
            lock_timeout_seconds=settings.database.lock_timeout_seconds,
        )

    @asynccontextmanager
    async def session(self, *, single_statement: bool = False) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block succeeds and rolls back when it raises.

        `single_statement`: the block writes with one statement at most (one row inserted or
        updated, after any reads). On PostgreSQL it then runs in autocommit, each statement its
        own transaction, without the BEGIN and COMMIT round trips (two of the three a one-row
        lookup costs on loopback): the same outcome, since a lone write is atomic anyway and
        reads under READ COMMITTED take a snapshot per statement inside a transaction too.
        """
        sessions = self._single_statement_sessions if single_statement else self._sessions
        async with sessions() as session:
            try:
                yield session
                await session.commit()
            except (DBAPIError, OSError, PoolTimeoutError) as error:
                await _rollback_quietly(session)
                translated = self._service_error(error)
                if translated is not None:
                    raise translated from error
                raise
            except BaseException:
                await session.rollback()
                raise
            self.reachable()

    @asynccontextmanager
    async def statements(self) -> AsyncIterator[AsyncConnection]:
        """A plain connection for the hot path's SQL statements (a known learner's lookup, a
        new question's row), with the outages reported as `session` reports them.

        On PostgreSQL each statement is its own transaction, as in `session(single_statement=
        True)`; on SQLite the block is one transaction, committed when it succeeds. No ORM
        session around them: for a one-row lookup or insert its identity map, unit of work and
        model instances cost more of the bot's CPU than the statement itself (profiled).
        """
        opening = self.engine.begin() if self.is_sqlite else self._autocommit_engine.connect()
        async with self._reported(opening) as connection:
            yield connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A plain connection whose block is one transaction, committed when it succeeds (the
        delivery worker's claims: no ORM session's overhead), with the outages and timeouts
        reported as `session` reports them."""
        async with self._reported(self.engine.begin()) as connection:
            yield connection

    @asynccontextmanager
    async def _reported(
        self, opening: AbstractAsyncContextManager[AsyncConnection]
    ) -> AsyncIterator[AsyncConnection]:
        """``opening``'s connection, with an outage or a timeout raised as the service error
        `_service_error` names, and a block that got through reported to the watch."""
        try:
            async with opening as connection:
                yield connection
        except (DBAPIError, OSError, PoolTimeoutError) as error:
            translated = self._service_error(error)
            if translated is not None:
                raise translated from error
            raise
        self.reachable()

    def _service_error(
        self, error: DBAPIError | OSError | PoolTimeoutError
    ) -> ServiceUnavailableError | None:
        """The error to raise instead of `error`, or None for an error of the statement itself.

        The database out of reach (an outage): a lost connection, a refused one (asyncpg
        reports it as OSError), no answer within the client's command timeout (a bare
        TimeoutError), every connection busy or hanging on a dead server (the pool's timeout).
        A statement PostgreSQL cancelled after its statement or lock timeout: DatabaseTimeoutError.
        """
        if isinstance(error, DBAPIError):
            if _is_disconnect(error):
                return self.unavailable(error, str(error.orig))
            return self._timed_out(error)
        return self.unavailable(error, self._no_answer(error))

    def unavailable(self, error: BaseException, detail: str) -> ServiceUnavailableError:
        """The error to raise for an outage (a restart, a failover), reported to the watch."""
        if self.outage_watch is not None:
            self.outage_watch.failed(error)
        return ServiceUnavailableError(f"database unavailable: {detail}", dependency="database")

    def _timed_out(self, error: DBAPIError) -> DatabaseTimeoutError | None:
        """The error to raise for a statement PostgreSQL cancelled after its timeout, else None.

        Not an outage (the server answered, saying why): the watch is not told.
        """
        sqlstate = getattr(error.orig, "sqlstate", None)
        if sqlstate not in _TIMEOUT_SQLSTATES:
            return None
        limits = (
            f"statement_timeout {self.statement_timeout_seconds:g} s, "
            f"lock_timeout {self.lock_timeout_seconds:g} s"
        )
        reason = str(getattr(error.orig, "args", ("",))[0] or error.orig).splitlines()[0]
        return DatabaseTimeoutError(f"database statement timed out ({limits}): {reason}")

    def _no_answer(self, error: OSError | PoolTimeoutError) -> str:
        # asyncpg's command_timeout raises a bare TimeoutError, whose text is empty.
        if isinstance(error, TimeoutError) and not str(error):
            bound = self.statement_timeout_seconds + CLIENT_TIMEOUT_MARGIN_SECONDS
            return f"no answer within {bound:g} s"
        return str(error)

    def reachable(self) -> None:
        """A statement got through: ends an outage the watch saw."""
        if self.outage_watch is not None:
            self.outage_watch.succeeded()

    @asynccontextmanager
    async def first_start_lock(self) -> AsyncIterator[None]:
        """Serialise first-start data loading across instances sharing one PostgreSQL.

        Instances started together each find the universities and courses tables empty and
        would each insert the bundled rows; with the lock the first loads them and the others
        then find them there. SQLite serves one process, so it needs no lock.
        """
        if self.is_sqlite:
            yield
            return
        async with self._unbounded() as engine, engine.connect() as connection:
            await connection.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": FIRST_START_LOCK}
            )
            await connection.commit()
            try:
                yield
            finally:
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": FIRST_START_LOCK}
                )
                await connection.commit()

    @asynccontextmanager
    async def _unbounded(self) -> AsyncIterator[AsyncEngine]:
        """An engine whose statements may wait as long as they need: waiting for another
        instance's migration, migrating a large table. One connection, closed after use."""
        if self.is_sqlite or (
            self.statement_timeout_seconds <= 0 and self.lock_timeout_seconds <= 0
        ):
            yield self.engine
            return
        engine = create_async_engine(
            self.url,
            echo=self._echo,
            hide_parameters=True,
            poolclass=NullPool,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
        )
        try:
            yield engine
        finally:
            await engine.dispose()

    async def migrate(self) -> None:
        """Bring the schema to the newest migration; a fresh database gets every table."""
        try:
            async with self._unbounded() as engine, engine.begin() as connection:
                await connection.run_sync(self._upgrade)
        except OperationalError as error:
            raise ServiceUnavailableError(
                f"database unavailable: {error.orig}", dependency="database"
            ) from error
        except DatabaseError as error:
            if self.is_sqlite and "not a database" in str(error.orig):
                path = self.url.split(":///", 1)[-1]
                raise ConfigurationError(
                    f"{path} is not a SQLite database (damaged, or another file): move it away "
                    f"(`mv {path} {path}.broken`) and start again, or restore a backup"
                ) from None
            raise
        except OSError as error:
            raise ServiceUnavailableError(
                f"database unavailable: {error}", dependency="database"
            ) from error

    async def downgrade(self, revision: str) -> None:
        """Take the schema back to `revision` (a rollback to an older hecbot), under the same
        advisory lock as `migrate`, over this handle's own connection."""

        def run(connection: Connection) -> None:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)

        async with self._unbounded() as engine, engine.begin() as connection:
            await connection.run_sync(run)

    def _upgrade(self, connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            # Several instances start at once: one migrates, the others wait here, then find
            # the schema at head. The lock ends with this transaction.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        tables = set(inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:
            raise ConfigurationError(
                "DATABASE_URL: this database has tables but no migration history; "
                "it was not created by hecbot. Point DATABASE_URL at an empty database."
            )
        current = MigrationContext.configure(connection).get_current_revision()
        config = alembic_config(self.url)
        # One read of the migration scripts for every question asked of them below.
        script = ScriptDirectory.from_config(config)
        heads = script.get_heads()
        if current is not None and current not in _known_revisions(script):
            raise ConfigurationError(
                f"DATABASE_URL: the database is at migration {current}, newer than this "
                f"hecbot knows ({', '.join(heads)}); upgrade hecbot before using it."
            )
        if current is not None:
            _apply_skipped_revisions(connection, script, current, tables)
        if current not in heads:
            # At head there is nothing to run: every CLI command starts here, and Alembic's
            # upgrade would load its environment and every migration again to find that out.
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            log.info("database migrated from %s to %s", current or "nothing", ", ".join(heads))
        _require_model_tables(connection)

    async def flush_erased(self) -> None:
        """After an erasure, leave no copy of the erased rows in SQLite's write-ahead log.

        secure_delete (set per connection) zeroes them in the database file; the WAL still holds
        the old pages until it is checkpointed and truncated. PostgreSQL needs nothing here.
        """
        if not self.is_sqlite:
            return
        async with self.engine.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as error:
            if self.outage_watch is not None:
                self.outage_watch.failed(error)
            return False
        self.reachable()
        return True

    async def close(self) -> None:
        await self.engine.dispose()


# SQLSTATE classes a restart or failover produces: 08 connection exception ("connection does not
# exist", refused), 57P operator intervention ("the database system is shutting down" 57P03,
# "terminating connection due to administrator command" 57P01, crash shutdown 57P02), 53 out of
# resources ("too many connections" 53300 while the server comes back), 40001/40P01 are not
# outages. asyncpg reports several of these as a plain DBAPIError, not OperationalError.
_OUTAGE_SQLSTATE_PREFIXES = ("08", "57P", "53300", "25006")
_OUTAGE_MESSAGES = (
    "connection is closed",
    "connection was closed",
    "the database system is",
    "terminating connection",
    "server closed the connection",
    "cannot perform operation: another operation is in progress",
)


def _is_disconnect(error: DBAPIError) -> bool:
    """Errors that mean "the server is gone for now", not "this statement is wrong"."""
    if (
        isinstance(error, OperationalError | InterfaceError)
        or error.connection_invalidated
        or isinstance(error.orig, OSError)
    ):
        return True
    return is_outage_error(error.orig) or is_outage_error(error.__cause__)


def is_outage_error(error: BaseException | None) -> bool:
    """A database driver error a restart or failover produces (walks the causes)."""
    seen = 0
    while error is not None and seen < 5:
        seen += 1
        if isinstance(error, ConnectionError | OSError | TimeoutError):
            return True
        sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_OUTAGE_SQLSTATE_PREFIXES):
            return True
        text = str(error).lower()
        if any(message in text for message in _OUTAGE_MESSAGES):
            return True
        error = error.__cause__ or error.__context__
    return False


async def _rollback_quietly(session: AsyncSession) -> None:
    try:
        await session.rollback()
    except (SQLAlchemyError, OSError):  # the connection is already gone
        log.debug("rollback after a lost connection failed", exc_info=True)


_CREATE_TABLE = re.compile(r"""create_table\(\s*["']([A-Za-z0-9_]+)["']""")


def _created_tables(path: str | None) -> set[str]:
    """The tables a migration script creates, read from its source."""
    if not path:
        return set()
    return set(_CREATE_TABLE.findall(Path(path).read_text(encoding="utf-8")))


def _apply_skipped_revisions(
    connection: Connection, script: ScriptDirectory, current: str, tables: set[str]
) -> None:
    """Run ancestors of `current` that never ran on this database.

    When a migration was re-pointed to a new parent (0005 once followed 0002, then 0003 and 0004
    were put before it), a database stamped with it has skipped the revisions inserted below:
    Alembic would call it up to date. A revision that creates tables of which none exist never
    ran here; it is applied now, oldest first, before the upgrade to head.
    """
    ancestors = list(script.iterate_revisions(current, "base"))
    context = MigrationContext.configure(connection)
    for revision in reversed(ancestors):
        created = _created_tables(revision.path)
        if created and not created & tables:
            log.warning(
                "migration %s never ran on this database (the chain was re-ordered after it "
                "was created); applying it now",
                revision.revision,
            )
            with Operations.context(context):
                revision.module.upgrade()
            tables |= created


def _require_model_tables(connection: Connection) -> None:
    """Refuse to run on a schema missing a table or column the models need, naming them."""
    from sqlmodel import SQLModel

    from bot.storage import all_models  # noqa: F401  (every table in the metadata)

    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    missing: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in present:
            missing.append(f"table {table.name}")
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in columns]
    if missing:
        raise ConfigurationError(
            "the database schema is missing " + ", ".join(missing) + "; run `hecbot db upgrade` "
            "(or point DATABASE_URL at a database hecbot created)"
        )


def _known_revisions(script: ScriptDirectory) -> set[str]:
    return {revision.revision for revision in script.walk_revisions()}
