"""Routing a new tip to an officer and handing the officer's SMS to the provider."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from db import recordings, store
from db.models import Commune, OutboundMessage, Tip, TipStatus, Urgency
from db.outbox import queue_for_officer
from db.session import reading, transaction, utcnow
from flows import messages
from workers import routing, runtime, send

log = logging.getLogger(__name__)
UNROUTABLE_RETRY = timedelta(minutes=5)


def dispatch_tip(tip_id: int) -> str:
    """Job: route tip `tip_id` and send its dispatch SMS; safe to run any number of times."""
    rt = runtime.get()
    now = utcnow()
    with transaction(rt.engine) as session:
        tip = session.get(Tip, tip_id, with_for_update=True)
        if tip is None or tip.status != TipStatus.RECEIVED:
            return "already dispatched"
        message = _dispatch_message(session, rt, tip, now)
        if message is None:
            tip.next_check_at = now + UNROUTABLE_RETRY
            store.add_event(session, tip.id, "unroutable", now, "job:dispatch_tip")
            log.error("tip %s: no active officer or desk to receive it", tip.id)
            return "unroutable"
        message_id = message.id
    return send.send_outbound(message_id)


def _dispatch_message(session: Session, rt, tip: Tip, now: datetime) -> OutboundMessage | None:
    """The dispatch SMS for the tip's current escalation level (created once)."""
    officer = routing.choose(session, tip, tip.escalation_level)
    if officer is None:
        return None
    commune = session.get(Commune, tip.commune_code) if tip.commune_code else None
    link = recordings.link(rt.settings, tip.reference, now) if tip.recording_url else ""
    body = messages.dispatch(tip.reference, tip.category, commune.name if commune else "",
                             tip.details, tip.urgency == Urgency.URGENT, tip.channel, link)
    key = f"dispatch-{tip.id}-{tip.escalation_level}"
    message = queue_for_officer(session, rt.keyring, officer, body, "dispatch", key, now, tip.id)
    if tip.officer_id != officer.id:
        tip.officer_id = officer.id
        store.add_event(session, tip.id, "routed", now, "job:dispatch_tip",
                        {"level": tip.escalation_level, "officer_kind": officer.kind.value},
                        officer_id=officer.id)
    return message


def escalate(tip_id: int, reason: str, from_officer_id: int | None = None) -> str:
    """Job: hand an unacknowledged tip to the next officer in its chain (or mark it overdue).

    `from_officer_id` makes a late or repeated trigger harmless: nothing happens unless the
    tip is still with that officer.
    """
    rt = runtime.get()
    now = utcnow()
    with transaction(rt.engine) as session:
        tip = session.get(Tip, tip_id, with_for_update=True)
        if tip is None or tip.status not in (TipStatus.RECEIVED, TipStatus.DISPATCHED):
            return "settled"
        if from_officer_id is not None and tip.officer_id != from_officer_id:
            return "moved on"
        tip.escalation_level += 1
        store.add_event(session, tip.id, "escalated", now, "job:escalate",
                        {"reason": reason, "level": tip.escalation_level})
        message = _dispatch_message(session, rt, tip, now)
        if message is None:
            tip.overdue = True
            tip.next_check_at = None
            store.add_event(session, tip.id, "overdue", now, "job:escalate", {"reason": reason})
            return "overdue"
        message_id = message.id
    return send.send_outbound(message_id)


def undelivered(outbound_id: int) -> str:
    """Job: a dispatch the provider could not deliver goes to the next officer at once."""
    rt = runtime.get()
    with reading(rt.engine) as session:
        msg = session.get(OutboundMessage, outbound_id)
        if msg is None or msg.purpose != "dispatch" or msg.tip_id is None:
            return "ignored"
        tip_id, officer_id = msg.tip_id, msg.officer_id
    return escalate(tip_id, "undelivered", from_officer_id=officer_id)


def stuck_tips(session: Session, now: datetime, limit: int = 200) -> list[Tip]:
    """Tips still waiting for dispatch whose timer has passed (Redis was down, a job died)."""
    return list(session.execute(
        select(Tip).where(Tip.status == TipStatus.RECEIVED, Tip.next_check_at <= now)
        .order_by(Tip.next_check_at).limit(limit).with_for_update(skip_locked=True)
    ).scalars())
