"""The periodic sweeper: the database says what is overdue, and the sweeper re-enqueues it."""

import contextlib
import logging
from datetime import UTC, datetime, timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.registry import ScheduledJobRegistry
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from db import conversations, inbox, store
from db.models import (
    FlowSession,
    OutboundMessage,
    OutboundStatus,
    Reporter,
    Tip,
    TipStatus,
    Urgency,
)
from db.session import Session, reading, transaction, utcnow
from workers import runtime
from workers.dispatch import stuck_tips, unacknowledged
from workers.queues import (
    QUEUES,
    Job,
    dispatch_job,
    enqueue_quietly,
    escalation_job,
    send_job,
    wake_inbox,
)

log = logging.getLogger(__name__)
RECHECK = timedelta(seconds=60)
INTERRUPTED = timedelta(minutes=5)
OPEN = (TipStatus.RECEIVED, TipStatus.DISPATCHED, TipStatus.ACKNOWLEDGED)


def sweep() -> dict[str, int]:
    """Job: re-enqueue stuck work, file abandoned conversations, purge old reply addresses."""
    rt = runtime.get()
    counts = {"inbox": 0, "tips": 0, "escalations": 0, "outbound": 0, "expired": 0,
              "purged": 0}
    counts["inbox"] = _wake_waiting_lanes(rt)
    jobs = _stuck_work(rt, counts)
    jobs += _expire_sessions(rt, counts)
    counts["purged"] = purge_reply_addresses(rt)
    if jobs:
        enqueue_quietly(rt.redis, jobs)
    if any(counts.values()):
        log.info("sweep: %s", counts)
    return counts


def _wake_waiting_lanes(rt) -> int:
    """Wake the inbox lanes whose messages wait too long and have no drain queued or running:
    theirs was never queued (Redis down when they came) or was lost (a worker killed; its wake
    key expires). A lane whose drain is only late, behind a backlog, is left to it."""
    with reading(rt.engine) as session:
        lanes = inbox.due_lanes(session, utcnow(),
                                timedelta(seconds=rt.settings.sweep_grace_seconds))
    return sum(wake_inbox(rt.redis, lane) for lane in lanes)


def _stuck_work(rt, counts: dict[str, int]) -> list:
    now = utcnow()
    grace = timedelta(seconds=rt.settings.sweep_grace_seconds)
    jobs = []
    with transaction(rt.engine) as session:
        for tip in stuck_tips(session, now):
            tip.next_check_at = now + RECHECK
            jobs.append(dispatch_job(tip.id, tip.urgency == Urgency.URGENT))
        jobs += _escalations(session, now, now - grace)  # their wake-up was lost
        due = session.execute(
            select(OutboundMessage).where(
                or_(
                    and_(OutboundMessage.status == OutboundStatus.QUEUED,
                         OutboundMessage.next_attempt_at.is_(None),
                         OutboundMessage.created_at <= now - grace),
                    and_(OutboundMessage.status == OutboundStatus.QUEUED,
                         OutboundMessage.next_attempt_at <= now - grace),
                    and_(OutboundMessage.status == OutboundStatus.SENDING,
                         OutboundMessage.updated_at <= now - INTERRUPTED),
                )
            ).limit(500).with_for_update(skip_locked=True)
        ).scalars().all()
        for msg in due:
            msg.next_attempt_at = now + RECHECK
            jobs.append(send_job(msg.id))
    counts["tips"] = sum(1 for j in jobs if j.func.endswith("dispatch_tip"))
    counts["escalations"] = sum(1 for j in jobs if j.func.endswith("escalate"))
    counts["outbound"] = len(jobs) - counts["tips"] - counts["escalations"]
    return jobs


def escalate_due(second: int) -> int:
    """Job (a deadline wake-up, set by workers.handoff): escalate every tip whose
    acknowledgement deadline passed by Unix time `second`; returns how many. A tip acknowledged
    or settled meanwhile is not due any more, so it is left alone."""
    rt = runtime.get()
    now = utcnow()
    due = max(now, datetime.fromtimestamp(second, UTC))  # a clock a little behind the setter's
    with transaction(rt.engine) as session:
        jobs = _escalations(session, now, due)
    enqueue_quietly(rt.redis, jobs)
    return len(jobs)


def _escalations(session: Session, now: datetime, due: datetime) -> list[Job]:
    """Escalation jobs for the dispatched tips whose deadline passed by `due`, each checked
    again only RECHECK from now (its escalation will have given it a new deadline by then)."""
    jobs = []
    for tip in unacknowledged(session, due):
        tip.next_check_at = now + RECHECK
        jobs.append(escalation_job(tip.id, tip.officer_id, tip.urgency == Urgency.URGENT))
    return jobs


def _expire_sessions(rt, counts: dict[str, int]) -> list:
    now = utcnow()
    with transaction(rt.engine) as session:
        keys = session.execute(
            select(FlowSession.key).where(FlowSession.expires_at <= now).limit(200)
        ).scalars().all()
    jobs = []
    for key in keys:
        with transaction(rt.engine) as session:
            row = store.load_flow(session, key)
            if row is None or row.expires_at > now:
                continue  # answered meanwhile, or already filed by another sweep
            turn = conversations.expire(session, rt.env, row, now)
        counts["expired"] += 1
        jobs += [dispatch_job(t.id, t.urgency == Urgency.URGENT) for t in turn.tips]
        jobs += [send_job(i) for i in turn.outbound_ids]
    return jobs


def retire_old_timers(redis) -> int:
    """Cancel the per-tip escalation timers (`escalate-<tip>-<round>-<level>`) left by code
    before the per-second wake-ups; returns how many. The scheduler runs this once at start.

    Such a timer names its tip's officer, so a tip later handed back to that same officer would
    be escalated before its new deadline. Its deadline is still in the database: the sweep
    escalates the tip when it is due, at most SWEEP_GRACE_SECONDS late.
    """
    retired = 0
    for name in QUEUES:
        registry = ScheduledJobRegistry(name, connection=redis)
        for job_id in registry.get_job_ids():
            if job_id.startswith("escalate-"):
                registry.remove(job_id)
                with contextlib.suppress(NoSuchJobError):
                    RQJob.fetch(job_id, connection=redis).delete()
                retired += 1
    if retired:
        log.info("retired %d per-tip escalation timers", retired)
    return retired


def purge_reply_addresses(rt) -> int:
    """Forget reply addresses past their expiry once the reporter has no open tip (a tip
    joined to another's case is open while that case is: its outcome is still to be told)."""
    now = utcnow()
    open_tip = exists().where(Tip.reporter_id == Reporter.id, Tip.status.in_(OPEN))
    case = aliased(Tip)
    open_case = exists().where(Tip.reporter_id == Reporter.id, Tip.duplicate_of_id == case.id,
                               case.status.in_(OPEN))
    with transaction(rt.engine) as session:
        result = session.execute(
            update(Reporter)
            .where(Reporter.reply_address.is_not(None), Reporter.reply_expires_at <= now,
                   ~open_tip, ~open_case)
            .values(reply_address=None, reply_expires_at=None)
            .execution_options(synchronize_session=False)
        )
    return result.rowcount or 0
