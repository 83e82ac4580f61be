"""Row-level helpers used inside one transaction: reporters, flow sessions, tips, events."""

from datetime import datetime, timedelta

from sqlalchemy import (
    Connection,
    Row,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from db.models import (
    FlowSession,
    InboundMessage,
    Officer,
    Reporter,
    Tip,
    TipEvent,
    TipStatus,
    Urgency,
)
from db.privacy import Keyring
from db.session import Unit
from db.settings import Settings
from flows import FileTip, State


def dialect_name(session: Unit) -> str:
    """The database behind an ORM session or a bare connection: "postgresql" or "sqlite"."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    return bind.dialect.name


def dialect_insert(session: Unit):
    """The INSERT of the session's database, with ON CONFLICT (PostgreSQL and SQLite)."""
    return pg_insert if dialect_name(session) == "postgresql" else sqlite_insert


_REPORTER = Reporter.__table__
_TIPS = Tip.__table__
_EVENTS = TipEvent.__table__
_ADD_EVENT = insert(_EVENTS)  # built once: its cache key and compiled form are reused
_STATEMENTS: dict[tuple[str, str], object] = {}


def prepared(session: Unit, name: str, build):
    """A statement built once per dialect: SQLAlchemy then reuses its compiled form."""
    key = (dialect_name(session), name)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = build(dialect_insert(session))
    return _STATEMENTS[key]


def _reporter_upsert(insert, reachable: bool):
    stmt = insert(_REPORTER).values(
        pseudonym=bindparam("pseudonym"), created_at=bindparam("now"),
        last_seen_at=bindparam("now"), language="vi", blocked=False,
        reply_address=bindparam("address"), reply_expires_at=bindparam("expires"),
        reply_provider=bindparam("provider"))
    kept, new = _REPORTER.c, stmt.excluded
    changes = {"last_seen_at": new.last_seen_at,
               "reply_provider": func.coalesce(new.reply_provider, kept.reply_provider)}
    if reachable:
        changes["reply_address"] = new.reply_address
        changes["reply_expires_at"] = case(
            (kept.reply_expires_at > new.reply_expires_at, kept.reply_expires_at),
            else_=new.reply_expires_at)
    return stmt.on_conflict_do_update(index_elements=["pseudonym"], set_=changes).returning(
        *_REPORTER.c)


def reporter_for(
    session: Session, keyring: Keyring, e164: str, now: datetime, keep_days: int,
    reachable: bool = True, provider: str | None = None,
) -> Row:
    """The reporter behind a number (a row, read-only: id, pseudonym, language, reply_address,
    blocked...), created on first contact and locked for this transaction; one upsert, the hot
    path of every inbound message.

    The sealed reply address is refreshed so replies can reach them for `keep_days` (unless
    the address cannot receive SMS, e.g. a call with a withheld number); `provider` is the
    one their message came by, for later replies.
    """
    stmt = prepared(session, f"reporter-{reachable}",
                     lambda insert: _reporter_upsert(insert, reachable))
    return session.execute(stmt, {
        "pseudonym": keyring.pseudonym(e164), "now": now, "provider": provider,
        "address": keyring.seal(e164) if reachable else None,
        "expires": now + timedelta(days=keep_days) if reachable else None,
    }).one()


_T = _TIPS.c
# What a dispatch or an escalation reads of the tip it locks, not all thirty columns: psycopg
# describes every column of a result anew on each execution (~3 us a column, every dispatch).
_LOCK_TIP = select(_T.id, _T.status, _T.officer_id, _T.escalation_level, _T.dispatch_round,
                   _T.commune_code, _T.province_code, _T.reference, _T.category, _T.details,
                   _T.urgency, _T.channel, _T.recording_url, _T.overdue
                   ).where(_T.id == bindparam("id")).with_for_update()
_UPDATE_TIP = update(_TIPS).where(_TIPS.c.id == bindparam("tip_id"))


def lock_tip(session: Unit, tip_id: int) -> Row | None:
    """A tip's routing columns (`_LOCK_TIP`) as a read-only row, locked for this transaction
    (a Core query: no object to track, the hot path of every dispatch), or None."""
    return session.execute(_LOCK_TIP, {"id": tip_id}).one_or_none()


def update_tip(session: Unit, tip_id: int, **values) -> None:
    """Set some of a tip's columns (one statement; its compiled form is reused per set)."""
    session.execute(_UPDATE_TIP, {"tip_id": tip_id, **values})


def set_language(session: Session, reporter_id: int, language: str) -> None:
    """Remember a reporter's language."""
    session.execute(update(_REPORTER).where(_REPORTER.c.id == reporter_id)
                    .values(language=language))


_SEEN = select(exists().where(InboundMessage.provider_id == bindparam("provider_id")),
               select(Officer.id).where(Officer.phone == bindparam("phone"), Officer.active)
               .limit(1).scalar_subquery())


def precheck(session: Session, provider_id: str, e164: str | None) -> tuple[bool, int | None]:
    """In one query: was this message received before, and is the sender an active officer?"""
    found = session.execute(_SEEN, {"provider_id": provider_id, "phone": e164 or ""}).one()
    return bool(found[0]), found[1]


def load_flow(session: Session, key: str) -> FlowSession | None:
    """The conversation stored under `key` as an object to change, locked, or None."""
    return session.execute(
        select(FlowSession).where(FlowSession.key == key).with_for_update()
    ).scalar_one_or_none()


_FLOWS = FlowSession.__table__
# Statements built once: their cache keys and compiled forms are reused on every message.
_LOAD_FLOWS = (select(_FLOWS).where(_FLOWS.c.key.in_(bindparam("keys", expanding=True)))
               .with_for_update())
_INSERT_FLOW = insert(_FLOWS)
_UPDATE_FLOW = update(_FLOWS).where(_FLOWS.c.key == bindparam("flow_key"))
_DELETE_FLOW = delete(_FLOWS).where(_FLOWS.c.key == bindparam("flow_key"))
_ADD_INBOUND = insert(InboundMessage.__table__)


def load_flows(session: Session, keys: list[str]) -> dict[str, Row]:
    """Several conversations by key in one query, as read-only rows (locked)."""
    rows = session.execute(_LOAD_FLOWS, {"keys": keys})
    return {row.key: row for row in rows}


def delete_flow(session: Session, key: str) -> None:
    """Forget a conversation."""
    session.execute(_DELETE_FLOW, {"flow_key": key})


def save_flow(
    session: Session,
    row: FlowSession | None,
    key: str,
    channel: str,
    reporter_id: int | None,
    state: State | None,
    now: datetime,
    timeout: timedelta,
    province_code: int | None = None,
    consumed: int | None = None,
) -> None:
    """Store the new state of a conversation (`row`: what load_flows found); a finished one
    is deleted."""
    if state is None:
        if row is not None:
            delete_flow(session, key)
        return
    values = {"state": state.to_dict(), "updated_at": now, "expires_at": now + timeout,
              "turns": (row.turns or 0) + 1 if row is not None else 1}
    if consumed is not None:
        values["consumed"] = consumed
    if row is None:
        session.execute(_INSERT_FLOW, {
            "key": key, "channel": channel, "reporter_id": reporter_id,
            "province_code": province_code, "created_at": now, "consumed": 0, **values})
    else:
        session.execute(_UPDATE_FLOW, {"flow_key": key, **values})


class ReferenceTaken(Exception):
    """The reference drawn for a new tip is already used; draw again."""


def file_tip(
    session: Session,
    keyring: Keyring,
    settings: Settings,
    effect: FileTip,
    channel: str,
    reporter_id: int | None,
    now: datetime,
    actor: str,
) -> Row:
    """Insert a tip from a flow's FileTip effect, with its first timeline event; returns the
    new row's id, reference and urgency.

    Urgent as the flow decided (the reporter's words, or a category of URGENT_CATEGORIES: the
    receipt's advice to call 113 rests on the same decision); the legal clock (Criminal
    Procedure Code art. 147: 20 days to decide) starts now.
    """
    stmt = prepared(session, "tip", lambda insert: insert(_TIPS).on_conflict_do_nothing(
        index_elements=["reference"]).returning(_TIPS.c.id, _TIPS.c.reference, _TIPS.c.urgency))
    tip = session.execute(stmt, dict(
        reference=effect.reference,
        pin_hash=keyring.pin_hash(effect.reference, effect.pin),
        channel=channel,
        category=effect.category,
        commune_code=effect.commune_code,
        province_code=effect.province_code,
        details=effect.details,
        language=effect.language,
        urgency=Urgency.URGENT if effect.urgent else Urgency.NORMAL,
        status=TipStatus.RECEIVED,
        reporter_id=reporter_id,
        created_at=now,
        next_check_at=now + timedelta(seconds=settings.sweep_grace_seconds),
        legal_deadline_at=now + timedelta(days=settings.legal_deadline_days),
        recording_url=effect.recording_url,
        transcript=effect.transcript,
        officer_id=None, escalation_level=0, dispatch_round=0, overdue=False, pin_failures=0,
    )).one_or_none()
    if tip is None:
        raise ReferenceTaken(effect.reference)
    add_event(session, tip.id, "received", now, actor,
              {"channel": channel, "category": effect.category, "commune": effect.commune_code,
               "urgent": effect.urgent})
    return tip


def add_event(
    session: Unit,
    tip_id: int,
    kind: str,
    at: datetime,
    actor: str,
    data: dict | None = None,
    officer_id: int | None = None,
) -> None:
    """Append one event to a tip's timeline."""
    session.execute(_ADD_EVENT, {"tip_id": tip_id, "kind": kind, "at": at, "actor": actor,
                                      "data": data or {}, "officer_id": officer_id})


def add_inbound(session: Session, **values) -> None:
    """Record one received message (Core insert: no object to track)."""
    session.execute(_ADD_INBOUND, values)


def inbound_reply(session: Session, keyring: Keyring, provider_id: str) -> str | None:
    """The reply given to an already received message, or None if it is new."""
    row = session.execute(
        select(InboundMessage.reply_sealed).where(InboundMessage.provider_id == provider_id)
    ).first()
    if row is None:
        return None
    return keyring.unseal(row[0]) if row[0] else ""


def case_of(session: Session, tip: Tip) -> Tip:
    """The tip that stands for this one's case: itself, or the tip it was joined to (joining
    moves the tips joined to a tip along with it; the loop only covers two joins that raced)."""
    for _ in range(8):
        if tip.duplicate_of_id is None:
            break
        tip = session.get(Tip, tip.duplicate_of_id) or tip
    return tip


def by_reference(session: Session, reference: str, lock: bool = False) -> Tip | None:
    """One tip by its reference (locked for an action)."""
    query = select(Tip).where(Tip.reference == reference)
    return session.execute(query.with_for_update() if lock else query).scalar_one_or_none()


def joined(session: Session, tip: Tip) -> list[Tip]:
    """The tips joined to this one's case (TRUNG), oldest first."""
    return list(session.execute(select(Tip).where(Tip.duplicate_of_id == tip.id)
                                .order_by(Tip.id)).scalars())
