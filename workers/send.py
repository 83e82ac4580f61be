"""Sending one outbox message: idempotent, retried with backoff, ending visibly failed."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, case, literal, select, update

from db.delivery import RANK
from db.models import OutboundMessage, OutboundStatus, RecipientKind
from db.privacy import AddressError
from db.session import Unit, statements, utcnow
from workers import runtime
from workers.handoff import after_sent
from workers.providers import Provider, SendError
from workers.queues import LOW, Job, enqueue, enqueue_quietly, send_job, undelivered_job

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


# Messages are read and changed by Core statements (rows, no objects to track): every
# dispatch runs these, and the ORM's bookkeeping cost more than the database's work.
_OUTBOX = OutboundMessage.__table__
_LOCK = select(_OUTBOX).where(_OUTBOX.c.id == bindparam("id")).with_for_update()
_UPDATE = update(_OUTBOX).where(_OUTBOX.c.id == bindparam("msg_id"))
_CLAIM = _UPDATE.values(attempts=_OUTBOX.c.attempts + 1)
# What every final state drops: a reporter's sealed address and PIN-bearing body.
_DROPPED = {"address": case((_OUTBOX.c.recipient_kind == RecipientKind.REPORTER, ""),
                            else_=_OUTBOX.c.address),
            "next_attempt_at": None, "sealed_body": None}
_FINISH = _UPDATE.values(**_DROPPED)
# Recording a send in one statement: a delivery report may have come first (a fast SMSC), so
# a status past "sent" is kept. It returns what `after_sent` reads, no more: psycopg describes
# every returned column anew on each execution (~3 us a column, every dispatch).
_PAST_SENT = [status for status, rank in RANK.items() if rank > RANK[OutboundStatus.SENT]]
_SENT = _UPDATE.values(
    status=case((_OUTBOX.c.status.in_(_PAST_SENT), _OUTBOX.c.status),
                else_=literal(OutboundStatus.SENT, _OUTBOX.c.status.type)),
    **_DROPPED,
).returning(_OUTBOX.c.id, _OUTBOX.c.purpose, _OUTBOX.c.tip_id, _OUTBOX.c.officer_id)


def lock_message(session: Unit, outbound_id: int) -> Row | None:
    """An outbox message as a read-only row, locked for this transaction, or None."""
    return session.execute(_LOCK, {"id": outbound_id}).one_or_none()


def send_outbound(outbound_id: int) -> str:
    """Job: send outbox message `outbound_id` once; returns its status afterwards."""
    rt = runtime.get()
    with statements(rt.redoable) as session:
        msg = lock_message(session, outbound_id)
        claim = claim_message(session, rt, msg, utcnow()) if msg is not None else None
    return deliver(rt, claim) if claim else "skipped"


def claim_message(session: Unit, rt, msg: Row, now: datetime) -> Claim | None:
    """Mark a locked message as sending (in the caller's transaction), or None if it is done
    already."""
    if msg.status in FINAL:
        return None
    if msg.status == OutboundStatus.SENDING:
        log.warning("outbound %s: earlier attempt was interrupted; it may repeat", msg.id)
    try:
        to = rt.keyring.unseal(msg.address)
        body = rt.keyring.unseal(msg.sealed_body) if msg.sealed_body else msg.body
    except AddressError:
        _finish(session, msg.id, OutboundStatus.FAILED, now, "reply address no longer available")
        return None
    provider = rt.providers.for_message(session, msg)
    session.execute(_CLAIM, {"msg_id": msg.id, "status": OutboundStatus.SENDING,
                             "provider": provider.name, "updated_at": now})
    return Claim(msg.id, provider, to, body, rt.providers.callback(provider, msg.id),
                 msg.channel)


def claimed(rt, outbound_id: int, provider: Provider, to: str, body: str,
            channel: str = "sms") -> Claim:
    """The claim of a message inserted as being sent (the outbox's `claimed_by`)."""
    return Claim(outbound_id, provider, to, body, rt.providers.callback(provider, outbound_id),
                 channel)


def deliver(rt, claim: Claim, later: list[Job] | None = None) -> str:
    """Hand a claimed message to its provider (outside any transaction) and record the result.

    `later`: a caller that runs the low-queue follow-ups itself (the inbox drain) gets those
    jobs appended here instead of enqueued."""
    try:
        if claim.channel == "voice":
            result = claim.provider.place_call(claim.to, claim.body, "vi-VN")
        else:
            result = claim.provider.send_sms(claim.to, claim.body, claim.callback)
    except SendError as error:
        return _failed(rt, claim.outbound_id, error)
    return _sent(rt, claim.outbound_id, result.provider_id, later)


def _sent(rt, outbound_id: int, provider_id: str, later: list[Job] | None = None) -> str:
    now = utcnow()
    with statements(rt.redoable) as session:  # Core statements only: no ORM session to build
        msg = session.execute(_SENT, {"msg_id": outbound_id, "provider_id": provider_id,
                                      "sent_at": now, "updated_at": now}).one()
        follow_up = after_sent(session, msg, now)
    if later is not None:  # the caller sends these itself, after its more urgent work
        later += [job for job in follow_up if job.queue == LOW]
        follow_up = [job for job in follow_up if job.queue != LOW]
    if follow_up:
        enqueue_quietly(rt.redis, follow_up)
    return OutboundStatus.SENT.value


def _failed(rt, outbound_id: int, error: SendError) -> str:
    now = utcnow()
    with statements(rt.redoable) as session:
        msg = lock_message(session, outbound_id)
        if error.retryable and msg.attempts < MAX_ATTEMPTS:
            delay = timedelta(seconds=BACKOFF[min(msg.attempts - 1, len(BACKOFF) - 1)])
            session.execute(_UPDATE, {"msg_id": msg.id, "status": OutboundStatus.QUEUED,
                                      "next_attempt_at": now + delay, "updated_at": now,
                                      "last_error": error.reason[:300]})
            retry_in = delay
        else:
            _finish(session, msg.id, OutboundStatus.FAILED, now, error.reason)
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


def _finish(session: Unit, outbound_id: int, status: OutboundStatus, now: datetime,
            error: str | None = None) -> None:
    """Put a message in a final state (dropping what _DROPPED names)."""
    values = {"msg_id": outbound_id, "status": status, "updated_at": now}
    if error:
        values["last_error"] = error[:300]
    session.execute(_FINISH, values)
