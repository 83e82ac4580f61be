"""Delivery reports from any provider, applied so statuses only ever move forward."""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from db.models import OutboundMessage, OutboundStatus

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


def record(session: Session, provider_id: str, status: OutboundStatus, now: datetime,
           error: str | None = None) -> OutboundMessage | None:
    """Apply a delivery report; returns the message if its status changed, else None.

    Duplicates and reports that arrive after a later status change nothing.
    """
    where = OutboundMessage.provider_id == provider_id
    return _apply(session, where, status, now, error)


def record_outbound(session: Session, outbound_id: int, status: OutboundStatus, now: datetime,
                    error: str | None = None) -> OutboundMessage | None:
    """Like record(), for a report naming our own message id (it may beat the worker's "sent")."""
    return _apply(session, OutboundMessage.id == outbound_id, status, now, error)


def _apply(session: Session, where, status: OutboundStatus, now: datetime,
           error: str | None) -> OutboundMessage | None:
    msg = session.execute(
        select(OutboundMessage).where(where).with_for_update()
    ).scalar_one_or_none()
    if msg is None or RANK[status] <= RANK[msg.status]:
        return None
    msg.status = status
    msg.updated_at = now
    if status in NOT_DELIVERED and error:
        msg.last_error = error[:300]
    return msg
