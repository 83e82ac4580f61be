"""One tip's story for its detail page: events, outbound messages, the anonymous thread."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from db.models import Officer, OutboundMessage, RecipientKind, Tip, TipEvent, User
from db.privacy import AddressError, Keyring, mask

THREAD = {"question": "officer", "reporter_reply": "reporter", "details_added": "reporter"}


@dataclass(frozen=True)
class Sent:
    """An outbound message as supervisors may see it (a reporter's address never shown)."""

    message: OutboundMessage
    recipient: str
    address: str


@dataclass(frozen=True)
class Said:
    """One line of the anonymous thread between officers and the reporter."""

    at: object
    side: str  # "officer" or "reporter"
    text: str


@dataclass(frozen=True)
class Story:
    """Everything the detail page shows about a tip."""

    events: list[tuple[TipEvent, str]]
    sent: list[Sent]
    thread: list[Said]


def story(session: Session, keyring: Keyring, tip: Tip) -> Story:
    """Read a tip's events and messages; name the actors."""
    events = session.execute(select(TipEvent).where(TipEvent.tip_id == tip.id)
                             .order_by(TipEvent.at, TipEvent.id)).scalars().all()
    messages = session.execute(select(OutboundMessage).where(OutboundMessage.tip_id == tip.id)
                               .order_by(OutboundMessage.id)).scalars().all()
    officer_ids = {e.officer_id for e in events} | {m.officer_id for m in messages}
    officers = {o.id: o for o in session.execute(
        select(Officer).where(Officer.id.in_([i for i in officer_ids if i]))).scalars()}
    user_ids = [int(e.actor[5:]) for e in events if e.actor.startswith("user:")
                and e.actor[5:].isdigit()]
    users = {u.id: u for u in session.execute(select(User).where(User.id.in_(user_ids))
                                              ).scalars()} if user_ids else {}
    named = [(e, _actor(e.actor, officers, users)) for e in events]
    sent = [_sent(keyring, m, officers.get(m.officer_id)) for m in messages]
    thread = [Said(tip.created_at, "reporter", tip.details)] if tip.details else []
    thread += [Said(e.at, THREAD[e.kind], str(e.data.get("text", "")))
               for e in events if e.kind in THREAD]
    return Story(named, sent, thread)


def _actor(label: str, officers: dict, users: dict) -> str:
    kind, _, ident = label.partition(":")
    if kind == "officer" and ident.isdigit() and int(ident) in officers:
        return officers[int(ident)].name
    if kind == "user" and ident.isdigit() and int(ident) in users:
        user = users[int(ident)]
        return user.name or user.email
    if kind == "reporter":
        return "reporter"
    if kind == "job" or kind == "system":
        return "system"
    return label


def _sent(keyring: Keyring, message: OutboundMessage, officer: Officer | None) -> Sent:
    if message.recipient_kind != RecipientKind.OFFICER:
        return Sent(message, "reporter", "")
    try:
        address = mask(keyring.unseal(message.address))
    except AddressError:
        address = "?"
    return Sent(message, officer.name if officer else "officer", address)
