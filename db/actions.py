"""What an officer (by SMS) or a supervisor (on the web) does to a tip: one set of functions,
so both write the same timeline events, notices and deadlines."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlmodel import Session

from db import followup, store
from db.models import (
    FlowSession,
    Officer,
    OfficerKind,
    Reporter,
    Tip,
    TipStatus,
    Urgency,
)
from db.outbox import queue_for_officer, queue_for_reporter
from db.turns import Env, Turn
from flows import Prompt, messages, render
from flows.officer import Decision

OPEN = (TipStatus.RECEIVED, TipStatus.DISPATCHED, TipStatus.ACKNOWLEDGED)
SETTLED = (TipStatus.RESOLVED, TipStatus.CLOSED)


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


def officer_tips(officer: Officer) -> ColumnElement[bool]:
    """may_act as an SQL condition: the tips an officer may act on."""
    mine = [Tip.officer_id == officer.id]
    if officer.kind == OfficerKind.COMMUNE and officer.commune_code is not None:
        mine.append(Tip.commune_code == officer.commune_code)
    if officer.kind == OfficerKind.PROVINCE_DESK and officer.province_code is not None:
        mine.append(Tip.province_code == officer.province_code)
    return or_(*mine)


def open_tips(session: Session, officer: Officer) -> list[Tip]:
    """The open tips an officer may act on: not yet acknowledged first (the urgent ones
    first among them), then newest first."""
    query = (select(Tip).where(Tip.status.in_(OPEN), officer_tips(officer))
             .order_by(Tip.created_at.desc()))
    tips = session.execute(query).scalars()
    return sorted(tips, key=lambda t: (t.status == TipStatus.ACKNOWLEDGED,
                                       t.urgency != Urgency.URGENT))


def acknowledge(session: Session, env: Env, tip: Tip, actor: Actor, now: datetime) -> Turn:
    """The officer has the tip in hand: stop escalation, tell the reporter."""
    if tip.status in SETTLED:
        return _closed(session, tip)
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
        return _closed(session, tip)
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
        for joined in store.joined(session, tip):  # the same case: its reporters hear too
            _notify(session, env, joined, "notify_resolved", now, turn)
    return turn


def ask(session: Session, env: Env, tip: Tip, actor: Actor, question: str,
        now: datetime) -> Turn:
    """Relay a question to the anonymous reporter; their next SMS comes back to the officer."""
    if tip.status in SETTLED:
        # Closed to questions too: an answer would renew a reply address kept only for a while.
        return _closed(session, tip)
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
        return _closed(session, tip)
    where = messages.place(env.directory, commune.code, commune.province_code)
    turn = _reply("officer_transferred", tip, place=where)
    store.add_event(session, tip.id, "transferred", now, actor.label,
                    {"from": tip.commune_code, "to": commune.code}, officer_id=actor.officer_id)
    tip.commune_code, tip.province_code = commune.code, commune.province_code
    tip.status, tip.officer_id, tip.overdue = TipStatus.RECEIVED, None, False
    tip.escalation_level, tip.dispatch_round = 0, tip.dispatch_round + 1
    tip.acknowledged_at = None
    tip.next_check_at = now + timedelta(seconds=env.settings.sweep_grace_seconds)
    turn.tips.append(tip)
    return turn


def assess(session: Session, tip: Tip, actor: Actor, valuable: bool, now: datetime) -> Turn:
    """Record whether the tip was valuable (co gia tri): the figure supervisors report."""
    tip.valuable = valuable
    store.add_event(session, tip.id, "assessed", now, actor.label, {"valuable": valuable},
                    officer_id=actor.officer_id)
    return Turn()


def spam(session: Session, tip: Tip, actor: Actor, now: datetime) -> Turn:
    """Not a tip at all: closed as not valuable, its escalation stopped."""
    if tip.status == TipStatus.CLOSED:
        return _closed(session, tip)
    tip.valuable, tip.status, tip.closed_at = False, TipStatus.CLOSED, now
    tip.next_check_at, tip.overdue = None, False
    store.add_event(session, tip.id, "spam", now, actor.label, officer_id=actor.officer_id)
    return Turn()


def link(session: Session, env: Env, tip: Tip, actor: Actor, other: Tip, now: datetime) -> Turn:
    """Several residents report one case (TRUNG <ref> <other ref>): the tip is closed into the
    other's case, so officers handle it once. Its reporter is told so at once and hears the
    case's outcome when it is resolved. Tips already joined to this one move along with it, so
    a case is always one tip and the tips joined to it."""
    case = store.case_of(session, other)
    if case.id == tip.id:
        return _reply("officer_link_self", tip)
    if tip.status in SETTLED:
        return _closed(session, tip)
    turn = _reply("officer_linked", tip, case=case.reference)
    session.execute(update(Tip).where(Tip.duplicate_of_id == tip.id)
                    .values(duplicate_of_id=case.id))
    tip.duplicate_of_id, tip.status, tip.closed_at = case.id, TipStatus.CLOSED, now
    tip.next_check_at, tip.overdue = None, False
    store.add_event(session, tip.id, "linked", now, actor.label, {"case": case.reference},
                    officer_id=actor.officer_id)
    store.add_event(session, case.id, "joined", now, actor.label, {"duplicate": tip.reference},
                    officer_id=actor.officer_id)
    key = "notify_linked_settled" if case.status in SETTLED else "notify_linked"
    _notify(session, env, tip, key, now, turn)
    return turn


def note(session: Session, tip: Tip, actor: Actor, text: str, now: datetime) -> Turn:
    """An internal note on the timeline; nobody is sent anything."""
    if text.strip():
        store.add_event(session, tip.id, "note", now, actor.label, {"text": text.strip()[:2000]},
                        officer_id=actor.officer_id)
    return Turn()


def reassign(session: Session, env: Env, tip: Tip, actor: Actor, officer: Officer,
             now: datetime) -> Turn:
    """Dispatch the tip afresh to one chosen officer of its commune (or its province desk).

    The dispatch SMS is queued here; once sent, the usual SLA timer and escalation follow.
    """
    if tip.status in SETTLED:
        return _closed(session, tip)
    if not officer.active or not _in_chain(officer, tip):
        return Turn()
    turn = Turn()
    store.add_event(session, tip.id, "reassigned", now, actor.label,
                    {"from": tip.officer_id, "to": officer.id}, officer_id=actor.officer_id)
    tip.status, tip.officer_id, tip.overdue = TipStatus.RECEIVED, officer.id, False
    tip.escalation_level, tip.dispatch_round = 0, tip.dispatch_round + 1
    tip.acknowledged_at = None
    tip.next_check_at = now + timedelta(seconds=env.settings.sweep_grace_seconds)
    commune = env.directory.get(tip.commune_code)
    body = messages.dispatch(tip.reference, tip.category, commune.name if commune else "",
                             tip.details, tip.urgency == Urgency.URGENT, tip.channel)
    key = f"dispatch-{tip.id}-r{tip.dispatch_round}-l0"
    message = queue_for_officer(session, env.keyring, officer, body, "dispatch", key, now, tip.id)
    store.add_event(session, tip.id, "routed", now, actor.label,
                    {"level": 0, "officer_kind": officer.kind.value}, officer_id=officer.id)
    turn.outbound_ids.append(message.id)
    return turn


def _in_chain(officer: Officer, tip: Tip) -> bool:
    """Whether the officer is one routing could pick for the tip (its commune, or a desk)."""
    if officer.kind == OfficerKind.COMMUNE:
        return officer.commune_code is not None and officer.commune_code == tip.commune_code
    if officer.kind == OfficerKind.PROVINCE_DESK:
        return officer.province_code is not None and officer.province_code == tip.province_code
    return True


def _take(session: Session, tip: Tip, actor: Actor, now: datetime, turn: Turn,
          implicit: bool = False) -> None:
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
    key = followup.relay_key(reporter)
    row = store.load_flow(session, key) or FlowSession(
        key=key, channel="sms", reporter_id=reporter.id, created_at=now, updated_at=now,
        expires_at=now)
    officer_id = actor.officer_id or tip.officer_id
    row.state = {"flow": "relay", "tip_id": tip.id, "officer_id": officer_id}
    row.updated_at, row.expires_at = now, now + timedelta(hours=hours)
    session.add(row)


def _closed(session: Session, tip: Tip) -> Turn:
    """A settled tip cannot change; a tip joined to another's case points to that case."""
    if tip.duplicate_of_id is not None:
        return _reply("officer_joined", tip, case=store.case_of(session, tip).reference)
    return _reply("officer_closed", tip)


def _reply(key: str, tip: Tip, **params) -> Turn:
    return Turn(reply=render(Prompt(key, {"ref": tip.reference, **params}), "vi", "sms"))
