"""What follows once a message is sent, per purpose, in the same transaction."""

from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, select

from db import store, timers
from db.models import Reporter, TipStatus, Urgency
from db.outbox import queue_for_reporter
from db.session import Unit
from flows import messages
from workers import runtime
from workers.queues import LOW, escalation_job, send_job

_REPORTER = Reporter.__table__
_REPORTER_BY_ID = select(_REPORTER).where(_REPORTER.c.id == bindparam("id"))


def after_sent(session: Unit, msg: Row, now: datetime) -> list:
    """Apply the consequences of a sent message; returns jobs to enqueue after commit."""
    handler = _HANDLERS.get(msg.purpose)
    return handler(session, msg, now) if handler else []


def _dispatch_sent(session: Unit, msg: Row, now: datetime) -> list:
    """The officer's SMS left: the tip is dispatched; tell the reporter where it went."""
    tip = store.lock_tip(session, msg.tip_id)
    if tip is None or tip.status not in (TipStatus.RECEIVED, TipStatus.DISPATCHED):
        return []
    if tip.officer_id != msg.officer_id:
        return []  # a late send of an earlier route; the tip has moved on
    rt = runtime.get()
    store.add_event(session, tip.id, "dispatched", now, "job:send_outbound",
                    {"outbound_id": msg.id, "level": tip.escalation_level},
                    officer_id=msg.officer_id)
    urgent = tip.urgency == Urgency.URGENT
    sla = rt.settings.sla(tip.category, urgent)
    store.update_tip(session, tip.id, next_check_at=now + timedelta(seconds=sla),
                     status=TipStatus.DISPATCHED, dispatched_at=tip.dispatched_at or now)
    jobs = [escalation_job(tip.id, msg.officer_id, urgent, sla, timers.escalation_id(tip))]
    first = tip.status == TipStatus.RECEIVED
    if first and rt.settings.notify_dispatched:
        jobs += _notify_reporter(session, rt, tip, now)
    return jobs


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
