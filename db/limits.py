"""Inbound abuse limits, checked in the inbound transaction before a message reaches the flow.

The counters are the stored messages themselves (bounded index scans), not Redis: a dead Redis
neither blocks tips nor lifts the limits. A limited message is still kept (InboundMessage with
`limited` set), it is just not taken into a conversation.
"""

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from db import conversations, store
from db.models import InboundMessage, Reporter
from db.turns import Env, Turn
from flows import Channel, Prompt, Step, render_all
from flows.text import fold

FLOOD, DUPLICATE, BLOCKED, BUSY, TOO_LONG = "flood", "duplicate", "blocked", "busy", "too_long"


def check(session: Session, env: Env, *, channel: Channel, key: str, reporter: Reporter,
          body: str, now: datetime, phone: bool = True) -> Turn | None:
    """A Turn answering a message that must not be processed (its `limited` says why), or None.

    Order: a blocked sender, the global rate, the sender's rate, a duplicate of the sender's
    last SMS within seconds, a conversation over its length limit. Senders without a phone
    number (withheld callers share one pseudonym) are not rate-limited one by one.
    """
    turn = _check(session, env, channel, key, reporter, body, now, phone)
    if turn is not None:
        turn.answer = body  # kept as it came (a USSD hop: the whole cumulative input)
    return turn


def _check(session: Session, env: Env, channel: Channel, key: str, reporter: Reporter,
           body: str, now: datetime, phone: bool) -> Turn | None:
    settings = env.settings
    language = reporter.language
    if reporter.blocked:
        return _final(BLOCKED, channel, language, Prompt("limit_unavailable"), silent_sms=True)
    count, period = settings.global_limit
    if count and _recent(session, now - timedelta(seconds=period), count) >= count:
        return _final(BUSY, channel, language, Prompt("limit_busy"))
    count, period = settings.reporter_limit
    if count and phone:
        seen = _recent(session, now - timedelta(seconds=period), count + 1, reporter.id)
        if seen >= count:
            minutes = max(1, math.ceil(period / 60))
            return _final(FLOOD, channel, language, Prompt("limit_flood", {"minutes": minutes}),
                          silent_sms=seen > count)  # the polite reply goes once per window
    if phone and channel is Channel.SMS and _duplicate(session, env, reporter, body, now):
        return _final(DUPLICATE, channel, language, None, silent_sms=True)
    return _too_long(session, env, channel, key, reporter, now)


def digest(body: str) -> str:
    """What two deliveries of the same text have in common (case, accents, spaces ignored)."""
    return hashlib.sha256(" ".join(fold(body).split()).encode()).hexdigest()


def _recent(session: Session, since: datetime, cap: int, reporter_id: int | None = None) -> int:
    """Messages received since `since` (of one reporter, or all), counted up to `cap`."""
    query = select(InboundMessage.id).where(InboundMessage.received_at > since)
    if reporter_id is not None:
        query = query.where(InboundMessage.reporter_id == reporter_id)
    return session.execute(select(func.count()).select_from(query.limit(cap).subquery())
                           ).scalar_one()


def _duplicate(session: Session, env: Env, reporter: Reporter, body: str, now: datetime) -> bool:
    """Whether the reporter's last SMS taken, within DUPLICATE_SECONDS, had the same text."""
    seconds = env.settings.duplicate_seconds
    if seconds <= 0:
        return False
    last = session.execute(
        select(InboundMessage.body).where(
            InboundMessage.reporter_id == reporter.id, InboundMessage.channel == "sms",
            InboundMessage.limited.is_(None),  # merged only into a message that was taken
            InboundMessage.received_at > now - timedelta(seconds=seconds))
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(1)
    ).scalar_one_or_none()
    return last is not None and digest(last) == digest(body)


def _too_long(session: Session, env: Env, channel: Channel, key: str, reporter: Reporter,
              now: datetime) -> Turn | None:
    """A conversation past SESSION_MAX_STEPS is ended as if it had timed out: what it holds is
    filed (the reference follows by SMS), and this message is kept but not taken."""
    limit = env.settings.session_max_steps
    row = store.load_flow(session, key) if limit else None
    if row is None or row.turns < limit or row.expires_at <= now:
        return None
    expired = conversations.expire(session, env, row, now, reporter)
    prompts = (Prompt("limit_too_long"),)
    if channel is not Channel.SMS and expired.step is not None and expired.tips:
        prompts = expired.step.prompts  # the receipt on the last screen / said on the call
    turn = _final(TOO_LONG, channel, reporter.language, None)
    turn.step = Step(None, prompts, language=reporter.language)
    turn.reply = _text(prompts, reporter.language, channel)
    turn.tips, turn.outbound_ids = expired.tips, expired.outbound_ids
    return turn


def _final(kind: str, channel: Channel, language: str, prompt: Prompt | None,
           silent_sms: bool = False) -> Turn:
    """A Turn that ends the exchange with one prompt (or, by SMS, possibly nothing)."""
    prompts = () if prompt is None or (silent_sms and channel is Channel.SMS) else (prompt,)
    if not prompts and channel is not Channel.SMS:  # a USSD screen or a call needs words
        prompts = (Prompt("limit_unavailable" if kind == BLOCKED else "limit_busy"),)
    step = Step(None, prompts, language=language)
    return Turn(reply=_text(prompts, language, channel), step=step, limited=kind)


def _text(prompts: tuple[Prompt, ...], language: str, channel: Channel) -> str:
    return render_all(prompts, language, channel.value)
