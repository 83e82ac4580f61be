"""Delivery reports from any provider, applied so statuses only ever move forward."""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import Row, bindparam, update

from db.models import OutboundMessage, OutboundStatus
from db.session import Unit

RANK = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.DELIVERED: 3,
    OutboundStatus.UNDELIVERED: 3,
    OutboundStatus.FAILED: 3,
}
# Twilio's message statuses (Somleng uses the same words).
TWILIO = {
    "accepted": OutboundStatus.QUEUED,
    "scheduled": OutboundStatus.QUEUED,
    "queued": OutboundStatus.QUEUED,
    "sending": OutboundStatus.SENDING,
    "sent": OutboundStatus.SENT,
    "delivered": OutboundStatus.DELIVERED,
    "read": OutboundStatus.DELIVERED,
    "undelivered": OutboundStatus.UNDELIVERED,
    "failed": OutboundStatus.FAILED,
    "canceled": OutboundStatus.FAILED,
}
# Kannel's delivery report types (the %d of a dlr-url): phone, SMSC buffer, SMSC ack/nack.
KANNEL = {
    "1": OutboundStatus.DELIVERED,
    "2": OutboundStatus.UNDELIVERED,
    "4": OutboundStatus.SENT,
    "8": OutboundStatus.SENT,
    "16": OutboundStatus.FAILED,
}
NOT_DELIVERED = (OutboundStatus.UNDELIVERED, OutboundStatus.FAILED)


def report_token(secret: str, outbound_id: int) -> str:
    """What a delivery-report URL carries to prove it is ours: a keyed hash of our message id.

    Hex only, so Kannel's %-escapes cannot mangle it, and the shared secret never travels.
    """
    digest = hmac.new(secret.encode(), f"dlr:{outbound_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


_OUTBOX = OutboundMessage.__table__


def record(session: Unit, provider_id: str, status: OutboundStatus, now: datetime,
           error: str | None = None) -> Row | None:
    """Apply a delivery report; returns the message (id, purpose, status) if its status
    changed, else None.

    Duplicates and reports that arrive after a later status change nothing.
    """
    return _apply(session, "provider_id", provider_id, status, now, error)


def record_outbound(session: Unit, outbound_id: int, status: OutboundStatus, now: datetime,
                    error: str | None = None) -> Row | None:
    """Like record(), for a report naming our own message id (it may beat the worker's "sent")."""
    return _apply(session, "id", outbound_id, status, now, error)


def _apply(session: Unit, by: str, key, status: OutboundStatus, now: datetime,
           error: str | None) -> Row | None:
    """One UPDATE that only moves a message forward: it matches only while the stored status
    ranks below the reported one (PostgreSQL re-checks that on a row changed meanwhile)."""
    statement = _FORWARD[by, status]
    if statement is None:  # nothing ranks below it (a "queued" report)
        return None
    values = {"key": key, "status": status, "updated_at": now}  # the columns to SET
    if status in NOT_DELIVERED and error:
        values["last_error"] = error[:300]
    return session.execute(statement, values).one_or_none()


def _forward(by: str, status: OutboundStatus):
    """The UPDATE for reports of `status` naming a message by `by` (built once: every message
    gets two or three reports, and building a statement per report cost more than running it)."""
    earlier = [known for known, rank in RANK.items() if rank < RANK[status]]
    if not earlier:
        return None
    return (update(_OUTBOX).where(_OUTBOX.c[by] == bindparam("key"),
                                  _OUTBOX.c.status.in_(earlier))
            .returning(_OUTBOX.c.id, _OUTBOX.c.purpose, _OUTBOX.c.status))


_FORWARD = {(by, status): _forward(by, status) for by in ("provider_id", "id") for status in RANK}
