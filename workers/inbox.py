"""Taking SMS kept in the inbox (SMS_REPLY=queued) into their conversations, in order, and
sending each reply at once."""

import logging

from db import inbox
from db.inbound import InboundText, receive
from db.session import reading
from flows import Channel
from workers import runtime
from workers.queues import JOB_TIMEOUT, enqueue_quietly, jobs_for
from workers.send import send_outbound

log = logging.getLogger(__name__)


def take(inbox_id: int) -> str:
    """Job: take message `inbox_id` and, first, any older one of the same sender still waiting
    (a sender's messages are answered in the order they came, whichever job runs first).

    Jobs for one sender run one at a time (a Redis lock); without it (the lock expired) another
    worker taking the same message waits on its row, then finds it taken: db.inbound.receive
    deletes the row and stores the message in one transaction.
    """
    rt = runtime.get()
    with reading(rt.engine) as session:
        row = inbox.get(session, inbox_id)
    if row is None:
        return "taken already"
    # One job at a time per sender, so that the replies go out in order too.
    with rt.redis.lock(f"tinbao:inbox:{row.pseudonym}", timeout=JOB_TIMEOUT,
                       blocking_timeout=JOB_TIMEOUT):
        with reading(rt.engine) as session:
            rows = inbox.pending(session, row.pseudonym, row.id)
        taken = sum(_take(rt, item) for item in rows)
    return f"taken {taken}" if rows else "taken already"


def _take(rt, item) -> bool:
    """Take one kept message and send its reply; False if it had been taken already."""
    outcome = receive(rt, InboundText(
        channel=Channel.SMS,
        provider_id=item.provider_id,
        sender=rt.keyring.unseal(item.sender_sealed),
        receiver=item.receiver,
        body=item.body,
        reply_provider=item.reply_provider or None,
    ), inbox_id=item.id)
    turn = outcome.turn
    jobs = jobs_for(turn)
    if jobs or turn.cancel:  # an officer's dispatch first: it does not wait on the reply
        enqueue_quietly(rt.redis, jobs, turn.cancel)
    if outcome.reply_id is not None:
        send_outbound(outcome.reply_id)  # the sweeper retries it if this fails
    return not outcome.duplicate
