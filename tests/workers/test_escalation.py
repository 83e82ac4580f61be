"""Unacknowledged tips climb the chain when their deadline's wake-up fires (a real RQ timer, one
per second of deadlines; short test SLAs), an OK stops them, the sweeper makes good lost
wake-ups, and duty hours order the chain."""

import math
import time
from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import update

from db.models import Officer, OfficerKind, OutboundMessage, Tip, TipEvent, TipStatus
from db.session import transaction, utcnow
from gateway import create_app
from tests.conftest import make_settings
from tests.helpers import reply_of, rows, run_worker, sms
from workers import runtime
from workers.queues import URGENT, Job, enqueue_quietly, escalation_job
from workers.sweep import retire_old_timers, sweep

SLA = 1.0


@pytest.fixture
def fast(database_url, redis_url, officers):
    """App and worker runtime with one-second acknowledgement deadlines."""
    settings = make_settings(database_url, redis_url, SLA="normal=1s,urgent=1s")
    app = create_app(settings)
    rt = runtime.init(settings)
    yield app.test_client(), settings, rt
    rt.close()
    app.extensions["tinbao"].engine.dispose()
    runtime._current = None


def wait_past_sla(rt) -> None:
    """Let the SLA pass for real (its wake-up is at the whole second after the deadline), then
    let RQ's scheduler and a worker act."""
    time.sleep(SLA + 1.3)
    run_worker(rt.redis, scheduler=True)


def recipients(rt) -> list[int]:
    return [m.officer_id for m in rows(rt.engine, OutboundMessage,
                                       OutboundMessage.purpose == "dispatch")]


def test_an_unanswered_tip_goes_to_the_desk_then_is_marked_overdue(fast):
    client, settings, rt = fast
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy")
    run_worker(rt.redis)
    officer = rows(rt.engine, Officer, Officer.commune_code == 15865)[0]
    [desk] = rows(rt.engine, Officer, Officer.kind == OfficerKind.PROVINCE_DESK)
    assert recipients(rt) == [officer.id]
    assert ScheduledJobRegistry(URGENT, connection=rt.redis).count == 1  # the deadline's wake-up
    wait_past_sla(rt)
    assert recipients(rt) == [officer.id, desk.id]
    wait_past_sla(rt)
    [tip] = rows(rt.engine, Tip)
    assert tip.overdue and tip.status == TipStatus.DISPATCHED and tip.next_check_at is None
    kinds = [e.kind for e in rows(rt.engine, TipEvent)]
    assert kinds.count("escalated") == 2 and kinds[-1] == "overdue"
    reply = reply_of(sms(client, settings, f"OK {tip.reference}", sender=desk.phone))
    assert reply.startswith("Da ghi nhan")
    assert not rows(rt.engine, Tip)[0].overdue  # taken, at last


def test_two_triggers_at_the_end_of_the_chain_mark_the_tip_overdue_once(fast):
    client, settings, rt = fast
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy")
    run_worker(rt.redis)
    wait_past_sla(rt)  # now with the province desk, the last in its chain
    [tip] = rows(rt.engine, Tip)
    # its deadline's wake-up and a sweep that found the wake-up late both took it
    enqueue_quietly(rt.redis, [escalation_job(tip.id, tip.officer_id, True)] * 2)
    run_worker(rt.redis)
    kinds = [e.kind for e in rows(rt.engine, TipEvent)]
    assert kinds.count("escalated") == 2 and kinds.count("overdue") == 1
    assert rows(rt.engine, Tip)[0].escalation_level == 2


def test_an_acknowledgement_stops_the_pending_escalation(fast):
    client, settings, rt = fast
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy")
    run_worker(rt.redis)
    officer = rows(rt.engine, Officer, Officer.commune_code == 15865)[0]
    tip = rows(rt.engine, Tip)[0]
    sms(client, settings, f"OK {tip.reference}", sender=officer.phone)
    wait_past_sla(rt)  # the wake-up fires and finds nothing due
    assert ScheduledJobRegistry(URGENT, connection=rt.redis).count == 0
    assert recipients(rt) == [officer.id]
    assert rows(rt.engine, Tip)[0].status == TipStatus.ACKNOWLEDGED


def test_tips_whose_deadlines_share_a_second_share_one_wake_up(fast):
    client, settings, rt = fast
    for place in ("thon 1", "thon 2", "thon 3", "thon 4"):
        sms(client, settings, f"TIN 15865 co nguoi ban ma tuy o {place}")
    run_worker(rt.redis)
    tips = rows(rt.engine, Tip)
    seconds = {math.ceil(t.next_check_at.timestamp()) for t in tips}
    assert len(tips) == 4 and all(t.status == TipStatus.DISPATCHED for t in tips)
    woken = ScheduledJobRegistry(URGENT, connection=rt.redis).get_job_ids()
    assert sorted(woken) == sorted(f"deadlines-{s}" for s in seconds)  # one per second, no more
    wait_past_sla(rt)
    assert len(recipients(rt)) == 8  # each tip went on to the desk


def test_the_sweeper_repairs_a_lost_timer_from_the_database(fast):
    client, settings, rt = fast
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy")
    run_worker(rt.redis)
    rt.redis.flushdb()  # Redis lost everything, the timer included
    with transaction(rt.engine) as session:
        session.execute(update(Tip).values(next_check_at=utcnow() - timedelta(minutes=5)))
    assert sweep()["escalations"] == 1
    run_worker(rt.redis)
    assert len(recipients(rt)) == 2
    assert sweep()["escalations"] == 0


def test_duty_hours_put_the_officer_on_duty_first(fast):
    client, settings, rt = fast
    local = utcnow() + timedelta(hours=7)
    off = [(local + timedelta(hours=h)).strftime("%H:%M") for h in (2, 3)]
    with transaction(rt.engine) as session:
        session.add(Officer(name="Off duty, first by priority", phone="+447700900901",
                            commune_code=15865, province_code=38, priority=-1,
                            duty_start=off[0], duty_end=off[1], created_at=utcnow()))
    night = rows(rt.engine, Officer, Officer.phone == "+447700900901")[0]
    day = rows(rt.engine, Officer, Officer.commune_code == 15865,
               Officer.phone != "+447700900901")[0]
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy")
    run_worker(rt.redis)
    wait_past_sla(rt)
    assert recipients(rt) == [day.id, night.id]  # the commune's next officer before the desk


def test_the_scheduler_retires_per_tip_timers_left_by_older_code(fast):
    client, settings, rt = fast
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy")
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    registry = ScheduledJobRegistry(URGENT, connection=rt.redis)
    [wake_up] = registry.get_job_ids()
    # as the code before per-second wake-ups scheduled them, one per tip, naming its officer
    old = Job("workers.dispatch.escalate", (tip.id, "sla", tip.officer_id), urgent=True,
              delay=600, job_id=f"escalate-{tip.id}-0-0")
    enqueue_quietly(rt.redis, [old])
    assert sorted(registry.get_job_ids()) == sorted([wake_up, old.job_id])
    assert rt.redis.exists(f"rq:job:{old.job_id}")
    assert retire_old_timers(rt.redis) == 1
    assert registry.get_job_ids() == [wake_up]
    assert not rt.redis.exists(f"rq:job:{old.job_id}")
    assert retire_old_timers(rt.redis) == 0
