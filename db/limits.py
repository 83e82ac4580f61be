"""Inbound abuse limits, checked in the inbound transaction before a message reaches the flow.

The counters are the stored messages themselves (bounded index scans), not Redis: a dead Redis
neither blocks tips nor lifts the limits. The sender's own counts cost one query per message;
the global count is taken at most once a second per process (Gate). A limited message is still
kept (InboundMessage with `limited` set), it is just not taken into a conversation.
"""

import functools
import hashlib
import math
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import Integer, bindparam, func, literal, select
from sqlmodel import Session

from db.models import InboundMessage, Reporter
from db.turns import Env, Turn
from flows import Channel, Prompt, Step, render_all
from flows.text import fold

FLOOD, DUPLICATE, BLOCKED, BUSY, TOO_LONG = "flood", "duplicate", "blocked", "busy", "too_long"


class Gate:
    """Whether the whole line is over its global rate. The stored messages are counted at most
    every `every` seconds per process; in between, each message this process checks adds one
    to that count (other processes' messages show at the next count)."""

    def __init__(self, every: float = 1.0) -> None:
        self.every = every
        self._counted_at = -math.inf
        self._count = 0
        self._lock = threading.Lock()

    def busy(self, session: Session, now: datetime, limit: tuple[int, float]) -> bool:
        """Over the limit (count, period): that many messages already in the period."""
        count, period = limit
        if not count:
            return False
        with self._lock:
            if time.monotonic() - self._counted_at >= self.every:
                self._count = _count(session, now - timedelta(seconds=period), count)
                self._counted_at = time.monotonic()
            else:
                self._count += 1  # the message checked before this one, stored by now
            return self._count >= count


def check(session: Session, env: Env, *, channel: Channel, reporter: Reporter, body: str,
          now: datetime, phone: bool = True) -> Turn | None:
    """A Turn answering a message that must not be processed (its `limited` says why), or None.

    Order: a blocked sender, the global rate, the sender's rate, a duplicate of the sender's
    last SMS within seconds (the conversation's length is checked where it is loaded, in
    conversations.take_turn). Senders without a phone number (withheld callers share one
    pseudonym) are not rate-limited one by one.
    """
    turn = _check(session, env, channel, reporter, body, now, phone)
    if turn is not None:
        turn.answer = body  # kept as it came (a USSD hop: the whole cumulative input)
    return turn


def _check(session: Session, env: Env, channel: Channel, reporter: Reporter, body: str,
           now: datetime, phone: bool) -> Turn | None:
    settings = env.settings
    language = reporter.language
    if reporter.blocked:
        return _final(BLOCKED, channel, language, Prompt("limit_unavailable"), silent_sms=True)
    if (env.gate or Gate()).busy(session, now, settings.global_limit):
        return _final(BUSY, channel, language, Prompt("limit_busy"))
    count, period = settings.reporter_limit if phone else (0, 0.0)
    same = settings.duplicate_seconds if phone and channel is Channel.SMS else 0
    if not count and not same:
        return None
    seen, last = _history(session, reporter.id, now, count, period, same)
    if count and seen >= count:
        minutes = max(1, math.ceil(period / 60))
        return _final(FLOOD, channel, language, Prompt("limit_flood", {"minutes": minutes}),
                      silent_sms=seen > count)  # the polite reply goes once per window
    if last is not None and digest(last) == digest(body):
        return _final(DUPLICATE, channel, language, None, silent_sms=True)
    return None


def digest(body: str) -> str:
    """What two deliveries of the same text have in common (case, accents, spaces ignored)."""
    return hashlib.sha256(" ".join(fold(body).split()).encode()).hexdigest()


def _count(session: Session, since: datetime, cap: int) -> int:
    """All messages received since `since`, counted up to `cap` (a bounded index scan)."""
    recent = select(InboundMessage.id).where(InboundMessage.received_at > since).limit(cap)
    return session.execute(select(func.count()).select_from(recent.subquery())).scalar_one()


def _history(session: Session, reporter_id: int, now: datetime, count: int, period: float,
             same: int) -> tuple[int, str | None]:
    """In one query: the reporter's messages in the rate period (up to count + 1), and the text
    of their last SMS taken within `same` seconds (merged only into a message that was taken)."""
    found = session.execute(_history_query(bool(count), bool(same)), {
        "reporter": reporter_id, "cap": count + 1,
        "since": now - timedelta(seconds=period), "recent": now - timedelta(seconds=same),
    }).one()
    return found[0], found[1]


@functools.cache
def _history_query(rate: bool, same: bool):
    """The statement of _history, built once per shape (SQLAlchemy reuses its compiled form)."""
    mine = InboundMessage.reporter_id == bindparam("reporter")
    seen = (select(func.count()).select_from(
        select(InboundMessage.id).where(mine, InboundMessage.received_at > bindparam("since"))
        .limit(bindparam("cap", type_=Integer)).subquery()).scalar_subquery()
        if rate else literal(0))
    last = (select(InboundMessage.body).where(
        mine, InboundMessage.channel == "sms", InboundMessage.limited.is_(None),
        InboundMessage.received_at > bindparam("recent"))
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(1)
        .scalar_subquery() if same else literal(None))
    return select(seen, last)


def ended(channel: Channel, language: str, expired: Turn) -> Turn:
    """The answer to a message that hit SESSION_MAX_STEPS: its conversation was filed as on a
    timeout (`expired`); this message is kept but not taken."""
    prompts = (Prompt("limit_too_long"),)
    if channel is not Channel.SMS and expired.step is not None and expired.tips:
        prompts = expired.step.prompts  # the receipt on the last screen / said on the call
    turn = _final(TOO_LONG, channel, language, None)
    turn.step = Step(None, prompts, language=language)
    turn.reply = _text(prompts, language, channel)
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
