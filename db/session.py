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


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """An engine tuned for its backend; SQLite gets WAL and immediate write transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_tuning(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # A dead or unreachable server must fail a webhook within seconds (Twilio waits 15 s,
    # then tries the fallback URL), not hang: connecting and waiting for a pooled connection
    # are bounded; connections that sat idle are checked before use (see _ping_when_idle).
    engine = create_engine(url, pool_size=pool_size, max_overflow=10, pool_timeout=5,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT})
    _ping_when_idle(engine)
    return engine


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
           "statements", "transaction", "Unit", "utcnow"]
