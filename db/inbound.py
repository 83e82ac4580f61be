"""Taking one inbound message, on any channel: store it, advance the flow, file tips.

The web gateway calls `receive` while the webhook waits (the reply is its answer); with
SMS_REPLY=queued a worker calls it for a message the webhook kept in the inbox (db.inbox),
and the reply goes out as an outbox SMS queued in the same transaction.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam, delete

from db import conversations, limits, officer_sms, store
from db.models import InboxMessage, Officer, OutboundStatus
from db.outbox import REPLY, queue_for_officer, queue_for_reporter
from db.privacy import AddressError, normalize_phone
from db.resources import Resources
from db.session import Conflict, Session, transaction, utcnow
from db.turns import Env, Turn
from flows import Channel, Input, InputKind
from flows.text import clean

log = logging.getLogger(__name__)
MAX_BODY = 10_000
_INBOX = InboxMessage.__table__
_TAKEN = delete(_INBOX).where(_INBOX.c.id == bindparam("id"))


@dataclass(frozen=True)
class InboundText:
    """A text message as every channel adapter hands it over."""

    channel: Channel
    provider_id: str
    sender: str
    receiver: str
    body: str
    conversation: str | None = None  # USSD/voice session id; SMS conversations follow the sender
    reply_provider: str | None = None  # the SMS provider it came by, for later replies
    kind: InputKind = InputKind.TEXT  # a call or USSD session starting, a recording, silence
    data: Mapping[str, Any] = field(default_factory=dict)
    cumulative: bool = False  # body is every answer so far joined by '*' (Africa's Talking)
    receipt_by_sms: bool = False  # confirm a tip filed now by SMS too (USSD screens vanish)


@dataclass
class Outcome:
    """What one message did: the reply, and the committed turn (None for a repeat)."""

    reply: str
    duplicate: bool = False
    turn: Turn = field(default_factory=Turn)
    reply_id: int | None = None  # the reply queued as an SMS (a message taken from the inbox)
    # Where to send it, when it was inserted as being sent (`reply_by`): a number, kept out of
    # any repr so that it cannot reach a log.
    reply_to: str = field(default="", repr=False)


Render = Callable[[Turn], str]


def receive(res: Resources, msg: InboundText, render: Render | None = None,
            inbox_id: int | None = None, reply_by: str = "") -> Outcome:
    """Store the message, advance the sender's conversation and file any tip, atomically.

    `render` turns the turn into the channel's answer (TwiML, a USSD screen); that answer is
    what is stored and repeated to a duplicate delivery. By default it is the reply text.
    `inbox_id`: the message was kept in the inbox (SMS_REPLY=queued); the reply is queued as
    an SMS (`reply_id`) and the inbox row deleted, in the same transaction. `reply_by`: the
    provider the caller sends a reporter's reply through at once; the reply is inserted as being
    sent by it (no claim to make), and `reply_to` says where it goes.
    """
    address, reachable = _address(msg.sender, res.settings.default_country)
    msg = replace(msg, body=clean(msg.body)[:MAX_BODY])  # a flow reads what is kept: bounded
    env = res.env  # loads the commune index (once) before any lock is taken
    for _ in range(3):
        try:
            return _receive(res, env, msg, address, reachable or msg.channel is Channel.SMS,
                            render, inbox_id, reply_by)
        except Conflict:
            log.info("concurrent delivery of %s; re-reading", msg.provider_id)
    raise RuntimeError("inbound message could not be stored")


def _receive(res: Resources, env: Env, msg: InboundText, address: str, reachable: bool,
             render: Render | None, inbox_id: int | None, reply_by: str) -> Outcome:
    now = utcnow()
    with transaction(res.engine) as session:
        if inbox_id is not None:
            session.execute(_TAKEN, {"id": inbox_id})
        # A concurrent duplicate passes this check too, then fails on the unique provider id
        # when inserted: the whole transaction rolls back and receive re-reads.
        seen, officer_id = store.precheck(session, msg.provider_id,
                                          address if msg.channel is Channel.SMS else None)
        if seen:  # the same reply again (the first answer may have been lost); a queued
            # message was answered by SMS when it was first taken
            reply = None if inbox_id is not None else store.inbound_reply(
                session, res.keyring, msg.provider_id)
            return Outcome(reply or "", duplicate=True)
        officer = reporter = None
        if officer_id is not None:
            officer = session.get(Officer, officer_id)
            turn = officer_sms.handle(session, env, officer, msg.body, now)
        else:
            reporter = store.reporter_for(session, res.keyring, address, now,
                                          res.settings.reply_address_days, reachable,
                                          msg.reply_provider)
            key = f"{msg.channel.value}:{msg.conversation or reporter.pseudonym}"
            event = None if msg.kind is InputKind.TEXT else Input(msg.kind, msg.body, msg.data)
            turn = limits.check(session, env, channel=msg.channel, reporter=reporter,
                                body=msg.body, now=now, phone=reachable)
            turn = turn or conversations.take_turn(
                session, env, channel=msg.channel, key=key, reporter=reporter,
                text=msg.body, now=now, province_code=res.settings.province_for(msg.receiver),
                event=event, cumulative=msg.cumulative, receipt_by_sms=msg.receipt_by_sms,
            )
        reply = render(turn) if render else turn.reply
        store.add_inbound(
            session,
            channel=msg.channel.value,
            provider_id=msg.provider_id,
            tip_id=turn.tips[-1].id if turn.tips else None,
            body=clean(turn.answer if msg.cumulative else msg.body)[:MAX_BODY],
            reply_sealed=res.keyring.seal(reply) if reply else None,
            received_at=now,
            reporter_id=reporter.id if reporter is not None else None,
            officer_id=officer.id if officer is not None else None,
            limited=turn.limited,
        )
        reply_id, claimed = None, False
        if inbox_id is not None and reply:
            reply_id, claimed = _reply_by_sms(session, env, msg, turn, reply, officer, reporter,
                                              now, reply_by)
    return Outcome(reply, turn=turn, reply_id=reply_id, reply_to=address if claimed else "")


def _reply_by_sms(session: Session, env: Env, msg: InboundText, turn: Turn, reply: str,
                  officer: Officer | None, reporter, now, reply_by: str
                  ) -> tuple[int | None, bool]:
    """Queue the reply to a message taken from the inbox, its PIN, if any, kept sealed; (its
    id, whether it was inserted as being sent by `reply_by`). An officer's goes by the
    provider of their province: it is queued, and claimed when sent."""
    key = f"reply-{msg.provider_id}"
    if officer is not None:
        row = queue_for_officer(session, env.keyring, officer, reply, REPLY, key, now)
        return row.id, False
    filed = turn.step.filed if turn.step is not None else None
    row = queue_for_reporter(session, reporter, reply, REPLY, key, now, env.keyring,
                             secret=filed.pin if filed else None,
                             tip_id=turn.tips[-1].id if turn.tips else None,
                             claimed_by=reply_by)
    if row is None:
        return None, False
    return row.id, bool(reply_by) and row.status == OutboundStatus.SENDING


def _address(sender: str, country: str) -> tuple[str, bool]:
    """(E.164, True) for a phone number; otherwise (the cleaned sender id as given, False)."""
    try:
        return normalize_phone(sender, country), True
    except AddressError:
        return clean(sender).strip()[:40] or "unknown", False
