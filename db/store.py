"""Row-level helpers used inside one transaction: reporters, flow sessions, tips, events."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from db.models import FlowSession, InboundMessage, Reporter, Tip, TipEvent, TipStatus, Urgency
from db.privacy import Keyring
from db.settings import Settings
from flows import FileTip, State


def insert_ignore(session: Session, model, values: dict, unique: list[str]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(model.__table__).values(**values).on_conflict_do_nothing(index_elements=unique)
    session.execute(stmt)


def reporter_for(
    session: Session, keyring: Keyring, e164: str, now: datetime, keep_days: int,
    reachable: bool = True,
) -> Reporter:
    """The reporter behind a number, created on first contact and locked for this transaction.

    The sealed reply address is refreshed so replies can reach them for `keep_days` (unless
    the address cannot receive SMS, e.g. a call with a withheld number).
    """
    pseudonym = keyring.pseudonym(e164)
    values = {"pseudonym": pseudonym, "created_at": now, "last_seen_at": now, "language": "vi",
              "blocked": False}
    insert_ignore(session, Reporter, values, ["pseudonym"])
    reporter = session.execute(
        select(Reporter).where(Reporter.pseudonym == pseudonym).with_for_update()
    ).scalar_one()
    reporter.last_seen_at = now
    if not reachable:
        return reporter
    reporter.reply_address = keyring.seal(e164)
    expires = now + timedelta(days=keep_days)
    if reporter.reply_expires_at is None or reporter.reply_expires_at < expires:
        reporter.reply_expires_at = expires
    return reporter


def load_flow(session: Session, key: str) -> FlowSession | None:
    """The conversation stored under `key`, locked, or None."""
    return session.execute(
        select(FlowSession).where(FlowSession.key == key).with_for_update()
    ).scalar_one_or_none()


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
    """Store the new state of a conversation; a finished one is deleted."""
    if state is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = FlowSession(key=key, channel=channel, reporter_id=reporter_id, created_at=now,
                          expires_at=now + timeout, updated_at=now, province_code=province_code)
    row.state = state.to_dict()
    row.turns = (row.turns or 0) + 1
    if consumed is not None:
        row.consumed = consumed
    row.updated_at = now
    row.expires_at = now + timeout
    session.add(row)


def reference_taken(session: Session, reference: str) -> bool:
    """Whether a tip already uses this public reference."""
    return session.execute(select(Tip.id).where(Tip.reference == reference)).first() is not None


def file_tip(
    session: Session,
    keyring: Keyring,
    settings: Settings,
    effect: FileTip,
    channel: str,
    reporter_id: int | None,
    now: datetime,
    actor: str,
) -> Tip:
    """Insert a tip from a flow's FileTip effect, with its first timeline event.

    Urgent when the reporter's words say so or the category is configured as urgent; the
    legal clock (Criminal Procedure Code art. 147: 20 days to decide) starts now.
    """
    urgent = effect.urgent or effect.category in settings.urgent_categories
    tip = Tip(
        reference=effect.reference,
        pin_hash=keyring.pin_hash(effect.reference, effect.pin),
        channel=channel,
        category=effect.category,
        commune_code=effect.commune_code,
        province_code=effect.province_code,
        details=effect.details,
        language=effect.language,
        urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
        status=TipStatus.RECEIVED,
        reporter_id=reporter_id,
        created_at=now,
        next_check_at=now + timedelta(seconds=settings.sweep_grace_seconds),
        legal_deadline_at=now + timedelta(days=settings.legal_deadline_days),
        recording_url=effect.recording_url,
        transcript=effect.transcript,
    )
    session.add(tip)
    session.flush()
    add_event(session, tip.id, "received", now, actor,
              {"channel": channel, "category": effect.category, "commune": effect.commune_code,
               "urgent": urgent})
    return tip


def add_event(
    session: Session,
    tip_id: int,
    kind: str,
    at: datetime,
    actor: str,
    data: dict | None = None,
    officer_id: int | None = None,
) -> TipEvent:
    """Append one event to a tip's timeline."""
    event = TipEvent(tip_id=tip_id, kind=kind, at=at, actor=actor, data=data or {},
                     officer_id=officer_id)
    session.add(event)
    return event


def inbound_reply(session: Session, keyring: Keyring, provider_id: str) -> str | None:
    """The reply given to an already received message, or None if it is new."""
    row = session.execute(
        select(InboundMessage.reply_sealed).where(InboundMessage.provider_id == provider_id)
    ).first()
    if row is None:
        return None
    return keyring.unseal(row[0]) if row[0] else ""
