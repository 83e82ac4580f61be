"""Twilio's API answering 500 and 429 in bursts: retries with backoff, a visible failed state
with a retry action, and no job lost; status callbacks repeated and out of order.

The real worker code sends through the real `twilio` client to the fake API, which counts
every officer SMS it accepted per tip reference. The clock is moved by ageing the rows'
deadlines (`_later`), never by sleeping.
"""

import itertools
import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import OutboundMessage, OutboundStatus, Tip, TipStatus
from db.session import transaction, utcnow
from tests.fake_twilio import twilio_error
from tests.helpers import post_twilio, reply_of, rows, run_worker, sms
from tests.privacy import REPORTERS
from tests.summary import record
from workers.send import MAX_ATTEMPTS
from workers.sweep import sweep

REFERENCE = re.compile(r"^TIN BAO (\d{6})")
ERROR_500 = twilio_error(500, 20500, "Internal Server Error")
ERROR_429 = twilio_error(429, 20429, "Too Many Requests")


def _later(rt) -> None:
    """Time passes: every backoff and sweeper deadline is due; the sweeper runs, then a worker."""
    past = utcnow() - timedelta(hours=1)
    with transaction(rt.engine) as session:
        for msg in session.execute(select(OutboundMessage).where(
                OutboundMessage.status == OutboundStatus.QUEUED)).scalars():
            msg.next_attempt_at, msg.created_at = past, past
        for tip in session.execute(select(Tip).where(Tip.status == TipStatus.RECEIVED)).scalars():
            tip.next_check_at = past
    sweep()
    run_worker(rt.redis)


def accepted_dispatches(fake_twilio) -> Counter:
    """Officer SMS the API accepted (201), per tip reference."""
    return Counter(REFERENCE.match(r["form"]["Body"]).group(1) for r in fake_twilio.requests
                   if r["status"] == 201 and REFERENCE.match(r["form"].get("Body", "")))


def test_bursts_of_500_and_429_delay_every_tip_and_lose_none(client, settings, twilio_rt,
                                                             fake_twilio):
    bursts = ([ERROR_500] * 7 + [(201, None)] * 3 + [ERROR_429] * 5 + [(201, None)] * 2) * 6
    fake_twilio.answer(*bursts)
    references = []
    for n in range(40):
        reply = reply_of(sms(client, settings, f"TIN 15865 trom xe may lan {n}",
                             sender=REPORTERS[n % len(REPORTERS)]))
        references.append(reply.split()[4].rstrip(","))
    run_worker(twilio_rt.redis)
    rounds = 0
    while rounds < 10 and any(t.status == TipStatus.RECEIVED for t in rows(twilio_rt.engine, Tip)):
        _later(twilio_rt)
        rounds += 1
    tips = rows(twilio_rt.engine, Tip)
    assert sorted(t.reference for t in tips) == sorted(references)
    assert all(t.status == TipStatus.DISPATCHED for t in tips), rounds
    sent = accepted_dispatches(fake_twilio)
    assert set(sent) == set(references) and max(sent.values()) == 1  # one SMS each, no repeat
    errors = sum(r["status"] != 201 for r in fake_twilio.requests)
    assert errors == sum(1 for status, _ in bursts if status != 201)
    retried = [m for m in rows(twilio_rt.engine, OutboundMessage) if m.attempts > 1]
    assert retried and all(m.last_error for m in retried)  # the backoff path really ran
    record("faults_injected", errors)
    record("tips_sent", len(references))
    record("tips_lost", len(set(references) - set(sent)))
    record("duplicate_sms", sum(v - 1 for v in sent.values()))


def test_an_api_down_for_good_ends_failed_then_reroutes_and_the_retry_action_resends(
        client, settings, twilio_rt, fake_twilio, runner):
    fake_twilio.answer(*[ERROR_500] * 3 * MAX_ATTEMPTS)  # 3 tries inside each attempt
    reference = reply_of(sms(client, settings, "TIN 15865 trom bo")).split()[4].rstrip(",")
    run_worker(twilio_rt.redis)
    for _ in range(MAX_ATTEMPTS):
        _later(twilio_rt)
    first, second = sorted((m for m in rows(twilio_rt.engine, OutboundMessage)
                            if m.purpose == "dispatch"), key=lambda m: m.id)
    assert first.status == OutboundStatus.FAILED and first.attempts == MAX_ATTEMPTS
    assert first.last_error == "twilio http 500 code 20500"
    assert second.status == OutboundStatus.SENT and second.officer_id != first.officer_id
    [tip] = rows(twilio_rt.engine, Tip)
    assert tip.status == TipStatus.DISPATCHED and tip.escalation_level == 1
    result = runner.invoke(args=["retry", str(first.id)])
    assert result.exit_code == 0 and result.output.endswith(f"message {first.id} queued again\n")
    run_worker(twilio_rt.redis)
    resent = next(m for m in rows(twilio_rt.engine, OutboundMessage) if m.id == first.id)
    assert resent.status == OutboundStatus.SENT and resent.attempts == 1
    assert accepted_dispatches(fake_twilio)[reference] == 2  # one per officer, each once
    assert runner.invoke(args=["retry", str(first.id)]).exit_code == 1  # sent: nothing to retry
    record("faults_injected", 3 * MAX_ATTEMPTS)
    record("tips_sent")


def test_a_failed_dispatch_reroutes_from_the_sweeper_when_redis_lost_the_job(
        client, settings, twilio_rt, fake_twilio):
    fake_twilio.answer(twilio_error(400, 21211, "The 'To' number is not a valid phone number."))
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(twilio_rt.redis)
    twilio_rt.redis.flushdb()  # the re-route job is gone with Redis
    with transaction(twilio_rt.engine) as session:  # as before the re-route: failed, received
        for msg in session.execute(select(OutboundMessage)).scalars():
            if msg.status != OutboundStatus.FAILED:
                session.delete(msg)
            else:
                failed = msg.officer_id
        tip = session.execute(select(Tip)).scalar_one()
        tip.status, tip.escalation_level, tip.dispatched_at = TipStatus.RECEIVED, 0, None
        tip.officer_id = failed
    _later(twilio_rt)
    [tip] = rows(twilio_rt.engine, Tip)
    assert tip.status == TipStatus.DISPATCHED and tip.escalation_level == 1
    record("faults_injected")


STATUS_SEQUENCES = sorted(set(itertools.permutations(
    ["queued", "sent", "delivered", "delivered"]))) + sorted(set(itertools.permutations(
        ["sent", "undelivered", "undelivered", "failed"])))[::2]


@pytest.mark.parametrize("sequence", STATUS_SEQUENCES, ids="-".join)
def test_status_callbacks_repeated_and_out_of_order_settle_forward_only(client, settings, rt,
                                                                        sequence):
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(rt.redis)
    [dispatch] = [m for m in rows(rt.engine, OutboundMessage) if m.purpose == "dispatch"]
    for status in sequence:
        form = {"MessageSid": dispatch.provider_id, "MessageStatus": status,
                "AccountSid": settings.twilio_account_sid}
        assert post_twilio(client, "/webhooks/twilio/status", form,
                           settings.twilio_auth_token).status_code == 204
    run_worker(rt.redis)
    [after] = [m for m in rows(rt.engine, OutboundMessage) if m.id == dispatch.id]
    terminal = next(s for s in sequence if s in ("delivered", "undelivered", "failed"))
    assert after.status.value == terminal  # the first final word stands
    reroutes = [m for m in rows(rt.engine, OutboundMessage) if m.purpose == "dispatch"]
    assert len(reroutes) == (1 if terminal == "delivered" else 2)  # re-routed once at most
    record("faults_injected", len(sequence) - 1)
