"""Remedies a supervisor or an operator applies when something went wrong: send a failed
message again, block the sender behind an abusive tip (by pseudonym: nobody learns the number),
find a tip by its public reference."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from db import store
from db.actions import Actor
from db.models import (
    FlowSession,
    OutboundMessage,
    OutboundStatus,
    RecipientKind,
    Reporter,
    Tip,
)
from db.turns import Turn

RETRYABLE = (OutboundStatus.FAILED, OutboundStatus.UNDELIVERED)
SEALED_PURPOSES = ("receipt",)  # their text carried a PIN, sealed only until the send ended


def tip_by_reference(session: Session, reference: str) -> Tip | None:
    """The tip with this public reference (spaces ignored), or None."""
    return session.execute(select(Tip).where(Tip.reference == "".join(reference.split()))
                           ).scalar_one_or_none()


def block_reporter(session: Session, tip: Tip, actor: Actor, now: datetime,
                   blocked: bool = True) -> Turn:
    """Block (or unblock) whoever sent a tip, by their pseudonym: nobody learns the number.

    A blocked sender's messages are kept but no longer taken into conversations, and they are
    sent nothing; their conversations in progress are dropped.
    """
    reporter = session.get(Reporter, tip.reporter_id, with_for_update=True) if tip.reporter_id \
        else None
    if reporter is None:
        return Turn(reply=f"tip {tip.reference} has no reporter to block")
    reporter.blocked = blocked
    if blocked:
        for row in session.execute(select(FlowSession).where(
                FlowSession.reporter_id == reporter.id)).scalars():
            session.delete(row)
    store.add_event(session, tip.id, "reporter_blocked" if blocked else "reporter_unblocked",
                    now, actor.label, officer_id=actor.officer_id)
    state = "blocked" if blocked else "unblocked"
    return Turn(reply=f"the sender of tip {tip.reference} is {state}")


def retry_outbound(session: Session, outbound_id: int, actor: Actor, now: datetime) -> Turn:
    """Send a message that ended failed or undelivered once more (the admin's retry button).

    Officer messages are re-queued as they were; a reporter's only while their reply address
    is kept and the text carried no sealed secret (a receipt's PIN is gone once it ended).
    """
    msg = session.get(OutboundMessage, outbound_id, with_for_update=True)
    if msg is None or msg.status not in RETRYABLE:
        return Turn(reply=f"message {outbound_id} is not failed; nothing to retry")
    if msg.recipient_kind == RecipientKind.REPORTER:
        reporter = session.get(Reporter, msg.reporter_id) if msg.reporter_id else None
        if (reporter is None or not reporter.reply_address or reporter.blocked
                or msg.purpose in SEALED_PURPOSES):
            return Turn(reply=f"message {outbound_id} cannot be sent again")
        msg.address = reporter.reply_address
    msg.status, msg.attempts, msg.next_attempt_at = OutboundStatus.QUEUED, 0, None
    msg.updated_at = now
    if msg.tip_id is not None:
        store.add_event(session, msg.tip_id, "outbound_retried", now, actor.label,
                        {"outbound_id": msg.id, "purpose": msg.purpose},
                        officer_id=actor.officer_id)
    return Turn(reply=f"message {outbound_id} queued again", outbound_ids=[msg.id])
