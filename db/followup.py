"""Reporters following up: TT/THEM with reference + PIN (locked after five wrong PINs), and
answers to an officer's question relayed back to that officer."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from db import store
from db.models import FlowSession, Officer, Reporter, Tip
from db.outbox import queue_for_officer
from db.privacy import Keyring
from db.turns import Env, Turn
from flows import followup as followup_commands
from flows import keywords, messages, render
from flows.followup import Followup, FollowupKind

LOCK_AFTER = 5
LOCK_FOR = timedelta(hours=1)


def open_tip(session: Session, keyring: Keyring, reference: str, pin: str,
             now: datetime) -> Tip | None:
    """The tip if reference and PIN match and it is not locked; None otherwise.

    Unknown reference, wrong PIN and locked reference look the same to the caller, so the
    answer never tells whether a reference exists. Five wrong PINs lock it for an hour.
    """
    tip = store.by_reference(session, "".join(reference.split()), lock=True)
    if tip is None:
        return None
    if tip.pin_locked_until is not None and tip.pin_locked_until > now:
        return None
    if keyring.pin_matches(tip.reference, pin.strip(), tip.pin_hash):
        tip.pin_failures = 0
        return tip
    tip.pin_failures += 1
    if tip.pin_failures >= LOCK_AFTER:
        tip.pin_failures = 0
        tip.pin_locked_until = now + LOCK_FOR
        store.add_event(session, tip.id, "pin_locked", now, "system",
                        {"until": tip.pin_locked_until.isoformat()})
    return None


def found(tip: Tip | None, timezone: str = "Asia/Ho_Chi_Minh") -> dict:
    """What a flow needs to tell a reporter about their tip (Input(RESULT).data)."""
    if tip is None:
        return {"found": False}
    moments = (tip.closed_at, tip.resolved_at, tip.acknowledged_at, tip.dispatched_at,
               tip.created_at)
    latest = max(m for m in moments if m is not None)
    return {"found": True, "status": tip.status.value, "commune_code": tip.commune_code,
            "province_code": tip.province_code,
            "updated": latest.astimezone(ZoneInfo(timezone)).strftime("%d/%m")}


def relay_key(reporter: Reporter) -> str:
    """Where an officer's open question to this reporter is kept (a FlowSession key)."""
    return f"relay:{reporter.pseudonym}"


def intercept(session: Session, env: Env, reporter: Reporter, text: str, now: datetime,
              relay: FlowSession | None) -> Turn | None:
    """TT / THEM commands and answers to an officer's question (`relay`, if one is open),
    before the tip flow. Returns a Turn, or None when the message is for the tip flow."""
    request = followup_commands.parse(text)
    # With an officer's question open, bare numbers may be the answer; TT/THEM never are.
    if request is not None and not (request.bare and relay is not None):
        return _followup(session, env, reporter, request, now)
    if relay is None:
        return None
    command, _, _ = keywords.parse(text, env.settings.keywords)
    if command is None:
        return _relay(session, env, reporter, text, now, relay)
    return None


def _followup(session: Session, env: Env, reporter: Reporter, request: Followup,
              now: datetime) -> Turn:
    language = reporter.language
    if not request.pin:  # "TT 482913": no lookup, so no PIN attempt is counted
        return Turn(reply=messages.text("followup_needs_pin", language))
    tip = open_tip(session, env.keyring, request.reference, request.pin, now)
    if tip is None:
        return Turn(reply=render(messages.status_denied(request.reference), language, "sms"))
    if request.kind is FollowupKind.MORE and request.text:
        turn = Turn(reply=messages.text("details_added", language, ref=tip.reference))
        tip.details = (tip.details + f"\n[+{_local(env, now):%d/%m %H:%M}] {request.text}")[:20000]
        store.add_event(session, tip.id, "details_added", now, "reporter:sms",
                        {"text": request.text[:2000]})
        _forward(session, env, tip, tip.officer_id, "forward_details", request.text, now, turn)
        return turn
    case = store.case_of(session, tip)  # a tip joined to another's case: how that case goes
    report = messages.status_report(tip.reference, found(case, env.settings.timezone),
                                    env.directory)
    return Turn(reply=render(report, language, "sms"))


def _relay(session: Session, env: Env, reporter: Reporter, text: str, now: datetime,
           row: FlowSession) -> Turn | None:
    """While an officer's question is open, the reporter's next SMS goes to that officer."""
    if row.expires_at <= now or not text.strip():
        return None
    tip = session.get(Tip, row.state["tip_id"])
    store.delete_flow(session, row.key)
    if tip is None:
        return None
    turn = Turn(reply=messages.text("relayed", reporter.language, ref=tip.reference))
    store.add_event(session, tip.id, "reporter_reply", now, "reporter:sms", {"text": text[:2000]})
    _forward(session, env, tip, row.state.get("officer_id"), "forward_reply", text, now, turn)
    return turn


def _forward(session: Session, env: Env, tip: Tip, officer_id: int | None, key: str, text: str,
             now: datetime, turn: Turn) -> None:
    officer = session.get(Officer, officer_id) if officer_id else None
    if officer is None:
        return
    body = messages.fitted(key, "vi", text, ref=tip.reference)
    message = queue_for_officer(session, env.keyring, officer, body, key,
                                f"{key}-{tip.id}-{uuid.uuid4().hex[:12]}", now, tip.id)
    turn.outbound_ids.append(message.id)


def _local(env: Env, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(env.settings.timezone))
