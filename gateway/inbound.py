"""Taking one inbound reporter message, on any channel: store it, advance the flow, file tips."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from db import conversations, limits, officer_sms, store
from db.models import Officer, Urgency
from db.privacy import AddressError, normalize_phone
from db.session import Conflict, transaction, utcnow
from db.turns import Env, Turn
from flows import Channel, Input, InputKind
from flows.text import clean
from gateway.services import Services
from workers.queues import Job, dispatch_job, enqueue_quietly, send_job

log = logging.getLogger(__name__)
MAX_BODY = 10_000


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
class Received:
    """The reply to give, and the jobs to enqueue once the transaction is committed."""

    reply: str
    duplicate: bool = False
    jobs: list[Job] = field(default_factory=list)
    cancel: list[str] = field(default_factory=list)
    tip_references: list[str] = field(default_factory=list)

    def after_commit(self, redis) -> None:
        """Enqueue the work and cancel timers; call once the answer is on its way."""
        if self.jobs or self.cancel:
            enqueue_quietly(redis, self.jobs, self.cancel)


Render = Callable[[Turn], str]


def receive_text(svc: Services, msg: InboundText, render: Render | None = None) -> Received:
    """Store the message, advance the reporter's conversation and file any tip, atomically.

    `render` turns the turn into the channel's answer (TwiML, a USSD screen); that answer is
    what is stored and repeated to a duplicate delivery. By default it is the reply text.
    """
    address, reachable = _address(msg.sender, svc.settings.default_country)
    msg = replace(msg, body=clean(msg.body)[:MAX_BODY])  # a flow reads what is kept: bounded
    env = svc.env  # loads the commune index (once) before any lock is taken
    for _ in range(3):
        try:
            return _receive(svc, env, msg, address, reachable or msg.channel is Channel.SMS,
                            render)
        except Conflict:
            log.info("concurrent delivery of %s; re-reading", msg.provider_id)
    raise RuntimeError("inbound message could not be stored")


def _receive(svc: Services, env: Env, msg: InboundText, address: str, reachable: bool,
             render: Render | None) -> Received:
    now = utcnow()
    with transaction(svc.engine) as session:
        # A concurrent duplicate passes this check too, then fails on the unique provider id
        # when inserted: the whole transaction rolls back and receive_text re-reads.
        seen, officer_id = store.precheck(session, msg.provider_id,
                                          address if msg.channel is Channel.SMS else None)
        if seen:
            return _repeat(session, svc, msg)
        if officer_id is not None:
            officer = session.get(Officer, officer_id)
            turn = officer_sms.handle(session, env, officer, msg.body, now)
            sender = {"officer_id": officer.id}
        else:
            reporter = store.reporter_for(session, svc.keyring, address, now,
                                          svc.settings.reply_address_days, reachable,
                                          msg.reply_provider)
            key = f"{msg.channel.value}:{msg.conversation or reporter.pseudonym}"
            event = None if msg.kind is InputKind.TEXT else Input(msg.kind, msg.body, msg.data)
            turn = limits.check(session, env, channel=msg.channel, reporter=reporter,
                                body=msg.body, now=now, phone=reachable)
            turn = turn or conversations.take_turn(
                session, env, channel=msg.channel, key=key, reporter=reporter,
                text=msg.body, now=now, province_code=svc.settings.province_for(msg.receiver),
                event=event, cumulative=msg.cumulative, receipt_by_sms=msg.receipt_by_sms,
            )
            sender = {"reporter_id": reporter.id}
        reply = render(turn) if render else turn.reply
        store.add_inbound(
            session,
            channel=msg.channel.value,
            provider_id=msg.provider_id,
            tip_id=turn.tips[-1].id if turn.tips else None,
            body=clean(turn.answer if msg.cumulative else msg.body)[:MAX_BODY],
            reply_sealed=svc.keyring.seal(reply) if reply else None,
            received_at=now,
            reporter_id=sender.get("reporter_id"),
            officer_id=sender.get("officer_id"),
            limited=turn.limited,
        )
    return Received(reply, jobs=jobs_for(turn), cancel=turn.cancel,
                    tip_references=[t.reference for t in turn.tips])


def jobs_for(turn: Turn) -> list:
    """The jobs a committed turn needs: dispatch its tips, send its outbox messages."""
    jobs = [dispatch_job(t.id, t.urgency == Urgency.URGENT) for t in turn.tips]
    return jobs + [send_job(i) for i in turn.outbound_ids]


def _repeat(session, svc: Services, msg: InboundText) -> Received:
    """The same reply again for a repeated delivery (the first answer may have been lost)."""
    return Received(store.inbound_reply(session, svc.keyring, msg.provider_id), duplicate=True)


def _address(sender: str, country: str) -> tuple[str, bool]:
    """(E.164, True) for a phone number; otherwise (the cleaned sender id as given, False)."""
    try:
        return normalize_phone(sender, country), True
    except AddressError:
        return clean(sender).strip()[:40] or "unknown", False
