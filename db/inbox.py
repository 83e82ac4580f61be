"""The inbox: SMS kept as they arrive, for a worker to answer (SMS_REPLY=queued).

The webhook's whole durable work is one autocommitted INSERT (duplicates ignored by the
provider's message id); the sender is kept only sealed, with its keyed hash to keep one
sender's messages in order. A worker takes each message into its conversation with
db.inbound.receive, which deletes the row in the same transaction; a message whose job was
lost (Redis down, a worker killed) is found again by the sweeper (`due`).
"""

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Row, bindparam, select

from db.models import InboxMessage
from db.privacy import Keyring
from db.session import Engine, Unit, utcnow
from db.store import prepared

_INBOX = InboxMessage.__table__
_BY_ID = select(_INBOX).where(_INBOX.c.id == bindparam("id"))
_PENDING = (select(_INBOX).where(_INBOX.c.pseudonym == bindparam("pseudonym"),
                                 _INBOX.c.id <= bindparam("upto")).order_by(_INBOX.c.id))
_DUE = (select(_INBOX.c.id).where(_INBOX.c.received_at <= bindparam("before"))
        .order_by(_INBOX.c.id).limit(bindparam("limit")))


def keep(engine: Engine, keyring: Keyring, *, provider_id: str, sender: str, receiver: str,
         body: str, reply_provider: str, now: datetime | None = None) -> int | None:
    """Keep one message, committed when this returns: its id, or None for a repeated delivery
    (kept already, and queued already)."""
    values = {"provider_id": provider_id, "pseudonym": keyring.pseudonym(sender),
              "sender_sealed": keyring.seal(sender), "receiver": receiver[:40], "body": body,
              "reply_provider": reply_provider[:20], "received_at": now or utcnow()}
    with _autocommit(engine).connect() as connection:
        stmt = prepared(connection, "inbox", lambda insert: insert(_INBOX).on_conflict_do_nothing(
            index_elements=["provider_id"]).returning(_INBOX.c.id))
        return connection.execute(stmt, values).scalar()


@lru_cache(maxsize=8)
def _autocommit(engine: Engine) -> Engine:
    """The engine's pool, each statement committed on its own: one round trip per message."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def get(connection: Unit, inbox_id: int) -> Row | None:
    """One kept message, or None once it has been taken."""
    return connection.execute(_BY_ID, {"id": inbox_id}).one_or_none()


def pending(connection: Unit, pseudonym: str, upto: int) -> list[Row]:
    """The sender's kept messages up to `upto`, oldest first: they are taken in this order."""
    return list(connection.execute(_PENDING, {"pseudonym": pseudonym, "upto": upto}))


def due(connection: Unit, now: datetime, grace: timedelta, limit: int = 500) -> list[int]:
    """Messages kept longer than `grace` and not yet taken: their job was lost or is late."""
    return list(connection.execute(_DUE, {"before": now - grace, "limit": limit}).scalars())
