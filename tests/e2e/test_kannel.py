"""Through a real Kannel (Debian's bearerbox + smsbox, fakesmsc as the carrier): a tip typed on
a phone reaches the flow, the officer's dispatch leaves through Kannel and arrives, its delivery
report updates the outbox, a request with a wrong secret stores nothing, and the deployment
guide's kannel.conf is accepted by Kannel."""

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker
from werkzeug.serving import make_server

from db.models import InboundMessage, Officer, OutboundMessage, RecipientKind, Reporter, Tip
from db.settings import Settings
from tests.conftest import _free_port, deployment_env
from tests.e2e.kannel import Kannel, missing
from tests.helpers import count, rows
from tests.privacy import REPORTERS, assert_text_clean

pytestmark = pytest.mark.e2e
GUIDE = Path(__file__).parents[2] / "docs/kannel.md"
SHORT_CODE = "+842373000000"  # the number residents text; INBOUND_NUMBERS maps it to Thanh Hoa
SENDER_ID = "8079"
LATENCY_LIMIT = 5.0  # seconds from the phone to the officer's phone; measured well under 1 s


@pytest.fixture(scope="module")
def kannel(tmp_path_factory):
    """One Kannel for the module; each test gets its own tinbao behind the same web port."""
    absent = missing()
    if absent:
        pytest.skip(f"Kannel is not installed ({', '.join(absent)} missing): "
                    "apt-get install kannel kannel-extras to run the real-Kannel tests")
    server = Kannel(tmp_path_factory.mktemp("kannel"), web_port=_free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack(kannel, database_url, redis_url, officers, tmp_path):
    """tinbao's web app (in this process) and a real RQ worker process, set up for Kannel."""
    env = deployment_env(
        database_url, redis_url, SMS_PROVIDER="kannel", INBOUND_NUMBERS=f"{SHORT_CODE}=38",
        KANNEL_SECRET=kannel.secret, KANNEL_SENDSMS_URL=kannel.sendsms_url,
        KANNEL_USERNAME="tinbao", KANNEL_PASSWORD=kannel.password, KANNEL_FROM=SENDER_ID,
        KANNEL_DLR_URL=f"http://127.0.0.1:{kannel.web_port}/webhooks/kannel/dlr")
    from gateway import create_app

    app = create_app(Settings.from_env(env))
    web = make_server("127.0.0.1", kannel.web_port, app, threaded=True)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "workers", "work"],
                                  env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    redis = Redis.from_url(redis_url)
    deadline = time.monotonic() + 20
    while not Worker.all(connection=redis):
        assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    kannel.delivered.clear()
    try:
        yield app.extensions["tinbao"]
    finally:  # the shared web port is freed even when the worker is slow to stop
        worker.terminate()
        try:
            # a warm shutdown finishes the job in hand; on a loaded 2-core host that has
            # taken more than 15 s once
            worker.wait(timeout=60)
        finally:
            worker.kill()
            web.shutdown()
            web.server_close()
            redis.close()
            app.extensions["tinbao"].engine.dispose()
    assert_text_clean(log.read_text(), "the worker's log output")


def wait_until(check, timeout: float = 10):
    """Poll the database (or anything) until `check()` returns something truthy."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


def officer_phone(engine, commune: int) -> str:
    """The phone of the demo officer of a commune."""
    [officer] = rows(engine, Officer, Officer.commune_code == commune)
    return officer.phone


def test_a_tip_typed_into_fakesmsc_reaches_the_officer_through_kannel_and_is_delivered(
        kannel, stack):
    officer = officer_phone(stack.engine, 15865)
    sent = kannel.inject(REPORTERS[0], SHORT_CODE, "TIN 15865 trom bo o thon 3")
    reply = kannel.wait_for(REPORTERS[0], "Da nhan tin bao")
    reference = reply.text.split()[4].rstrip(",")
    dispatch = kannel.wait_for(officer, f"TIN BAO {reference}")
    print(f"\nkannel e2e: reply {reply.at - sent:.3f} s, officer dispatch "
          f"{dispatch.at - sent:.3f} s after the phone sent the tip")
    assert dispatch.at - sent < LATENCY_LIMIT
    assert dispatch.sender == SENDER_ID and "Xa Hoang Hoa" in dispatch.text
    assert reply.sender == SHORT_CODE  # smsbox answered from the number the reporter texted
    notice = kannel.wait_for(REPORTERS[0], f"Tin bao {reference} da duoc chuyen")
    assert notice.sender == SENDER_ID
    outbound = wait_until(lambda: [m for m in rows(stack.engine, OutboundMessage)
                                   if m.recipient_kind == RecipientKind.OFFICER
                                   and m.status.value == "delivered"])
    assert outbound[0].provider == "kannel" and outbound[0].provider_id.startswith("kannel:")
    [tip] = rows(stack.engine, Tip)
    assert (tip.reference, tip.status.value, tip.commune_code) == (reference, "dispatched", 15865)
    [inbound] = rows(stack.engine, InboundMessage)
    assert inbound.provider_id.startswith("kannel:") and inbound.body.startswith("TIN 15865")


@pytest.mark.parametrize("ucs2", [True, False], ids=["ucs2_from_a_handset", "utf8_from_the_smsc"])
def test_a_tip_with_diacritics_reaches_the_flow(kannel, stack, ucs2):
    typed = "Tố giác 15865 Trộm bò ở thôn 3 tối qua"
    kannel.inject(REPORTERS[1], SHORT_CODE, typed, ucs2=ucs2)
    reply = kannel.wait_for(REPORTERS[1], "Da nhan tin bao")
    reference = reply.text.split()[4].rstrip(",")
    dispatch = kannel.wait_for(officer_phone(stack.engine, 15865), f"TIN BAO {reference}")
    assert "Trom bo o thon 3" in dispatch.text  # the officer's copy is unaccented GSM-7
    [inbound] = rows(stack.engine, InboundMessage)
    assert inbound.body == typed
    [tip] = rows(stack.engine, Tip)
    assert (tip.category, tip.details) == ("trom_cap", "Trộm bò ở thôn 3 tối qua")


def test_a_request_with_a_wrong_secret_is_refused_and_stores_nothing(kannel, stack, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    kannel.inject(REPORTERS[3], SHORT_CODE, "forged TIN 15865 trom bo o thon 3")
    kannel.wait_for(REPORTERS[3], "COULD NOT FETCH")  # smsbox's reply-couldnotfetch
    assert any("/webhooks/kannel/sms?" in r.getMessage() and '" 403 ' in r.getMessage()
               for r in caplog.records)
    assert count(stack.engine, InboundMessage) == 0 and count(stack.engine, Reporter) == 0
    assert count(stack.engine, Tip) == 0


def test_the_guides_kannel_conf_is_accepted_by_kannel(kannel, tmp_path):
    guide = Kannel(tmp_path, web_port=_free_port())
    try:
        status = guide.boot_guide(GUIDE.read_text(encoding="utf-8"))
    finally:
        guide.stop()
    assert "modem1[modem1]" in status and "carrier[carrier]" in status  # both SMSC examples
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))
    assert "may not contain field" not in logs
