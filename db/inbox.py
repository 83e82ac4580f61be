"""The inbox: SMS kept as they arrive, for a worker to answer (SMS_REPLY=queued).

The webhook's whole durable work is one autocommitted INSERT (duplicates ignored by the
provider's message id); the sender is kept only sealed. Each message falls in one of LANES
lanes by its sender's keyed hash; a lane is drained by one job at a time, oldest first, so one
sender's messages are taken in the order they came (workers.inbox). db.inbound.receive
deletes a row in the transaction that takes it into its conversation; a message whose lane was
never woken (Redis down, a worker killed) is found again by the sweeper (`due_lanes`).
"""

from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.exc import DBAPIError

from db.models import InboxMessage
from db.privacy import Keyring
from db.session import Engine, Unit, reading, utcnow

LANES = 16  # how many workers can take messages at once (each lane: one at a time)
_INBOX = InboxMessage.__table__
_LANE = (select(_INBOX)
         .where(_INBOX.c.lane == bindparam("lane"))
         .order_by(_INBOX.c.id).limit(bindparam("limit")))
_KEEP = ("INSERT INTO inbox (provider_id, pseudonym, lane, sender_sealed, receiver, body, "
         "reply_provider, received_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}) "
         "ON CONFLICT (provider_id) DO NOTHING RETURNING lane")
_KEEP_PG, _KEEP_SQLITE = _KEEP.format(p="%s"), _KEEP.format(p="?")
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite
_DUE = (select(_INBOX.c.lane).where(_INBOX.c.received_at <= bindparam("before"))
        .group_by(_INBOX.c.lane).order_by(_INBOX.c.lane))


def keep(engine: Engine, keyring: Keyring, *, provider_id: str, sender: str, receiver: str,
         body: str, reply_provider: str, now: datetime | None = None) -> int | None:
    """Keep one message, committed when this returns: its lane, or None for a repeated
    delivery (kept already, and its lane woken already).

    One autocommitted statement through the pooled driver connection: SQLAlchemy's own
    execution cost as much CPU as the rest of the webhook (docs/benchmarks.md).
    """
    pseudonym = keyring.pseudonym(sender)
    lane = int(pseudonym[:8], 16) % LANES
    postgres = engine.dialect.name == "postgresql"
    now = now or utcnow()
    values = (provider_id, pseudonym, lane, keyring.seal(sender), receiver[:40], body,
              reply_provider[:20], now if postgres else now.strftime(_SQLITE_TIME))
    dbapi = engine.dialect.loaded_dbapi
    try:
        row = _insert(engine, _KEEP_PG if postgres else _KEEP_SQLITE, values, postgres)
    except dbapi.Error as error:  # as SQLAlchemy's own: the app answers 503 to an outage
        raise DBAPIError.instance(None, None, error, dbapi.Error) from error
    return row[0] if row else None


def _insert(engine: Engine, statement: str, values: tuple, postgres: bool):
    """Run the INSERT autocommitted on a pooled connection; its row (or None). A connection
    that failed is dropped from the pool, not handed to the next request."""
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        if postgres:
            driver.autocommit = True  # SQLite's connections are (db.session: BEGIN is ours)
        cursor = pooled.cursor()
        cursor.execute(statement, values)
        row = cursor.fetchone()
        cursor.close()
        if postgres:
            driver.autocommit = False
    except Exception:
        pooled.invalidate()
        raise
    finally:
        pooled.close()  # back to the pool (an invalidated one: discarded)
    return row


def waiting(connection: Unit, lane: int, limit: int = 50) -> list[Row]:
    """The lane's kept messages, oldest first: they are taken in this order."""
    return list(connection.execute(_LANE, {"lane": lane, "limit": limit}))


def due_lanes(connection: Unit, now: datetime, grace: timedelta) -> list[int]:
    """Lanes holding a message kept longer than `grace`: their drain was lost or is late."""
    return list(connection.execute(_DUE, {"before": now - grace}).scalars())


def backlog(engine: Engine, now: datetime | None = None) -> tuple[int, float]:
    """(messages waiting, seconds the oldest has waited): what /healthz reports."""
    with reading(engine) as session:
        waiting, oldest = session.execute(
            select(func.count(), func.min(_INBOX.c.received_at)).select_from(_INBOX)).one()
    if not waiting:
        return 0, 0.0
    if oldest.tzinfo is None:  # SQLite keeps no time zone: stored as UTC
        oldest = oldest.replace(tzinfo=(now or utcnow()).tzinfo)
    return waiting, max(((now or utcnow()) - oldest).total_seconds(), 0.0)
