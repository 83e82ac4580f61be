"""What the simulator's phones show: the messages to and from one number, and officers."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, select
from sqlalchemy.engine import Engine

from db.models import (
    InboundMessage,
    Officer,
    OfficerKind,
    OutboundMessage,
    OutboundStatus,
    Reporter,
    Tip,
)
from db.outbox import REPLY  # shown with the message it answers (its reply_sealed)
from db.privacy import Keyring
from db.session import reading

ARRIVED = (OutboundStatus.SENT, OutboundStatus.DELIVERED)
Line = tuple[datetime, str, str]  # (when, "me" or "them", text)


def officer(engine: Engine, scope: ColumnElement[bool], officer_id: int | None,
            prefer_commune: int | None = None) -> Officer | None:
    """The active officer with this id in scope; without an id, a commune officer: of the
    preferred commune when there is one in scope, else the first."""
    query = select(Officer).where(Officer.active, scope)
    if officer_id is not None:
        query = query.where(Officer.id == officer_id)
    else:
        query = query.where(Officer.kind == OfficerKind.COMMUNE)
    preferred = case((Officer.commune_code == prefer_commune, 0), else_=1)
    with reading(engine) as session:
        return session.execute(query.order_by(preferred, Officer.commune_code, Officer.priority,
                                              Officer.id).limit(1)).scalar_one_or_none()


def officers(engine: Engine, scope: ColumnElement[bool], limit: int = 400) -> list[Officer]:
    """Active officers in scope, desks first."""
    with reading(engine) as session:
        return list(session.execute(
            select(Officer).where(Officer.active, scope)
            .order_by(Officer.kind, Officer.commune_code, Officer.id).limit(limit)).scalars())


def is_officer_phone(engine: Engine, phone: str) -> bool:
    """Whether an officer uses this number (a resident's phone must not)."""
    with reading(engine) as session:
        return session.execute(select(Officer.id).where(Officer.phone == phone)).first() \
            is not None


def reporter_thread(engine: Engine, keyring: Keyring, phone: str, limit: int = 30
                    ) -> list[Line]:
    """A resident's SMS: what they sent, the gateway's replies, and notices sent to them."""
    with reading(engine) as session:
        reporter = session.execute(select(Reporter).where(
            Reporter.pseudonym == keyring.pseudonym(phone))).scalar_one_or_none()
        if reporter is None:
            return []
        inbound = session.execute(select(InboundMessage).where(
            InboundMessage.reporter_id == reporter.id, InboundMessage.channel == "sms")
            .order_by(InboundMessage.id.desc()).limit(limit)).scalars().all()
        outbound = session.execute(select(OutboundMessage).where(
            OutboundMessage.reporter_id == reporter.id, OutboundMessage.status.in_(ARRIVED),
            OutboundMessage.purpose != REPLY)
            .order_by(OutboundMessage.id.desc()).limit(limit)).scalars().all()
    return _merge(keyring, inbound, outbound)


def officer_thread(engine: Engine, keyring: Keyring, officer_id: int, limit: int = 30
                   ) -> list[Line]:
    """An officer's SMS: dispatches and notices received, commands sent and their answers."""
    with reading(engine) as session:
        inbound = session.execute(select(InboundMessage).where(
            InboundMessage.officer_id == officer_id)
            .order_by(InboundMessage.id.desc()).limit(limit)).scalars().all()
        outbound = session.execute(select(OutboundMessage).where(
            OutboundMessage.officer_id == officer_id, OutboundMessage.channel == "sms",
            OutboundMessage.status.in_(ARRIVED), OutboundMessage.purpose != REPLY)
            .order_by(OutboundMessage.id.desc()).limit(limit)).scalars().all()
    return _merge(keyring, inbound, outbound)


def _merge(keyring: Keyring, inbound, outbound) -> list[Line]:
    lines = []
    for msg in inbound:
        lines.append((msg.received_at, 0, "me", msg.body))
        if msg.reply_sealed:
            lines.append((msg.received_at, 1, "them", keyring.unseal(msg.reply_sealed)))
    lines += [(m.sent_at or m.updated_at, 2, "them", m.body) for m in outbound]
    return [(at, side, text) for at, _, side, text in sorted(lines, key=lambda x: (x[0], x[1]))]


def latest_tip_officer(engine: Engine, keyring: Keyring, phone: str,
                       scope: ColumnElement[bool]) -> int | None:
    """The officer phone that receives this resident's latest tip: the officer it was sent to,
    or (before the worker has routed it) its commune's first active officer; within scope."""
    with reading(engine) as session:
        tip = session.execute(
            select(Tip.officer_id, Tip.commune_code).join(Reporter, Reporter.id == Tip.reporter_id)
            .where(Reporter.pseudonym == keyring.pseudonym(phone))
            .order_by(Tip.id.desc()).limit(1)).first()
        if tip is None:
            return None
        mine = Officer.id == tip.officer_id if tip.officer_id else and_(
            Officer.commune_code == tip.commune_code, Officer.kind == OfficerKind.COMMUNE)
        return session.execute(
            select(Officer.id).where(mine, Officer.active, scope)
            .order_by(Officer.priority, Officer.id).limit(1)).scalar_one_or_none()


def latest_reference(engine: Engine, officer_id: int) -> str:
    """The reference of the latest tip dispatched to this officer ('' if none)."""
    with reading(engine) as session:
        found = session.execute(
            select(Tip.reference).join(OutboundMessage, OutboundMessage.tip_id == Tip.id)
            .where(OutboundMessage.officer_id == officer_id)
            .order_by(OutboundMessage.id.desc()).limit(1)).scalar_one_or_none()
    return found or ""
