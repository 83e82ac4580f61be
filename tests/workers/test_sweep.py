"""The sweeper: Redis outages, abandoned conversations and expired reply addresses."""

import subprocess
import time
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import update

from db import store
from db.models import (
    FlowSession,
    OutboundMessage,
    OutboundStatus,
    RecipientKind,
    Reporter,
    Tip,
    TipStatus,
)
from db.session import transaction, utcnow
from gateway import create_app
from tests.conftest import _free_port, make_settings, redis_binary
from tests.helpers import count, reply_of, rows, run_worker, sms
from tests.privacy import REPORTERS
from workers import runtime
from workers.dispatch import _dispatch_message, dispatch_tip
from workers.sweep import sweep


class RedisProcess:
    """A redis-server of this test's own, so it can be stopped and started again."""

    def __init__(self, tmp_path):
        self.port, self.dir, self.proc = _free_port(), tmp_path, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        client = Redis.from_url(self.url)
        for _ in range(200):
            try:
                client.ping()
                return
            except Exception:
                time.sleep(0.02)
        raise RuntimeError("redis did not start")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def own_redis(tmp_path):
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    if server.proc.poll() is None:
        server.stop()


@pytest.fixture
def officers_for():
    from db import demo
    from db.session import make_engine

    def seed(settings):
        engine = make_engine(settings.database_url)
        demo.seed_officers(engine)
        engine.dispose()

    return seed


def test_redis_down_during_the_webhook_delays_the_tip_and_the_sweeper_dispatches_it(
    database_url, own_redis, officers_for
):
    settings = make_settings(database_url, own_redis.url, SWEEP_GRACE_SECONDS="0")
    officers_for(settings)
    app = create_app(settings)
    # warm first (a help request, no tip): the timed request measures the webhook, not a cold start
    assert sms(app.test_client(), settings, "HELP", sender=REPORTERS[1]).status_code == 200
    own_redis.stop()
    started = time.monotonic()
    response = sms(app.test_client(), settings, "TIN 15865 trom bo o thon 3")
    # The window includes the enqueue tried after the answer (the helper closes the response):
    # bounded by the client's timeouts (connect 1 s, socket 2 s) while Redis is shutting down
    assert time.monotonic() - started < 3.5
    assert response.status_code == 200 and "Da nhan tin bao" in reply_of(response)
    rt = runtime.init(settings)
    [tip] = rows(rt.engine, Tip)
    assert tip.status == TipStatus.RECEIVED
    own_redis.start()  # empty: the job queued by the webhook never existed
    assert run_worker(rt.redis) is None and rows(rt.engine, Tip)[0].status == TipStatus.RECEIVED
    assert sweep()["tips"] == 1
    run_worker(rt.redis)
    assert rows(rt.engine, Tip)[0].status == TipStatus.DISPATCHED
    assert sweep()["tips"] == 0  # nothing left to repair
    rt.close()
    app.extensions["tinbao"].engine.dispose()
    runtime._current = None


def _expire_conversations(engine):
    with transaction(engine) as session:
        session.execute(update(FlowSession).values(expires_at=utcnow() - timedelta(seconds=1)))


def test_an_abandoned_conversation_is_filed_and_the_reporter_gets_the_receipt(client, settings,
                                                                             rt):
    sms(client, settings, "co nguoi la mat hay lui toi nha ong Ba o thon 3")
    _expire_conversations(rt.engine)
    assert sweep()["expired"] == 1
    [tip] = rows(rt.engine, Tip)
    assert tip.category == "nguoi_la" and tip.commune_code is None and tip.province_code == 38
    assert count(rt.engine, FlowSession) == 0
    [receipt] = rows(rt.engine, OutboundMessage)
    assert receipt.purpose == "receipt" and receipt.recipient_kind == RecipientKind.REPORTER
    assert tip.reference in receipt.body and "PIN ****" in receipt.body  # PIN never stored
    assert receipt.sealed_body and "PIN ****" not in rt.keyring.unseal(receipt.sealed_body)
    run_worker(rt.redis)
    receipt, dispatch, notice = sorted(rows(rt.engine, OutboundMessage), key=lambda m: m.id)
    assert receipt.status == "sent" and receipt.sealed_body is None and receipt.address == ""
    assert dispatch.recipient_kind == RecipientKind.OFFICER and "truc ban" in notice.body


def test_an_abandoned_conversation_with_nothing_in_it_files_nothing(client, settings, rt):
    sms(client, settings, "TIN")
    _expire_conversations(rt.engine)
    assert sweep()["expired"] == 1
    assert count(rt.engine, Tip) == 0 and count(rt.engine, OutboundMessage) == 0


def test_a_conversation_still_in_time_is_left_alone(client, settings, rt):
    sms(client, settings, "TIN")
    assert sweep()["expired"] == 0 and count(rt.engine, FlowSession) == 1


def test_reply_addresses_are_purged_after_expiry_unless_a_tip_is_open(client, settings, rt):
    sms(client, settings, "TIN 15865 trom bo")
    with transaction(rt.engine) as session:
        session.execute(update(Reporter).values(reply_expires_at=utcnow() - timedelta(days=1)))
    assert sweep()["purged"] == 0  # the tip is still open
    with transaction(rt.engine) as session:
        session.execute(update(Tip).values(status=TipStatus.CLOSED))
    assert sweep()["purged"] == 1
    [reporter] = rows(rt.engine, Reporter)
    assert reporter.reply_address is None and reporter.pseudonym


def test_a_send_interrupted_by_a_dead_worker_is_sent_again(client, settings, rt):
    sms(client, settings, "TIN 15865 trom bo")
    [tip] = rows(rt.engine, Tip)
    with transaction(rt.engine) as session:
        # the worker queued it as being sent, then died before the provider answered
        msg, claim = _dispatch_message(session, rt, store.lock_tip(session, tip.id), 0, utcnow())
        assert claim is not None and msg.status == OutboundStatus.SENDING
    with transaction(rt.engine) as session:
        session.execute(update(OutboundMessage).values(updated_at=utcnow() - timedelta(hours=1)))
    assert sweep()["outbound"] == 1
    run_worker(rt.redis)
    assert rows(rt.engine, Tip)[0].status == TipStatus.DISPATCHED
    assert dispatch_tip(tip.id) == "already dispatched"
