"""Engines and transactions for SQLite (embedded default) and PostgreSQL (production)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import IntegrityError as Conflict
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

CONNECT_TIMEOUT = 3  # seconds
Unit = Session | Connection  # what a unit of work's helpers run on: ORM session or bare connection
UNAVAILABLE = (OperationalError, PoolTimeout)  # the database cannot be reached right now


def utcnow() -> datetime:
    """Aware UTC now; SQLModel stores UTC on every backend and returns aware values."""
    return datetime.now(UTC)


def make_engine(url: str, pool_size: int = 5, wait_for_disk: bool = True) -> Engine:
    """An engine tuned for its backend; SQLite gets WAL and immediate write transactions.

    `wait_for_disk=False` (PostgreSQL only; see `redoable_engine`): its commits return before
    the write-ahead log reaches the disk.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_tuning(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # A dead or unreachable server must fail a webhook within seconds (Twilio waits 15 s,
    # then tries the fallback URL), not hang: connecting and waiting for a pooled connection
    # are bounded; connections that sat idle are checked before use (see _ping_when_idle).
    connect_args: dict = {"connect_timeout": CONNECT_TIMEOUT}
    if not wait_for_disk:
        connect_args["options"] = "-c synchronous_commit=off"
    engine = create_engine(url, pool_size=pool_size, max_overflow=10, pool_timeout=5,
                           connect_args=connect_args)
    _ping_when_idle(engine)
    return engine


def redoable_engine(engine: Engine) -> Engine:
    """For work the sweeper redoes from durable rows if it is lost: the worker's dispatch and
    send bookkeeping. On PostgreSQL its commits do not wait for the write-ahead log to be
    flushed (synchronous_commit=off): a crash of the database server, not of a worker, can
    lose the last ~0.6 s of them, never corrupt anything, and any later durable commit (a
    webhook's) flushes them too. What a crash can cost is a repeated officer SMS, never a tip:
    the tip, its messages and every webhook's work are committed by `engine`, which waits.
    SQLite (one file, synchronous=NORMAL in WAL mode) has the same rule for every commit
    already: `engine` itself is returned.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return make_engine(engine.url.render_as_string(hide_password=False),
                       engine.pool.size(), wait_for_disk=False)


def _ping_when_idle(engine: Engine, idle_seconds: float = 5.0) -> None:
    """Check a pooled connection before use only if it sat idle (the server may have restarted
    meanwhile); a busy connection skips the round trip that pool_pre_ping would cost on every
    transaction. A dead one is replaced transparently."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("idle_since", 0.0) < idle_seconds:
            return
        try:
            if not engine.dialect.do_ping(dbapi_connection):
                raise DisconnectionError("ping failed")
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("stale connection") from exc


def _sqlite_tuning(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that reads and then writes fails at once under
        # concurrency (SQLITE_BUSY_SNAPSHOT); taking the write lock up front waits instead.
        # Read-only work (see `reading`) keeps a plain BEGIN so it never waits on writers.
        readonly = connection.get_execution_options().get("tinbao_readonly")
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def statements(engine: Engine) -> Iterator[Connection]:
    """A unit of work of Core statements only, on a bare connection: no ORM session to set up
    and tear down (~0.1 ms of CPU a transaction). Commits on success, rolls back on any error."""
    with engine.begin() as connection:
        yield connection


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work (on SQLite it does not take the write lock)."""
    readonly = engine.execution_options(tinbao_readonly=True)
    with Session(readonly, expire_on_commit=False) as session, session.begin():
        yield session


def ping(engine: Engine) -> bool:
    """Whether the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


__all__ = ["UNAVAILABLE", "Conflict", "Engine", "Session", "make_engine", "ping", "reading",
           "redoable_engine", "statements", "transaction", "Unit", "utcnow"]
