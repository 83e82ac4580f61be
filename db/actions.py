"""What an officer (by SMS) or a supervisor (on the web) does to a tip: one set of functions,
so both write the same timeline events, notices and timers."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlmodel import Session

from db import store, timers
from db.models import (
    FlowSession,
    Officer,
    OfficerKind,
    OutboundMessage,
    OutboundStatus,
    RecipientKind,
    Reporter,
    Tip,
    TipStatus,
)
from db.outbox import queue_for_reporter
from db.turns import Env, Turn
from flows import Prompt, messages, render
from flows.officer import Decision

OPEN = (TipStatus.RECEIVED, TipStatus.DISPATCHED, TipStatus.ACKNOWLEDGED)
SETTLED = (TipStatus.RESOLVED, TipStatus.CLOSED)
RETRYABLE = (OutboundStatus.FAILED, OutboundStatus.UNDELIVERED)
SEALED_PURPOSES = ("receipt",)  # their text carried a PIN, sealed only until the send ended


@dataclass(frozen=True)
class Actor:
    """Who acts: an officer by SMS ('officer:12') or a web user ('user:3')."""

    label: str
    officer_id: int | None = None

    @classmethod
    def officer(cls, officer: Officer) -> "Actor":
        """An officer acting from their phone."""
        return cls(f"officer:{officer.id}", officer.id)


def may_act(officer: Officer, tip: Tip) -> bool:
    """Officers act on tips routed to them, to their commune, or (desks) to their province."""
    if tip.officer_id == officer.id:
        return True
    if officer.kind == OfficerKind.COMMUNE:
        return officer.commune_code is not None and tip.commune_code == officer.commune_code
    if officer.kind == OfficerKind.PROVINCE_DESK:
        return officer.province_code is not None and tip.province_code == officer.province_code
    return False


def open_tips(session: Session, officer: Officer) -> list[Tip]:
    """The open tips an officer may act on: not yet acknowledged first, then newest first."""
    mine = [Tip.officer_id == officer.id]
    if officer.kind == OfficerKind.COMMUNE and officer.commune_code is not None:
        mine.append(Tip.commune_code == officer.commune_code)
    if officer.kind == OfficerKind.PROVINCE_DESK and officer.province_code is not None:
        mine.append(Tip.province_code == officer.province_code)
    query = select(Tip).where(Tip.status.in_(OPEN), or_(*mine)).order_by(Tip.created_at.desc())
    tips = session.execute(query).scalars()
    return sorted(tips, key=lambda t: t.status == TipStatus.ACKNOWLEDGED)


def acknowledge(session: Session, env: Env, tip: Tip, actor: Actor, now: datetime) -> Turn:
    """The officer has the tip in hand: stop escalation, tell the reporter."""
    if tip.status in SETTLED:
        return _reply("officer_closed", tip)
    if tip.status == TipStatus.ACKNOWLEDGED:
        return _reply("officer_ack_again", tip)
    turn = _reply("officer_ack", tip)
    _take(session, tip, actor, now, turn)
    if env.settings.notify_acknowledged:
        _notify(session, env, tip, "notify_acknowledged", now, turn)
    return turn


def resolve(session: Session, env: Env, tip: Tip, actor: Actor, now: datetime,
            decision: Decision | None = None, note: str = "") -> Turn:
    """Handling is finished, with the art. 147 decision when there is one."""
    if tip.status in SETTLED:
        return _reply("officer_closed", tip)
    label = Prompt(f"decision_{decision.value if decision else 'none'}")
    turn = _reply("officer_resolved", tip, decision=label)
    if tip.status != TipStatus.ACKNOWLEDGED:
        _take(session, tip, actor, now, turn, implicit=True)
    tip.status = TipStatus.RESOLVED
    tip.resolved_at = now
    tip.decision = decision.value if decision else None
    store.add_event(session, tip.id, "resolved", now, actor.label,
                    {"decision": tip.decision, "note": note[:500]}, officer_id=actor.officer_id)
    reporter = session.get(Reporter, tip.reporter_id) if tip.reporter_id else None
    if reporter is not None and reporter.reply_address:
        keep = now + timedelta(days=env.settings.reply_address_days)
        reporter.reply_expires_at = max(reporter.reply_expires_at or keep, keep)
    if env.settings.notify_resolved:
        _notify(session, env, tip, "notify_resolved", now, turn)
    return turn


def ask(session: Session, env: Env, tip: Tip, actor: Actor, question: str,
        now: datetime) -> Turn:
    """Relay a question to the anonymous reporter; their next SMS comes back to the officer."""
    if not question.strip():
        return _reply("officer_ask_empty", tip)
    reporter = session.get(Reporter, tip.reporter_id) if tip.reporter_id else None
    body = messages.fitted("question_to_reporter", tip.language, question, ref=tip.reference)
    message = None
    if reporter is not None:
        message = queue_for_reporter(session, reporter, body, "question",
                                     f"question-{tip.id}-{now.timestamp():.0f}", now,
                                     env.keyring, tip_id=tip.id)
    if message is None:
        return _reply("officer_unreachable", tip)
    turn = _reply("officer_asked", tip)
    turn.outbound_ids.append(message.id)
    _open_relay(session, reporter, tip, actor, now, env.settings.relay_hours)
    store.add_event(session, tip.id, "question", now, actor.label, {"text": question[:500]},
                    officer_id=actor.officer_id)
    return turn


def transfer(session: Session, env: Env, tip: Tip, actor: Actor, commune_code: int | None,
             now: datetime) -> Turn:
    """Send the tip to another commune's police, starting its routing afresh."""
    commune = env.directory.get(commune_code)
    if commune is None:
        return _reply("officer_bad_commune", tip, code=commune_code if commune_code else "?")
    if tip.status in SETTLED:
        return _reply("officer_closed", tip)
    where = messages.place(env.directory, commune.code, commune.province_code)
    turn = _reply("officer_transferred", tip, place=where)
    turn.cancel.append(timers.escalation_id(tip))
    store.add_event(session, tip.id, "transferred", now, actor.label,
                    {"from": tip.commune_code, "to": commune.code}, officer_id=actor.officer_id)
    tip.commune_code, tip.province_code = commune.code, commune.province_code
    tip.status, tip.officer_id, tip.overdue = TipStatus.RECEIVED, None, False
    tip.escalation_level, tip.dispatch_round = 0, tip.dispatch_round + 1
    tip.acknowledged_at = None
    tip.next_check_at = now + timedelta(seconds=env.settings.sweep_grace_seconds)
    turn.tips.append(tip)
    return turn


def _take(session: Session, tip: Tip, actor: Actor, now: datetime, turn: Turn,
          implicit: bool = False) -> None:
    turn.cancel.append(timers.escalation_id(tip))
    tip.status = TipStatus.ACKNOWLEDGED
    tip.acknowledged_at = now
    tip.next_check_at = None
    tip.overdue = False
    if actor.officer_id is not None:
        tip.officer_id = actor.officer_id
    store.add_event(session, tip.id, "acknowledged", now, actor.label,
                    {"implicit": implicit} if implicit else {}, officer_id=actor.officer_id)


def _notify(session: Session, env: Env, tip: Tip, key: str, now: datetime, turn: Turn) -> None:
    reporter = session.get(Reporter, tip.reporter_id) if tip.reporter_id else None
    if reporter is None:
        return
    body = messages.text(key, tip.language, ref=tip.reference)
    message = queue_for_reporter(session, reporter, body, key, f"{key}-{tip.id}", now,
                                 env.keyring, tip_id=tip.id)
    if message is not None:
        turn.outbound_ids.append(message.id)


def _open_relay(session: Session, reporter: Reporter, tip: Tip, actor: Actor, now: datetime,
                hours: int) -> None:
    """The reporter's next SMS goes to this officer (one open question per reporter)."""
    key = f"relay:{reporter.pseudonym}"
    row = store.load_flow(session, key) or FlowSession(
        key=key, channel="sms", reporter_id=reporter.id, created_at=now, updated_at=now,
        expires_at=now)
    officer_id = actor.officer_id or tip.officer_id
    row.state = {"flow": "relay", "tip_id": tip.id, "officer_id": officer_id}
    row.updated_at, row.expires_at = now, now + timedelta(hours=hours)
    session.add(row)


def _reply(key: str, tip: Tip, **params) -> Turn:
    return Turn(reply=render(Prompt(key, {"ref": tip.reference, **params}), "vi", "sms"))


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
