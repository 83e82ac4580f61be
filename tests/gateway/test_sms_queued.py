"""SMS_REPLY=queued: the SMS webhooks keep each message in the inbox and answer with no text;
a worker takes it into its conversation and replies by SMS through the real provider client
(Twilio's, against the fake API; Kannel's, against the fake sendsms)."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.fernet import Fernet

from db.models import (
    InboundMessage,
    InboxMessage,
    OutboundMessage,
    RecipientKind,
    Tip,
    TipStatus,
)
from db.session import transaction
from db.settings import SettingsError
from gateway import create_app
from tests.conftest import make_settings
from tests.gateway.test_sms_kannel import SECRET, kannel_get, sms_query
from tests.helpers import count, reply_of, rows, run_worker, sms
from tests.privacy import REPORTERS
from tests.workers.test_sweep import RedisProcess, officers_for  # noqa: F401 (fixture)
from workers import inbox as inbox_jobs
from workers import runtime
from workers.sweep import sweep

REPORTER, OTHER = REPORTERS[0], REPORTERS[1]


@pytest.fixture
def settings(database_url, redis_url):
    """A deployment whose SMS webhooks leave the answering to the workers."""
    return make_settings(database_url, redis_url, SMS_REPLY="queued")


def empty_queues(redis) -> None:
    """Drop the jobs the webhooks queued (the drains they woke), to run a drain alone."""
    from rq import Queue

    from workers.queues import QUEUES

    for queue in QUEUES:
        Queue(queue, connection=redis).empty()


def texts_to(fake_twilio, number: str) -> list[str]:
    """What the fake Twilio API was asked to send to `number`, in order."""
    return [r["form"]["Body"] for r in fake_twilio.requests if r["form"].get("To") == number]


def test_the_webhook_keeps_the_message_and_a_worker_answers_it_by_sms(
        client, settings, twilio_rt, fake_twilio):
    response = sms(client, settings, "TIN 15865 co nguoi la mat cho hang cam o thon 3")
    assert response.status_code == 200 and reply_of(response) == ""
    assert "<Response" in response.get_data(as_text=True)
    engine = twilio_rt.engine
    [kept] = rows(engine, InboxMessage)  # committed before the answer; the number only sealed
    assert kept.body.startswith("TIN 15865") and REPORTER not in kept.sender_sealed
    assert twilio_rt.keyring.unseal(kept.sender_sealed) == REPORTER
    assert count(engine, Tip) == 0 and fake_twilio.requests == []
    run_worker(twilio_rt.redis)
    [tip] = rows(engine, Tip)
    assert tip.status == TipStatus.DISPATCHED and tip.commune_code == 15865
    assert count(engine, InboxMessage) == 0
    [inbound] = rows(engine, InboundMessage)
    assert inbound.tip_id == tip.id and inbound.provider_id == kept.provider_id
    receipt, notice = texts_to(fake_twilio, REPORTER)  # the reply first, then where it went
    assert tip.reference in receipt and "Da nhan tin bao" in receipt
    assert tip.reference in notice and "Da nhan tin bao" not in notice
    pin = receipt.split("PIN ")[1][:4]
    assert twilio_rt.keyring.pin_matches(tip.reference, pin, tip.pin_hash)
    [reply] = rows(engine, OutboundMessage, OutboundMessage.purpose == "reply")
    assert reply.recipient_kind == RecipientKind.REPORTER and reply.status == "sent"
    assert pin not in reply.body and reply.sealed_body is None and reply.address == ""


def test_the_drain_dispatches_the_tip_it_files_after_the_reply_and_sends_the_notice_last(
        client, settings, twilio_rt, fake_twilio):
    from rq import Queue

    from tests.gateway.conftest import officer_of
    from workers.queues import QUEUES

    sms(client, settings, "TIN 15865 trom bo o thon 3")
    [kept] = rows(twilio_rt.engine, InboxMessage)
    empty_queues(twilio_rt.redis)  # what the webhook woke
    assert inbox_jobs.drain(kept.lane) == "taken 1"  # the job alone, no worker
    [tip] = rows(twilio_rt.engine, Tip)
    officer = officer_of(twilio_rt.engine, 15865)
    assert tip.status == TipStatus.DISPATCHED and tip.officer_id == officer.id
    to = [r["form"]["To"] for r in fake_twilio.requests]
    assert to == [REPORTER, officer.phone, REPORTER]  # the receipt, the officer's SMS, the notice
    assert not any(Queue(q, connection=twilio_rt.redis).get_job_ids() for q in QUEUES)
    receipt, notice = texts_to(fake_twilio, REPORTER)
    assert "Da nhan tin bao" in receipt and tip.reference in notice
    assert {m.purpose: m.status for m in rows(twilio_rt.engine, OutboundMessage)} == {
        "reply": "sent", "dispatch": "sent", "notify_dispatched": "sent"}


def test_while_other_work_waits_the_notice_goes_behind_it_on_the_low_queue(
        client, settings, twilio_rt, fake_twilio):
    from rq import Queue

    from tests.gateway.conftest import officer_of
    from workers.queues import enqueue, inbox_job

    sms(client, settings, "TIN 15865 trom bo o thon 3")
    [kept] = rows(twilio_rt.engine, InboxMessage)
    empty_queues(twilio_rt.redis)
    enqueue(twilio_rt.redis, inbox_job((kept.lane + 1) % 16))  # another lane's drain waits
    assert inbox_jobs.drain(kept.lane) == "taken 1"
    officer = officer_of(twilio_rt.engine, 15865)
    assert [r["form"]["To"] for r in fake_twilio.requests] == [REPORTER, officer.phone]
    assert len(Queue("low", connection=twilio_rt.redis).get_job_ids()) == 1
    run_worker(twilio_rt.redis)  # the waiting drain first, then the notice
    receipt, notice = texts_to(fake_twilio, REPORTER)
    assert "Da nhan tin bao" in receipt and "da duoc chuyen den" in notice


def test_a_batchs_notices_wait_until_its_tips_are_all_dispatched(
        client, settings, twilio_rt, fake_twilio):
    from tests.gateway.conftest import officer_of

    sms(client, settings, "TIN 15865 trom bo o thon 3", sid="SM" + "5" * 32)
    sms(client, settings, "TIN 15865 danh bac o thon 4", sid="SM" + "6" * 32)
    first, second = sorted(rows(twilio_rt.engine, InboxMessage), key=lambda m: m.id)
    assert first.lane == second.lane  # one sender, one lane
    empty_queues(twilio_rt.redis)  # what the webhook woke: nothing else waits
    assert inbox_jobs.drain(first.lane) == "taken 2"
    officer = officer_of(twilio_rt.engine, 15865)
    sent = [(r["form"]["To"], r["form"]["Body"]) for r in fake_twilio.requests]
    assert [to for to, _ in sent] == [REPORTER, officer.phone, REPORTER, officer.phone,
                                      REPORTER, REPORTER]
    tips = sorted(rows(twilio_rt.engine, Tip), key=lambda t: t.id)
    notices = [body for _, body in sent[4:]]
    assert all(t.reference in b for t, b in zip(tips, notices, strict=True))
    assert count(twilio_rt.engine, OutboundMessage, OutboundMessage.status != "sent") == 0


def test_a_reply_the_provider_refuses_ends_failed_and_the_tip_is_still_dispatched(
        client, settings, twilio_rt, fake_twilio):
    from tests.fake_twilio import twilio_error
    from tests.gateway.conftest import officer_of

    sms(client, settings, "TIN 15865 trom bo o thon 3")
    [kept] = rows(twilio_rt.engine, InboxMessage)
    empty_queues(twilio_rt.redis)
    fake_twilio.answer(twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    assert inbox_jobs.drain(kept.lane) == "taken 1"
    [reply] = rows(twilio_rt.engine, OutboundMessage, OutboundMessage.purpose == "reply")
    assert reply.status == "failed" and reply.attempts == 1 and reply.provider == "twilio"
    assert reply.address == "" and reply.sealed_body is None  # dropped as for every final state
    [tip] = rows(twilio_rt.engine, Tip)
    assert tip.status == TipStatus.DISPATCHED
    to = [r["form"]["To"] for r in fake_twilio.requests]
    assert to == [REPORTER, officer_of(twilio_rt.engine, 15865).phone, REPORTER]


def test_control_characters_and_length_are_bounded_before_the_message_is_kept(
        client, settings, twilio_rt, fake_twilio):
    response = sms(client, settings, "TIN 15865 trom\x00 bo " + "x" * 20_000)
    assert response.status_code == 200
    [kept] = rows(twilio_rt.engine, InboxMessage)
    assert "\x00" not in kept.body and len(kept.body) == 10_000
    run_worker(twilio_rt.redis)
    assert count(twilio_rt.engine, InboxMessage) == 0 and count(twilio_rt.engine, Tip) == 1


def test_a_repeated_delivery_is_kept_once_and_answered_once(client, settings, twilio_rt,
                                                            fake_twilio):
    sid = "SM" + "e" * 32
    sms(client, settings, "TIN 15865 trom bo", sid=sid)
    sms(client, settings, "TIN 15865 trom bo", sid=sid)
    assert count(twilio_rt.engine, InboxMessage) == 1
    run_worker(twilio_rt.redis)
    sms(client, settings, "TIN 15865 trom bo", sid=sid)  # once more, after it was answered
    assert count(twilio_rt.engine, InboxMessage) == 1
    run_worker(twilio_rt.redis)
    assert count(twilio_rt.engine, Tip) == 1 and count(twilio_rt.engine, InboxMessage) == 0
    assert len([t for t in texts_to(fake_twilio, REPORTER) if "Da nhan tin bao" in t]) == 1


def test_a_senders_messages_are_taken_in_order(client, settings, twilio_rt, fake_twilio):
    for text in ("TIN", "2", "hoang hoa", "trom xe may dem qua"):
        sms(client, settings, text)
    sms(client, settings, "TIN 15865 danh bac", sender=OTHER)
    lane = rows(twilio_rt.engine, InboxMessage)[0].lane
    assert inbox_jobs.drain(lane).startswith("taken ")
    replies = texts_to(fake_twilio, REPORTER)
    assert "Chon loai" in replies[0] and "Xa/phuong" in replies[1]
    assert "Mo ta" in replies[2] and "Da nhan tin bao" in replies[3]
    tip = rows(twilio_rt.engine, Tip, Tip.details.contains("xe may"))[0]
    assert (tip.commune_code, tip.category) == (15865, "trom_cap")
    run_worker(twilio_rt.redis)
    assert count(twilio_rt.engine, Tip) == 2 and count(twilio_rt.engine, InboxMessage) == 0


def test_drains_of_one_lane_run_one_at_a_time(client, settings, twilio_rt, fake_twilio):
    for text in ("TIN", "2", "hoang hoa", "trom xe may dem qua"):
        sms(client, settings, text)
    lane = rows(twilio_rt.engine, InboxMessage)[0].lane
    empty_queues(twilio_rt.redis)  # what the webhook woke: nothing else waits
    with ThreadPoolExecutor(3) as pool:  # three workers woken for the lane at once
        done = list(pool.map(inbox_jobs.drain, [lane] * 3))
    assert sorted(done) == ["taken 0", "taken 0", "taken 4"]
    replies = texts_to(fake_twilio, REPORTER)
    assert len(replies) == 5 and "Chon loai" in replies[0] and "Da nhan tin bao" in replies[3]
    assert "da duoc chuyen den" in replies[4]  # the notice, sent by the drain too
    [tip] = rows(twilio_rt.engine, Tip)
    assert tip.commune_code == 15865 and count(twilio_rt.engine, InboxMessage) == 0
    assert count(twilio_rt.engine, InboundMessage) == 4


def test_a_message_that_cannot_be_taken_is_kept_and_does_not_block_its_lane(
        client, settings, twilio_rt, fake_twilio):
    from db.privacy import Keyring

    sms(client, settings, "TIN 15865 trom bo", sid="SM" + "1" * 32)
    sms(client, settings, "TIN 15865 danh bac", sid="SM" + "2" * 32)
    first, _ = sorted(rows(twilio_rt.engine, InboxMessage), key=lambda m: m.id)
    lost_key = Keyring("k" * 32, (Fernet.generate_key().decode(),))  # a key no longer held
    with transaction(twilio_rt.engine) as session:
        session.get(InboxMessage, first.id).sender_sealed = lost_key.seal(REPORTER)
    assert inbox_jobs.drain(first.lane) == "taken 1"
    [kept] = rows(twilio_rt.engine, InboxMessage)
    assert kept.id == first.id and count(twilio_rt.engine, Tip) == 1
    assert settings.sweep_grace_seconds == 30 and sweep()["inbox"] == 0  # not yet overdue


def test_a_message_committed_after_a_newer_one_was_taken_is_still_taken(
        client, settings, twilio_rt, fake_twilio):
    """On PostgreSQL two webhooks can commit out of id order: the drain, past the newer
    message already, must still find the older one before it lets the lane sleep."""
    sms(client, settings, "TIN 15865 trom bo", sid="SM" + "3" * 32)
    [early] = rows(twilio_rt.engine, InboxMessage)
    with transaction(twilio_rt.engine) as session:  # its id stays free, like a late commit's
        session.delete(session.get(InboxMessage, early.id))
    sms(client, settings, "TIN 15865 danh bac", sid="SM" + "4" * 32)
    late = {c.name: getattr(early, c.name) for c in InboxMessage.__table__.columns}

    def commit_late(form):  # while the drain sends the newer message's reply
        if "danh bac" not in str(rows(twilio_rt.engine, Tip)[0].details):
            return
        fake_twilio.on_request = None
        with transaction(twilio_rt.engine) as session:
            session.add(InboxMessage(**late))

    fake_twilio.on_request = commit_late
    assert inbox_jobs.drain(early.lane) == "taken 2"
    assert count(twilio_rt.engine, InboxMessage) == 0 and count(twilio_rt.engine, Tip) == 2


def test_an_officer_command_is_answered_by_sms_too(client, settings, twilio_rt, fake_twilio):
    from tests.gateway.conftest import officer_of

    sms(client, settings, "TIN 15865 danh bac o thon 2")
    run_worker(twilio_rt.redis)
    officer = officer_of(twilio_rt.engine, 15865)
    response = sms(client, settings, "DS", sender=officer.phone)
    assert reply_of(response) == ""
    run_worker(twilio_rt.redis)
    [tip] = rows(twilio_rt.engine, Tip)
    answers = texts_to(fake_twilio, officer.phone)
    assert len(answers) == 2 and tip.reference in answers[0] and tip.reference in answers[1]
    to_reporter, to_officer = sorted(
        rows(twilio_rt.engine, OutboundMessage, OutboundMessage.purpose == "reply"),
        key=lambda m: m.id)
    assert to_reporter.recipient_kind == RecipientKind.REPORTER
    assert to_officer.recipient_kind == RecipientKind.OFFICER and to_officer.status == "sent"


def test_a_dead_redis_delays_the_answer_and_the_sweeper_finds_the_message(
        database_url, tmp_path, officers_for, fake_twilio):  # noqa: F811
    server = RedisProcess(tmp_path)
    server.start()
    settings = make_settings(database_url, server.url, SMS_REPLY="queued",
                             SWEEP_GRACE_SECONDS="0")
    officers_for(settings)
    app = create_app(settings)
    server.stop()
    started = time.monotonic()
    response = sms(app.test_client(), settings, "TIN 15865 trom bo o thon 3")
    assert time.monotonic() - started < 1.5 and response.status_code == 200
    rt = _twilio_runtime(settings, fake_twilio)
    try:
        assert count(rt.engine, InboxMessage) == 1 and count(rt.engine, Tip) == 0
        server.start()  # empty: the job the webhook tried to queue never existed
        run_worker(rt.redis)
        assert count(rt.engine, Tip) == 0
        assert sweep()["inbox"] == 1
        assert sweep()["inbox"] == 0  # its drain is queued now: not a second one
        run_worker(rt.redis)
        assert count(rt.engine, Tip) == 1 and count(rt.engine, InboxMessage) == 0
        assert "Da nhan tin bao" in texts_to(fake_twilio, REPORTER)[0]
        assert sweep()["inbox"] == 0
    finally:
        rt.close()
        runtime._current = None
        app.extensions["tinbao"].engine.dispose()
        server.stop()


def test_kannel_messages_are_kept_and_answered_through_sendsms(
        database_url, redis_url, fake_kannel, officers_for):  # noqa: F811
    settings = make_settings(database_url, redis_url, SMS_REPLY="queued", KANNEL_SECRET=SECRET,
                             KANNEL_SENDSMS_URL=fake_kannel.url, KANNEL_USERNAME="tinbao",
                             KANNEL_PASSWORD="pw", KANNEL_FROM="8079")
    officers_for(settings)
    app = create_app(settings)
    rt = runtime.init(settings)
    try:
        response = kannel_get(app.test_client(), sms_query("TIN 15865 trom cho o thon 5"))
        assert response.status_code == 200 and response.get_data(as_text=True) == ""
        assert count(rt.engine, InboxMessage) == 1
        run_worker(rt.redis)
        [tip] = rows(rt.engine, Tip)
        sent = [r["text"] for r in fake_kannel.requests if r["to"] == REPORTER]
        assert "Da nhan tin bao" in sent[0] and tip.reference in sent[0]
    finally:
        rt.close()
        runtime._current = None
        app.extensions["tinbao"].engine.dispose()


def test_an_unknown_reply_mode_stops_the_app(database_url, redis_url):
    with pytest.raises(SettingsError, match="SMS_REPLY"):
        make_settings(database_url, redis_url, SMS_REPLY="later")


def _twilio_runtime(settings, fake_twilio):
    from workers.providers.twilio import TwilioProvider

    provider = TwilioProvider(settings.twilio_account_sid, settings.twilio_auth_token,
                              from_number=settings.twilio_from_number, base_url=fake_twilio.url,
                              sleep=lambda seconds: None)
    return runtime.init(settings, provider=provider)
