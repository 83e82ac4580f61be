"""Routing a new tip to an officer and handing the officer's SMS to the provider."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Row, bindparam, select
from sqlmodel import Session

from db import recordings, store
from db.delivery import NOT_DELIVERED
from db.models import Officer, OutboundMessage, OutboundStatus, Tip, TipStatus, Urgency
from db.outbox import queue_for_officer
from db.session import Unit, statements, transaction, utcnow
from flows import messages
from workers import routing, runtime, send
from workers.queues import Job

log = logging.getLogger(__name__)
UNROUTABLE_RETRY = timedelta(minutes=5)
_OUTBOX = OutboundMessage.__table__
# By the tip first: a LIKE alone scans the whole outbox.
_EARLIER = select(_OUTBOX).where(_OUTBOX.c.tip_id == bindparam("tip"),
                                 _OUTBOX.c.idempotency_key.startswith(bindparam("prefix")))


def dispatch_tip(tip_id: int, later: list[Job] | None = None) -> str:
    """Job: route tip `tip_id` and send its dispatch SMS; safe to run any number of times.
    `later`: see `send.deliver` (the reporter's notice is left to the caller)."""
    rt = runtime.get()
    now = utcnow()
    with statements(rt.redoable) as session:  # Core statements only: no ORM session to build
        tip = store.lock_tip(session, tip_id)
        if tip is None or tip.status != TipStatus.RECEIVED:
            return "already dispatched"
        routed = _dispatch_message(session, rt, tip, tip.escalation_level, now)
        if routed is None:
            store.update_tip(session, tip.id, next_check_at=now + UNROUTABLE_RETRY)
            store.add_event(session, tip.id, "unroutable", now, "job:dispatch_tip")
            log.error("tip %s: no active officer or desk to receive it", tip.id)
            return "unroutable"
        message, claim = routed
        if message.status in NOT_DELIVERED:  # failed for good before it was sent: next one
            failed_officer = message.officer_id
        else:
            failed_officer = None
            claim = claim or send.claim_message(session, rt, message, now)  # same transaction
    if failed_officer is not None:
        return escalate(tip_id, "failed", from_officer_id=failed_officer)
    return send.deliver(rt, claim, later) if claim else "skipped"


def _dispatch_message(session: Unit, rt, tip: Row, level: int,
                      now: datetime) -> tuple[Row, send.Claim | None] | None:
    """The dispatch SMS for the tip's current round and escalation `level` (created once), and
    its claim when it was routed just now (it is inserted as being sent); None when nobody is
    left to receive it."""
    prefix = f"dispatch-{tip.id}-r{tip.dispatch_round}-"
    # A tip never routed has no dispatch yet: every round-0 dispatch is inserted in the
    # transaction that gives the tip its officer, and only a transfer (a new round) takes the
    # officer away again.
    fresh = tip.dispatch_round == 0 and tip.officer_id is None
    earlier = [] if fresh else session.execute(_EARLIER, {"tip": tip.id, "prefix": prefix}).all()
    key = f"{prefix}l{level}"
    current = next((m for m in earlier if m.idempotency_key == key), None)
    if current is not None:
        return current, None
    local = now.astimezone(ZoneInfo(rt.settings.timezone)).time()
    officer = routing.choose(session, tip, {m.officer_id for m in earlier}, local)
    if officer is None:
        return None
    commune = rt.directory.get(tip.commune_code)
    link = recordings.link(rt.settings, tip.reference, now) if tip.recording_url else ""
    body = messages.dispatch(tip.reference, tip.category, commune.name if commune else "",
                             tip.details, tip.urgency == Urgency.URGENT, tip.channel, link)
    provider = rt.providers.for_officer(session, officer)
    message = queue_for_officer(session, rt.keyring, officer, body, "dispatch", key, now, tip.id,
                                claimed_by=provider.name)
    store.update_tip(session, tip.id, officer_id=officer.id)
    store.add_event(session, tip.id, "routed", now, "job:dispatch_tip",
                    {"level": level, "officer_kind": officer.kind.value},
                    officer_id=officer.id)
    if message.status != OutboundStatus.SENDING:  # not ours after all: claimed the usual way
        return message, None
    return message, send.claimed(rt, message.id, provider, officer.phone, body, message.channel)


def escalate(tip_id: int, reason: str, from_officer_id: int | None = None) -> str:
    """Job: hand an unacknowledged tip to the next officer in its chain (or mark it overdue).

    `from_officer_id` makes a late or repeated trigger harmless: nothing happens unless the
    tip is still with that officer. A tip already marked overdue has nowhere further to go:
    two triggers for the last officer (a deadline's wake-up and a late sweep) mark it once.
    """
    rt = runtime.get()
    now = utcnow()
    with statements(rt.redoable) as session:
        tip = store.lock_tip(session, tip_id)
        if tip is None or tip.status not in (TipStatus.RECEIVED, TipStatus.DISPATCHED):
            return "settled"
        if from_officer_id is not None and tip.officer_id != from_officer_id:
            return "moved on"
        if tip.overdue:  # cleared by whoever takes it up again (db.actions)
            return "overdue already"
        level = tip.escalation_level + 1
        store.update_tip(session, tip.id, escalation_level=level)
        store.add_event(session, tip.id, "escalated", now, "job:escalate",
                        {"reason": reason, "level": level})
        routed = _dispatch_message(session, rt, tip, level, now)
        if routed is None:
            store.update_tip(session, tip.id, overdue=True, next_check_at=None)
            store.add_event(session, tip.id, "overdue", now, "job:escalate", {"reason": reason})
            return "overdue"
        message, claim = routed
        claim = claim or send.claim_message(session, rt, message, now)
    return send.deliver(rt, claim) if claim else "skipped"


def undelivered(outbound_id: int) -> str:
    """Job: a dispatch the provider could not deliver goes to the next officer at once
    (and, with CALL_OFFICER_ON_FAILURE, the officer it missed gets a call reading the tip)."""
    rt = runtime.get()
    with transaction(rt.engine) as session:
        msg = session.get(OutboundMessage, outbound_id)
        if msg is None or msg.purpose != "dispatch" or msg.tip_id is None:
            return "ignored"
        tip_id, officer_id = msg.tip_id, msg.officer_id
        call = _call_officer(session, rt, msg) if rt.settings.call_officer_on_failure else None
    if call is not None:
        send.send_outbound(call)
    return escalate(tip_id, "undelivered", from_officer_id=officer_id)


def _call_officer(session: Session, rt, msg: OutboundMessage) -> int | None:
    """Queue a voice call reading the tip to the officer whose SMS failed."""
    tip, officer = session.get(Tip, msg.tip_id), session.get(Officer, msg.officer_id)
    if tip is None or officer is None or tip.status not in (TipStatus.RECEIVED,
                                                            TipStatus.DISPATCHED):
        return None
    commune = rt.directory.get(tip.commune_code)
    text = messages.dispatch_call(tip.reference, tip.category, commune.name if commune else "",
                                  tip.details, tip.urgency == Urgency.URGENT)
    call = queue_for_officer(session, rt.keyring, officer, text, "dispatch_call",
                             f"call-{msg.idempotency_key}", utcnow(), tip.id, channel="voice")
    return call.id


def stuck_tips(session: Session, now: datetime, limit: int = 200) -> list[Tip]:
    """Tips still waiting for dispatch whose timer has passed (Redis was down, a job died)."""
    return list(session.execute(
        select(Tip).where(Tip.status == TipStatus.RECEIVED, Tip.next_check_at <= now)
        .order_by(Tip.next_check_at).limit(limit).with_for_update(skip_locked=True)
    ).scalars())


def unacknowledged(session: Session, due: datetime, limit: int = 200) -> list[Tip]:
    """Dispatched tips whose acknowledgement deadline passed before `due` (timer lost)."""
    return list(session.execute(
        select(Tip).where(Tip.status == TipStatus.DISPATCHED, Tip.next_check_at <= due,
                          Tip.overdue.is_(False))
        .order_by(Tip.next_check_at).limit(limit).with_for_update(skip_locked=True)
    ).scalars())
