"""Writing outbound messages: the outbox row exists before any provider is called."""

from datetime import datetime

from sqlalchemy import Row, bindparam, select

from db.models import Officer, OutboundMessage, RecipientKind, Reporter
from db.privacy import Keyring
from db.session import Unit
from db.store import prepared
from flows.text import segments

REPLY = "reply"  # the purpose of an answer sent as an SMS later (SMS_REPLY=queued)


def queue_for_officer(
    session: Unit,
    keyring: Keyring,
    officer: Officer,
    body: str,
    purpose: str,
    key: str,
    now: datetime,
    tip_id: int | None = None,
    channel: str = "sms",
    claimed_by: str = "",
) -> Row:
    """Queue an SMS (or a voice call) to an officer, once per idempotency key.

    `claimed_by` (a provider's name): a new message is inserted as being sent by it, for a
    caller that sends it at once (one statement fewer than queueing, then claiming it).
    """
    return _queue(session, key, {
        "recipient_kind": RecipientKind.OFFICER.value,
        "officer_id": officer.id,
        "address": keyring.seal(officer.phone),
        "body": body,
        "purpose": purpose,
        "tip_id": tip_id,
        "channel": channel,
    }, now, claimed_by)


def queue_for_reporter(
    session: Unit,
    reporter: Reporter,
    body: str,
    purpose: str,
    key: str,
    now: datetime,
    keyring: Keyring,
    secret: str | None = None,
    tip_id: int | None = None,
    channel: str = "sms",
    claimed_by: str = "",
) -> Row | None:
    """Queue an SMS to a reporter while their sealed reply address is kept, else None.

    `secret` (e.g. a PIN) is masked in the stored body and only kept sealed until sent.
    `claimed_by`: as for `queue_for_officer`.
    """
    if not reporter.reply_address or reporter.blocked:
        return None
    sealed_body = keyring.seal(body) if secret else None
    stored = body.replace(secret, "*" * len(secret)) if secret else body
    return _queue(session, key, {
        "recipient_kind": RecipientKind.REPORTER.value,
        "reporter_id": reporter.id,
        "address": reporter.reply_address,
        "body": stored,
        "sealed_body": sealed_body,
        "purpose": purpose,
        "tip_id": tip_id,
        "channel": channel,
    }, now, claimed_by)


_OUTBOX = OutboundMessage.__table__
# What callers read of a message just queued (the one already under its key is read whole).
_RETURNED = (_OUTBOX.c.id, _OUTBOX.c.status, _OUTBOX.c.officer_id, _OUTBOX.c.channel)
_BY_KEY = select(_OUTBOX).where(_OUTBOX.c.idempotency_key == bindparam("key"))


def _queue(session: Unit, key: str, values: dict, now: datetime, claimed_by: str = "") -> Row:
    """The message as a read-only row: inserted now (the `_RETURNED` columns), or the one
    already under `key` (whole)."""
    state = ({"status": "sending", "attempts": 1, "provider": claimed_by} if claimed_by
             else {"status": "queued", "attempts": 0, "provider": ""})
    values = {**values, **state, "idempotency_key": key, "segments": segments(values["body"]),
              "created_at": now, "updated_at": now, "channel": values.get("channel", "sms")}
    # One statement when the message is new; the existing row only on a repeat.
    stmt = prepared(session, "outbox", lambda insert: insert(_OUTBOX).on_conflict_do_nothing(
        index_elements=["idempotency_key"]).returning(*_RETURNED))
    created = session.execute(stmt, values).one_or_none()
    return created or session.execute(_BY_KEY, {"key": key}).one()
