"""Taking one inbound message on the web: store it and answer now (db.inbound), or keep it in
the inbox for a worker to answer by SMS (SMS_REPLY=queued, db.inbox)."""

from dataclasses import dataclass, field

from db import inbox
from db.inbound import MAX_BODY, InboundText, Render, receive
from flows.text import clean
from gateway.services import Services
from workers.queues import Job, enqueue_quietly, jobs_for, wake_inbox

__all__ = ["MAX_BODY", "InboundText", "Received", "jobs_for", "keep_sms", "receive_text",
           "take_sms"]


@dataclass
class Received:
    """The reply to give, and the jobs to enqueue once the transaction is committed."""

    reply: str
    duplicate: bool = False
    jobs: list[Job] = field(default_factory=list)
    tip_references: list[str] = field(default_factory=list)
    lane: int | None = None  # the inbox lane of a kept message, to wake

    def after_commit(self, redis) -> None:
        """Enqueue the work; call once the answer is on its way."""
        if self.jobs:
            enqueue_quietly(redis, self.jobs)
        if self.lane is not None:
            wake_inbox(redis, self.lane)


def receive_text(svc: Services, msg: InboundText, render: Render | None = None) -> Received:
    """Store the message, advance the sender's conversation and file any tip, atomically;
    the reply is the webhook's answer."""
    outcome = receive(svc, msg, render)
    turn = outcome.turn
    return Received(outcome.reply, outcome.duplicate, jobs_for(turn),
                    [t.reference for t in turn.tips])


def take_sms(svc: Services, msg: InboundText) -> Received:
    """What an SMS webhook does with a message: receive it now (its reply is the answer), or
    with SMS_REPLY=queued keep it for a worker and answer with no text."""
    return (keep_sms if svc.settings.sms_reply == "queued" else receive_text)(svc, msg)


def keep_sms(svc: Services, msg: InboundText) -> Received:
    """Keep an SMS in the inbox (committed before this returns) for a worker to take into its
    conversation and answer by SMS; a repeated delivery is kept once and queued once."""
    lane = inbox.keep(svc.engine, svc.keyring, provider_id=msg.provider_id, sender=msg.sender,
                      receiver=clean(msg.receiver), body=clean(msg.body)[:MAX_BODY],
                      reply_provider=msg.reply_provider or "")
    return Received("", duplicate=lane is None, lane=lane)
