"""Draining the inbox (SMS_REPLY=queued): each lane's kept messages taken into their
conversations oldest first, one drain per lane at a time, each reply sent at once, so one
sender's messages are answered in the order they came."""

import logging
import time
from contextlib import suppress

from redis.exceptions import LockError
from rq import Queue
from rq.utils import import_attribute

from db import inbox
from db.inbound import InboundText, receive
from db.session import reading
from flows import Channel
from workers import runtime
from workers.dispatch import dispatch_tip
from workers.queues import (
    DEFAULT,
    URGENT,
    WAKE_SECONDS,
    Job,
    enqueue,
    enqueue_quietly,
    inbox_job,
    send_job,
    wake_key,
)
from workers.send import claimed, deliver, send_outbound

log = logging.getLogger(__name__)
SLICE_SECONDS = 25.0  # then a fresh job goes on: RQ's job timeout bounds one drain
LOCK_SECONDS = 30  # renewed after every message; frees the lane of a killed worker
WAIT_SECONDS = 20  # a drain queued while the lane's previous one is finishing waits for it
BATCH = 50  # messages read at a time
_OTHERS = tuple(Queue.redis_queue_namespace_prefix + name for name in (URGENT, DEFAULT))


def drain(lane: int) -> str:
    """Job: take the lane's kept messages, oldest first, until none is left."""
    rt = runtime.get()
    lock = rt.redis.lock(f"tinbao:inbox:lane:{lane}", timeout=LOCK_SECONDS,
                         blocking_timeout=WAIT_SECONDS)
    if not lock.acquire():
        return "busy"  # the lane's drain is running and will see the messages
    try:
        return _drain(rt, lane, lock)
    finally:
        with suppress(LockError):  # expired meanwhile
            lock.release()


def _drain(rt, lane: int, lock) -> str:
    ends, taken, failed = time.monotonic() + SLICE_SECONDS, 0, set()
    batch = _next(rt, lane, failed, full=True)
    while batch:
        notices: list[Job] = []  # the reporters' "sent to your commune", after the dispatches
        for item in batch:
            outcome = _take(rt, item, notices)
            taken += outcome == "taken"
            if outcome == "failed":
                failed.add(item.id)  # kept for the next drain; this one goes on without it
            lock.reacquire()
            if time.monotonic() > ends:
                _send_notices(rt, notices)
                rt.redis.set(wake_key(lane), 1, ex=WAKE_SECONDS)
                enqueue(rt.redis, inbox_job(lane))
                return f"taken {taken}; the lane goes on in a new job"
        _send_notices(rt, notices)
        batch = _next(rt, lane, failed, full=len(batch) >= BATCH)
    return f"taken {taken}"


def _next(rt, lane: int, failed: set[int], full: bool) -> list:
    """The lane's next batch; empty when this drain is done. After a batch that was not `full`
    the lane is most likely empty: its wake key is deleted first (from then on the lane's next
    message wakes it), then what was kept before is read, so nothing is left behind (older
    messages included: on PostgreSQL a message can commit after a newer one was taken). Should
    a message have woken the lane in between, the drain queued for it takes the rest."""
    if full:
        batch = _waiting(rt, lane, failed)
        if batch:
            return batch
    rt.redis.delete(wake_key(lane))
    batch = _waiting(rt, lane, failed)
    if batch and not rt.redis.set(wake_key(lane), 1, nx=True, ex=WAKE_SECONDS):
        return []  # woken meanwhile: its drain waits for this one's lock, then takes them
    return batch


def _waiting(rt, lane: int, failed: set[int]) -> list:
    with reading(rt.engine) as session:
        rows = inbox.waiting(session, lane, limit=BATCH + len(failed))
    return [row for row in rows if row.id not in failed]


def _take(rt, item, notices: list[Job]) -> str:
    """Take one kept message and send its reply: "taken", "repeat" (taken already) or
    "failed" (kept). A reporter's reply goes by the provider the message came by, inserted as
    being sent by it (no claim to make before the call)."""
    provider = rt.providers.named(item.reply_provider) if item.reply_provider else None
    try:
        outcome = receive(rt, InboundText(
            channel=Channel.SMS,
            provider_id=item.provider_id,
            sender=rt.keyring.unseal(item.sender_sealed),
            receiver=item.receiver,
            body=item.body,
            reply_provider=item.reply_provider or None,
        ), inbox_id=item.id, reply_by=provider.name if provider else "")
    except Exception as exc:  # kept: the sweeper's next drain tries it again
        log.error("inbox %s (%s) not taken: %s", item.id, item.provider_id, type(exc).__name__)
        return "failed"
    turn = outcome.turn
    sends = [send_job(i) for i in turn.outbound_ids]
    if sends:
        enqueue_quietly(rt.redis, sends)
    if outcome.reply_to:  # inserted as being sent by `provider`; if this fails, the sweeper
        deliver(rt, claimed(rt, outcome.reply_id, provider, outcome.reply_to, outcome.reply))
    elif outcome.reply_id is not None:  # an officer's reply, by their province's provider
        send_outbound(outcome.reply_id)
    for tip in turn.tips:  # then the officer's dispatch, here rather than as a job (below)
        _dispatch(tip.id, notices)
    return "repeat" if outcome.duplicate else "taken"


def _dispatch(tip_id: int, notices: list[Job]) -> None:
    """Dispatch a tip the drain just filed, in this job: a dispatch job would cost RQ's
    bookkeeping and wait its turn behind the queue; and the reply, sent first, is with the
    provider before the notice telling where the tip went. Should the drain fail or die here,
    the tip keeps its timer and the sweeper dispatches it. The notice's job is added to
    `notices`, for this drain to run."""
    try:
        dispatch_tip(tip_id, notices)
    except Exception as exc:
        log.error("tip %s not dispatched by the drain (%s); the sweeper will", tip_id,
                  type(exc).__name__)


def _send_notices(rt, notices: list[Job]) -> None:
    """Send the notices of a batch once its tips are all dispatched, in this job: a job each
    would cost RQ's bookkeeping, about as much as the send. While other drains or dispatches
    wait on the queues, they go on the low queue instead, behind every dispatch, as a dispatch
    job's notice does. One not sent stays queued in the outbox, and the sweeper sends it."""
    if notices and _others_waiting(rt):
        enqueue_quietly(rt.redis, notices)
        return
    for job in notices:  # the low queue's send jobs, run here
        try:
            import_attribute(job.func)(*job.args)
        except Exception as exc:
            log.error("%s%s not run by the drain (%s); the sweeper will", job.func, job.args,
                      type(exc).__name__)


def _others_waiting(rt) -> bool:
    """Whether any job waits on the urgent or default queue (one round trip)."""
    try:
        with rt.redis.pipeline(transaction=False) as pipe:
            for key in _OTHERS:
                pipe.llen(key)
            return any(pipe.execute())
    except Exception:  # any Redis trouble: the notices are sent here
        return False
