"""Sending through Twilio from the worker: retries with backoff, then a visible failed state."""

from rq.registry import ScheduledJobRegistry

from db.delivery import record_outbound
from db.models import OutboundMessage, OutboundStatus, RecipientKind, Tip, TipStatus
from db.session import transaction, utcnow
from tests.fake_twilio import twilio_error
from tests.helpers import rows, run_worker, sms
from workers.send import MAX_ATTEMPTS, send_outbound


def officer_message(rt) -> OutboundMessage:
    return next(m for m in rows(rt.engine, OutboundMessage)
                if m.recipient_kind == RecipientKind.OFFICER)


def test_the_dispatch_goes_out_through_twilio(client, settings, twilio_rt, fake_twilio):
    sms(client, settings, "TIN 15865 trom bo o thon 3")
    run_worker(twilio_rt.redis)
    dispatch, notice = fake_twilio.requests
    msg = officer_message(twilio_rt)
    assert dispatch["form"]["To"] == twilio_rt.keyring.unseal(msg.address)
    assert dispatch["form"]["Body"] == msg.body and msg.provider_id.startswith("SM")
    assert notice["form"]["Body"].startswith("Tin bao ")
    assert rows(twilio_rt.engine, Tip)[0].status == TipStatus.DISPATCHED


def test_a_delivery_report_that_beats_the_workers_record_of_the_send_is_kept(
        client, settings, twilio_rt, fake_twilio, monkeypatch):
    """A fast SMSC reports "delivered" (by our own message id, as Kannel's dlr-url does) while
    the provider call is still being answered: recording the send must not undo it."""
    sms(client, settings, "TIN 15865 trom bo o thon 3")
    answer = fake_twilio._answer

    def report_first(path, form, auth):
        if not fake_twilio.requests:  # the officer's dispatch
            with transaction(twilio_rt.engine) as session:
                record_outbound(session, officer_message(twilio_rt).id, OutboundStatus.DELIVERED,
                                utcnow())
        return answer(path, form, auth)

    monkeypatch.setattr(fake_twilio, "_answer", report_first)
    run_worker(twilio_rt.redis)
    dispatch = officer_message(twilio_rt)
    assert dispatch.status == OutboundStatus.DELIVERED and dispatch.provider_id.startswith("SM")
    assert dispatch.sent_at is not None and dispatch.address  # an officer's address is kept
    [notice] = [m for m in rows(twilio_rt.engine, OutboundMessage)
                if m.recipient_kind == RecipientKind.REPORTER]
    assert notice.status == OutboundStatus.SENT and notice.attempts == 1
    assert notice.address == "" and notice.sealed_body is None  # dropped once sent
    assert rows(twilio_rt.engine, Tip)[0].status == TipStatus.DISPATCHED


def test_a_429_then_201_is_absorbed_by_the_provider(client, settings, twilio_rt, fake_twilio):
    fake_twilio.answer(twilio_error(429, 20429, "Too Many Requests"), (201, None))
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(twilio_rt.redis)
    msg = officer_message(twilio_rt)
    assert msg.status == OutboundStatus.SENT and msg.attempts == 1


def test_an_outage_schedules_retries_and_ends_failed_after_the_last(client, settings, twilio_rt,
                                                                    fake_twilio):
    fake_twilio.answer(*[twilio_error(500, 20500, "Internal Server Error")] * 3)
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(twilio_rt.redis)
    msg = officer_message(twilio_rt)
    assert msg.status == OutboundStatus.QUEUED and msg.attempts == 1
    assert msg.next_attempt_at > msg.updated_at.replace(microsecond=0)
    assert "twilio http 500" in msg.last_error
    assert ScheduledJobRegistry("default", connection=twilio_rt.redis).count == 1
    assert rows(twilio_rt.engine, Tip)[0].status == TipStatus.RECEIVED
    fake_twilio.answer(*[twilio_error(500, 20500, "x")] * 3 * MAX_ATTEMPTS)
    results = [send_outbound(msg.id) for _ in range(MAX_ATTEMPTS)]
    assert results[-2:] == ["failed", "skipped"]
    msg = officer_message(twilio_rt)
    assert msg.status == OutboundStatus.FAILED and msg.attempts == MAX_ATTEMPTS


def test_a_permanent_error_fails_at_once_without_retry(client, settings, twilio_rt, fake_twilio):
    fake_twilio.answer(twilio_error(400, 21211, "The 'To' number is not a valid phone number."))
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(twilio_rt.redis)
    msg = officer_message(twilio_rt)
    assert msg.status == OutboundStatus.FAILED and msg.attempts == 1
    assert msg.last_error == "twilio http 400 code 21211"
    to_first = [r for r in fake_twilio.requests
                if r["form"]["To"] == twilio_rt.keyring.unseal(msg.address)]
    assert len(to_first) == 1  # not retried...
    dispatches = [m for m in rows(twilio_rt.engine, OutboundMessage) if m.purpose == "dispatch"]
    assert [m.status for m in dispatches] == [OutboundStatus.FAILED, OutboundStatus.SENT]
    assert dispatches[1].officer_id != msg.officer_id  # ...the tip went to the next officer
    assert rows(twilio_rt.engine, Tip)[0].status == TipStatus.DISPATCHED


def test_a_recovered_api_sends_the_scheduled_retry(client, settings, twilio_rt, fake_twilio):
    fake_twilio.answer(*[twilio_error(503, 20500, "x")] * 3)
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(twilio_rt.redis)
    msg = officer_message(twilio_rt)
    assert send_outbound(msg.id) == "sent"
    assert rows(twilio_rt.engine, Tip)[0].status == TipStatus.DISPATCHED
