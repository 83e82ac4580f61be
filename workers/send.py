"""Sending one outbox message: idempotent, retried with backoff, ending visibly failed."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from db.delivery import RANK
from db.models import Officer, OutboundMessage, OutboundStatus, RecipientKind
from db.privacy import AddressError
from db.session import transaction, utcnow
from workers import runtime
from workers.handoff import after_sent
from workers.providers import Provider, SendError
from workers.queues import Job, enqueue, enqueue_quietly, send_job, undelivered_job

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BACKOFF = (10, 30, 120, 600, 1800)
FINAL = (OutboundStatus.SENT, OutboundStatus.DELIVERED, OutboundStatus.UNDELIVERED,
         OutboundStatus.FAILED)


@dataclass(frozen=True)
class Claim:
    """A message marked as sending, with everything the provider call needs."""

    outbound_id: int
    provider: Provider
    to: str
    body: str
    callback: str | None
    channel: str


def send_outbound(outbound_id: int) -> str:
    """Job: send outbox message `outbound_id` once; returns its status afterwards."""
    rt = runtime.get()
    with transaction(rt.engine) as session:
        msg = session.execute(
            select(OutboundMessage).where(OutboundMessage.id == outbound_id).with_for_update()
        ).scalar_one_or_none()
        claim = claim_message(session, rt, msg, utcnow()) if msg is not None else None
    return deliver(rt, claim) if claim else "skipped"


def claim_message(session: Session, rt, msg: OutboundMessage, now: datetime,
                  officer: Officer | None = None) -> Claim | None:
    """Mark a locked message as sending (in the caller's transaction), or None if it is done
    already; `officer`, when the caller has the recipient at hand, saves looking it up."""
    if msg.status in FINAL:
        return None
    if msg.status == OutboundStatus.SENDING:
        log.warning("outbound %s: earlier attempt was interrupted; it may repeat", msg.id)
    try:
        to = rt.keyring.unseal(msg.address)
        body = rt.keyring.unseal(msg.sealed_body) if msg.sealed_body else msg.body
    except AddressError:
        _finish(msg, OutboundStatus.FAILED, now, "reply address no longer available")
        return None
    msg.status = OutboundStatus.SENDING
    msg.attempts += 1
    provider = rt.providers.for_message(session, msg, officer)
    msg.provider = provider.name
    msg.updated_at = now
    return Claim(msg.id, provider, to, body, rt.providers.callback(provider, msg.id),
                 msg.channel)


def deliver(rt, claim: Claim) -> str:
    """Hand a claimed message to its provider (outside any transaction) and record the result."""
    try:
        if claim.channel == "voice":
            result = claim.provider.place_call(claim.to, claim.body, "vi-VN")
        else:
            result = claim.provider.send_sms(claim.to, claim.body, claim.callback)
    except SendError as error:
        return _failed(rt, claim.outbound_id, error)
    return _sent(rt, claim.outbound_id, result.provider_id)


def _sent(rt, outbound_id: int, provider_id: str) -> str:
    now = utcnow()
    with transaction(rt.engine) as session:
        msg = session.get(OutboundMessage, outbound_id, with_for_update=True)
        msg.provider_id = provider_id
        msg.sent_at = now
        # A delivery report may have come first (a fast SMSC): keep what it said.
        _finish(msg, max(msg.status, OutboundStatus.SENT, key=RANK.get), now)
        follow_up = after_sent(session, msg, now)
    if follow_up:
        enqueue_quietly(rt.redis, follow_up)
    return OutboundStatus.SENT.value


def _failed(rt, outbound_id: int, error: SendError) -> str:
    now = utcnow()
    with transaction(rt.engine) as session:
        msg = session.get(OutboundMessage, outbound_id, with_for_update=True)
        msg.last_error = error.reason[:300]
        if error.retryable and msg.attempts < MAX_ATTEMPTS:
            delay = timedelta(seconds=BACKOFF[min(msg.attempts - 1, len(BACKOFF) - 1)])
            msg.status = OutboundStatus.QUEUED
            msg.next_attempt_at = now + delay
            msg.updated_at = now
            retry_in = delay
        else:
            _finish(msg, OutboundStatus.FAILED, now, error.reason)
            retry_in = None
        reroute = msg.purpose == "dispatch" and retry_in is None
    if retry_in is None:
        log.warning("outbound %s failed for good: %s", outbound_id, error.reason)
        if reroute:  # the officer never got it: the next one must (as for an undelivered SMS)
            enqueue_quietly(rt.redis, [undelivered_job(outbound_id)])
        return OutboundStatus.FAILED.value
    try:
        enqueue(rt.redis, Job(send_job(outbound_id).func, (outbound_id,),
                              delay=retry_in.total_seconds()))
    except Exception:  # the sweeper re-enqueues it when next_attempt_at has passed
        log.warning("could not schedule retry of outbound %s", outbound_id)
    return OutboundStatus.QUEUED.value


def _finish(msg: OutboundMessage, status: OutboundStatus, now: datetime,
            error: str | None = None) -> None:
    """Final state; a reporter's sealed address and PIN-bearing body are dropped."""
    msg.status = status
    msg.updated_at = now
    msg.next_attempt_at = None
    msg.sealed_body = None
    if error:
        msg.last_error = error[:300]
    if msg.recipient_kind == RecipientKind.REPORTER:
        msg.address = ""
