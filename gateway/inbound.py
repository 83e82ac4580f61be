"""Taking one inbound reporter message, on any channel: store it, advance the flow, file tips."""

import logging
from dataclasses import dataclass, field

from db import conversations, officer_sms, store
from db.conversations import Env
from db.models import InboundMessage, Urgency
from db.privacy import AddressError, normalize_phone
from db.session import Conflict, transaction, utcnow
from flows import Channel
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


def receive_text(svc: Services, msg: InboundText) -> Received:
    """Store the message, advance the reporter's conversation and file any tip, atomically."""
    address = _address(msg.sender, svc.settings.default_country)
    env = svc.env  # loads the commune index (once) before any lock is taken
    for _ in range(3):
        try:
            return _receive(svc, env, msg, address)
        except Conflict:
            log.info("concurrent delivery of %s; re-reading", msg.provider_id)
    raise RuntimeError("inbound message could not be stored")


def _receive(svc: Services, env: Env, msg: InboundText, address: str) -> Received:
    now = utcnow()
    with transaction(svc.engine) as session:
        if store.inbound_reply(session, svc.keyring, msg.provider_id) is not None:
            return _repeat(session, svc, msg)
        officer = (officer_sms.officer_by_phone(session, address)
                   if msg.channel is Channel.SMS else None)
        if officer is not None:
            turn = officer_sms.handle(session, env, officer, msg.body, now)
            sender = {"officer_id": officer.id}
        else:
            reporter = store.reporter_for(session, svc.keyring, address, now,
                                          svc.settings.reply_address_days)
            if store.inbound_reply(session, svc.keyring, msg.provider_id) is not None:
                return _repeat(session, svc, msg)  # a concurrent delivery won the lock first
            if msg.reply_provider:
                reporter.reply_provider = msg.reply_provider
            key = f"{msg.channel.value}:{msg.conversation or reporter.pseudonym}"
            turn = conversations.take_turn(
                session, env, channel=msg.channel, key=key, reporter=reporter,
                text=msg.body, now=now, province_code=svc.settings.province_for(msg.receiver),
            )
            sender = {"reporter_id": reporter.id}
        session.add(InboundMessage(
            channel=msg.channel.value,
            provider_id=msg.provider_id,
            tip_id=turn.tips[-1].id if turn.tips else None,
            body=clean(msg.body)[:MAX_BODY],
            reply_sealed=svc.keyring.seal(turn.reply) if turn.reply else None,
            received_at=now,
            **sender,
        ))
    jobs = [dispatch_job(t.id, t.urgency == Urgency.URGENT) for t in turn.tips]
    jobs += [send_job(i) for i in turn.outbound_ids]
    return Received(turn.reply, jobs=jobs, cancel=turn.cancel,
                    tip_references=[t.reference for t in turn.tips])


def _repeat(session, svc: Services, msg: InboundText) -> Received:
    """The same reply again for a repeated delivery (the first answer may have been lost)."""
    return Received(store.inbound_reply(session, svc.keyring, msg.provider_id), duplicate=True)


def _address(sender: str, country: str) -> str:
    """E.164 when the sender is a phone number; otherwise the cleaned sender id as given."""
    try:
        return normalize_phone(sender, country)
    except AddressError:
        return clean(sender).strip()[:40] or "unknown"
