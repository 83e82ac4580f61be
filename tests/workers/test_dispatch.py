"""From a signed webhook to the officer's SMS, through a real RQ worker and real Redis."""

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import event, update

from db.models import (
    Officer,
    OfficerKind,
    OutboundMessage,
    OutboundStatus,
    RecipientKind,
    Tip,
    TipEvent,
    TipStatus,
)
from db.session import transaction
from flows.text import segments
from tests.conftest import make_settings
from tests.helpers import count, reply_of, rows, run_worker, sms
from tests.privacy import REPORTERS
from workers.dispatch import dispatch_tip
from workers.queues import QUEUES


def test_a_tip_reaches_the_commune_officer_and_the_reporter_hears_where_it_went(
    client, settings, rt
):
    response = sms(client, settings, "TIN 15865 co nguoi la mat cho hang cam o thon 3")
    assert "Da nhan tin bao" in reply_of(response)
    assert Queue("default", connection=rt.redis).count == 1  # enqueued after the answer
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    assert tip.status == TipStatus.DISPATCHED and tip.dispatched_at is not None
    officer_msg, notice = rows(rt.engine, OutboundMessage)
    [officer] = rows(rt.engine, Officer, Officer.commune_code == 15865)
    assert officer_msg.recipient_kind == RecipientKind.OFFICER
    assert officer_msg.officer_id == officer.id == tip.officer_id
    assert rt.keyring.unseal(officer_msg.address) == officer.phone
    assert officer_msg.body == (f'TIN BAO {tip.reference}: Hang cam, Xa Hoang Hoa. "co nguoi la '
                                f'mat cho hang cam o thon 3" Tra loi: OK {tip.reference}')
    assert officer_msg.status == OutboundStatus.SENT and officer_msg.provider == "outbox"
    assert notice.recipient_kind == RecipientKind.REPORTER
    assert notice.body == (f"Tin bao {tip.reference} da duoc chuyen den Cong an Xa Hoang Hoa. "
                           "Can bo se xu ly som. Cam on ban.")
    assert notice.status == OutboundStatus.SENT and notice.address == ""  # dropped once sent
    kinds = [e.kind for e in rows(rt.engine, TipEvent)]
    assert kinds == ["received", "routed", "dispatched"]


def test_the_tip_waits_for_the_disk_and_the_dispatch_bookkeeping_does_not(client, settings, rt):
    def waits_for_disk(engine) -> str:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SHOW synchronous_commit").scalar_one()

    assert rt.directory  # the commune index, read once per process (one durable commit)
    commits = {"durable": 0, "redoable": 0}
    for name, engine in (("durable", rt.engine), ("redoable", rt.redoable)):
        event.listen(engine, "commit", lambda _conn, name=name: commits.__setitem__(
            name, commits[name] + 1))
    sms(client, settings, "TIN 15865 co nguoi la mat cho hang cam o thon 3")
    run_worker(rt.redis)
    by_the_worker = dict(commits)
    [tip] = rows(rt.engine, Tip)
    assert tip.status == TipStatus.DISPATCHED
    if rt.engine.dialect.name == "postgresql":
        assert waits_for_disk(client.application.extensions["tinbao"].engine) == "on"
        assert waits_for_disk(rt.engine) == "on"
        assert waits_for_disk(rt.redoable) == "off"
        # dispatch, officer's SMS sent, the reporter's notice claimed and sent: none durable
        assert by_the_worker == {"durable": 0, "redoable": 4}
    else:  # one SQLite file: a single engine, whose commits are all alike
        assert rt.redoable is rt.engine


def test_dispatches_waiting_go_before_any_reporter_notice(client, settings, rt):
    sms(client, settings, "TIN 15865 co nguoi la o thon 1", sender=REPORTERS[0])
    run_worker(rt.redis, max_jobs=1)  # dispatched: the reporter's notice is queued
    for n in (2, 3):  # a burst arrives behind it
        sms(client, settings, f"TIN 15865 co nguoi la o thon {n}", sender=REPORTERS[n])
    sent: dict[int, str] = {}  # in the order they left
    while any(Queue(name, connection=rt.redis).count for name in QUEUES):
        run_worker(rt.redis, max_jobs=1)
        for msg in rows(rt.engine, OutboundMessage, OutboundMessage.status == OutboundStatus.SENT):
            sent.setdefault(msg.id, msg.purpose)
    assert list(sent.values()) == ["dispatch"] * 3 + ["notify_dispatched"] * 3


def test_every_dispatch_fits_one_segment_even_for_long_accented_tips(client, settings, rt):
    sms(client, settings, "TIN 15865 " + "Có người lạ mặt chở hàng cấm qua cầu 🙏 " * 30)
    run_worker(rt.redis)
    for msg in rows(rt.engine, OutboundMessage):
        assert segments(msg.body) == 1 and msg.body.isascii(), msg.body


def test_urgent_tips_go_through_the_urgent_queue_and_say_so(client, settings, rt):
    sms(client, settings, "TIN 15865 dang co cuop o cho, khan cap")
    assert Queue("urgent", connection=rt.redis).count == 1
    run_worker(rt.redis)
    officer_msg = rows(rt.engine, OutboundMessage)[0]
    assert " KHAN: Cuop/bao luc" in officer_msg.body


def test_a_tip_without_commune_goes_to_the_province_duty_desk(client, settings, rt):
    for text in ("co nguoi la mat o thon 3", "0"):
        sms(client, settings, text)
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    assert tip.commune_code is None and tip.province_code == 38
    [desk] = rows(rt.engine, Officer, Officer.kind == OfficerKind.PROVINCE_DESK)
    assert tip.officer_id == desk.id
    assert "truc ban Cong an Thanh Hoa" in rows(rt.engine, OutboundMessage)[1].body


def test_a_tip_for_a_commune_without_officers_goes_to_the_national_desk(client, settings, rt):
    sms(client, settings, "TIN 00070 trom xe dap o pho co")  # Phuong Hoan Kiem, Ha Noi
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    [desk] = rows(rt.engine, Officer, Officer.kind == OfficerKind.NATIONAL_DESK)
    assert tip.commune_code == 70 and tip.officer_id == desk.id
    assert tip.status == TipStatus.DISPATCHED


def test_dispatch_is_idempotent_when_the_job_runs_again(client, settings, rt):
    sms(client, settings, "TIN 15865 trom bo")
    [tip] = rows(rt.engine, Tip)
    assert dispatch_tip(tip.id) == "sent"
    assert dispatch_tip(tip.id) == "already dispatched"
    run_worker(rt.redis)  # the job the webhook queued
    officer_msgs = [m for m in rows(rt.engine, OutboundMessage)
                    if m.recipient_kind == RecipientKind.OFFICER]
    assert len(officer_msgs) == 1 and officer_msgs[0].attempts == 1


def test_no_officer_anywhere_leaves_the_tip_received_and_visible(client, settings, rt):
    with transaction(rt.engine) as session:
        session.execute(update(Officer).values(active=False))
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    assert tip.status == TipStatus.RECEIVED and tip.next_check_at is not None
    assert "unroutable" in [e.kind for e in rows(rt.engine, TipEvent)]
    assert count(rt.engine, OutboundMessage) == 0


def test_an_undelivered_dispatch_goes_to_the_next_officer_once(client, settings, rt):
    from workers.dispatch import undelivered

    sms(client, settings, "TIN 15865 trom bo")
    run_worker(rt.redis)
    first = next(m for m in rows(rt.engine, OutboundMessage) if m.purpose == "dispatch")
    assert undelivered(first.id) == "sent"
    assert undelivered(first.id) == "moved on"  # a repeated report changes nothing
    [tip] = rows(rt.engine, Tip)
    [desk] = rows(rt.engine, Officer, Officer.kind == OfficerKind.PROVINCE_DESK)
    assert tip.officer_id == desk.id and tip.escalation_level == 1
    dispatches = [m for m in rows(rt.engine, OutboundMessage) if m.purpose == "dispatch"]
    assert [m.officer_id for m in dispatches] == [first.officer_id, desk.id]
    kinds = [e.kind for e in rows(rt.engine, TipEvent)]
    assert kinds.count("dispatched") == 2 and "escalated" in kinds
    assert len([m for m in rows(rt.engine, OutboundMessage) if m.purpose != "dispatch"]) == 1


class TestDeadlines:
    """The officer's time to acknowledge, set when the dispatch is sent: a category's own SLA
    first, then the tip's urgency."""

    @pytest.fixture
    def settings(self, database_url, redis_url):
        return make_settings(database_url, redis_url, SLA="urgent=5m,normal=30m,ma_tuy=15m,cuop=2m")

    def test_each_dispatched_tip_is_due_after_its_own_sla(self, client, settings, rt):
        texts = {"co nguoi ban ma tuy o thon 3": 15, "trom bo o thon 2": 30,
                 "dang co cuop o cho, khan cap": 2, "trom xe may ngay bay gio, khan cap": 5}
        for text, sender in zip(texts, REPORTERS, strict=False):
            sms(client, settings, f"TIN 15865 {text}", sender=sender)
        run_worker(rt.redis)
        tips = {t.details: t for t in rows(rt.engine, Tip)}
        assert tips["trom xe may ngay bay gio, khan cap"].urgency == "urgent"
        for text, minutes in texts.items():
            tip = tips[text]
            assert tip.status == TipStatus.DISPATCHED
            assert tip.next_check_at - tip.dispatched_at == timedelta(minutes=minutes), text
