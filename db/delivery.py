"""Delivery reports from any provider, applied so statuses only ever move forward."""

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
NOT_DELIVERED = (OutboundStatus.UNDELIVERED, OutboundStatus.FAILED)


def record(session: Session, provider_id: str, status: OutboundStatus, now: datetime,
           error: str | None = None) -> OutboundMessage | None:
    """Apply a delivery report; returns the message if its status changed, else None.

    Duplicates and reports that arrive after a later status change nothing.
    """
    msg = session.execute(
        select(OutboundMessage).where(OutboundMessage.provider_id == provider_id)
        .with_for_update()
    ).scalar_one_or_none()
    if msg is None or RANK[status] <= RANK[msg.status]:
        return None
    msg.status = status
    msg.updated_at = now
    if status in NOT_DELIVERED and error:
        msg.last_error = error[:300]
    return msg
