"""What follows once a message is sent, per purpose, in the same transaction."""

import math
import time
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Row, Update, bindparam, case, func, select, update

from db import store
from db.models import Reporter, Tip, TipStatus, Urgency
from db.outbox import queue_for_reporter
from db.session import Unit
from flows import messages
from workers import runtime
from workers.queues import LOW, Job, deadlines_job, send_job

WAKEUPS_KEPT = 4096  # seconds remembered per process (more than any SLA's spread of seconds)
_REPORTER = Reporter.__table__
_REPORTER_BY_ID = select(_REPORTER).where(_REPORTER.c.id == bindparam("id"))
_TIP = Tip.__table__.c
# What the follow-ups read of the tip marked dispatched (its deadline, the reporter's notice).
_RETURNED = (_TIP.id, _TIP.reference, _TIP.escalation_level, _TIP.next_check_at,
             _TIP.reporter_id, _TIP.commune_code, _TIP.province_code, _TIP.language)


@cache
def _mark_dispatched(was: TipStatus, categories: tuple[str, ...]) -> Update:
    """Mark a tip in status `was` dispatched, if it is still with the officer (`officer`), and
    return it: one statement where a locking read and an update were (it waits for the tip's
    lock as that read did, and PostgreSQL checks the conditions again on the row it then sees).
    Its acknowledgement deadline is chosen by its category and urgency (`Settings.sla`): one
    bound time per category with a deadline of its own (`categories`), then urgent, normal."""
    when = _TIP.next_check_at.type
    deadline = case(*[(_TIP.category == code, bindparam(f"due_{code}", type_=when))
                      for code in categories],
                    (_TIP.urgency == Urgency.URGENT, bindparam("due_urgent", type_=when)),
                    else_=bindparam("due_normal", type_=when))
    return (update(Tip.__table__)
            .where(_TIP.id == bindparam("tip_id"), _TIP.status == was,
                   _TIP.officer_id == bindparam("officer"))
            .values(status=TipStatus.DISPATCHED, next_check_at=deadline,
                    dispatched_at=func.coalesce(_TIP.dispatched_at,
                                                bindparam("now", type_=_TIP.dispatched_at.type)))
            .returning(*_RETURNED))


def after_sent(session: Unit, msg: Row, now: datetime) -> list:
    """Apply the consequences of a sent message; returns jobs to enqueue after commit."""
    handler = _HANDLERS.get(msg.purpose)
    return handler(session, msg, now) if handler else []


def _dispatch_sent(session: Unit, msg: Row, now: datetime) -> list:
    """The officer's SMS left: the tip is dispatched; tell the reporter where it went."""
    rt = runtime.get()
    sla = rt.settings.sla_seconds
    categories = tuple(sorted(c for c, s in sla.items() if s and c not in ("urgent", "normal")))
    values = {"tip_id": msg.tip_id, "officer": msg.officer_id, "now": now,
              "due_urgent": now + timedelta(seconds=rt.settings.sla("", True)),
              "due_normal": now + timedelta(seconds=rt.settings.sla("", False)),
              **{f"due_{c}": now + timedelta(seconds=sla[c]) for c in categories}}
    tip = session.execute(_mark_dispatched(TipStatus.RECEIVED, categories), values).one_or_none()
    first = tip is not None
    if tip is None:  # sent again after an escalation, or not this officer's any more
        tip = session.execute(_mark_dispatched(TipStatus.DISPATCHED, categories),
                              values).one_or_none()
    if tip is None:
        return []  # settled, or a late send of an earlier route: the tip has moved on
    store.add_event(session, tip.id, "dispatched", now, "job:send_outbound",
                    {"outbound_id": msg.id, "level": tip.escalation_level},
                    officer_id=msg.officer_id)
    jobs = _wake_up(rt, tip.next_check_at.timestamp())  # the deadline the update chose
    if first and rt.settings.notify_dispatched:
        jobs += _notify_reporter(session, rt, tip, now)
    return jobs


def _wake_up(rt, deadline: float) -> list[Job]:
    """The wake-up for the second that holds `deadline` (Unix time; escalations happen when it
    has passed, not before), unless this process has set that second's already: a worker
    dispatching 80 tips a second sets about one wake-up a second, not 80 timers. Another
    process setting the same second sets the same job (one id); a wake-up lost with Redis is
    made good by the sweeper, which escalates tips past their deadline."""
    second = math.ceil(deadline)
    if second in rt.wakeups:
        return []
    rt.wakeups[second] = None
    if len(rt.wakeups) > WAKEUPS_KEPT:
        del rt.wakeups[next(iter(rt.wakeups))]
    return [deadlines_job(second, second - time.time())]


def _notify_reporter(session: Unit, rt, tip: Row, now: datetime) -> list:
    """Tell the reporter where their tip went (once)."""
    reporter = (session.execute(_REPORTER_BY_ID, {"id": tip.reporter_id}).one_or_none()
                if tip.reporter_id else None)
    if reporter is None:
        return []
    where = messages.place(rt.directory, tip.commune_code, tip.province_code)
    body = messages.notify_dispatched(tip.reference, where, tip.language)
    notice = queue_for_reporter(session, reporter, body, "notify_dispatched",
                                f"notify-dispatched-{tip.id}", now, rt.keyring, tip_id=tip.id)
    # Behind every dispatch waiting: under a burst, officers hear of tips first.
    return [send_job(notice.id, queue=LOW)] if notice else []


_HANDLERS = {"dispatch": _dispatch_sent}
