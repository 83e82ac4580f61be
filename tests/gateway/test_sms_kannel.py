"""Kannel's smsbox calls: requests captured from a real Kannel 1.4.5, good and bad, and
delivery reports for messages the worker really sent through the Kannel provider."""

import base64
import json
import urllib.parse
from pathlib import Path

import pytest
from rq import Queue

from db.models import InboundMessage, OfficerKind, OutboundMessage, RecipientKind, Reporter, Tip
from gateway.sms_kannel import decode_text, dlr_error
from tests.conftest import _free_port, make_settings
from tests.fake_kannel import fill_dlr_url
from tests.helpers import count, rows, run_worker
from tests.privacy import REPORTERS
from workers.queues import URGENT

FIXTURES = Path(__file__).parents[1] / "fixtures/requests"
CAPTURED = sorted((FIXTURES / "sms_kannel").glob("*.json"))
REPORTS = sorted((FIXTURES / "kannel_dlr").glob("*.json"))
PATH = "/webhooks/kannel/sms"
SECRET = "5ec2e7" * 6


@pytest.fixture
def settings(database_url, redis_url, fake_kannel):
    """A deployment whose officers and Kannel reporters are served through (fake) Kannel."""
    return make_settings(database_url, redis_url, KANNEL_SECRET=SECRET,
                         KANNEL_SENDSMS_URL=fake_kannel.url, KANNEL_USERNAME="tinbao",
                         KANNEL_PASSWORD="pw", KANNEL_FROM="8079", OFFICER_PROVIDERS="*=kannel",
                         KANNEL_DLR_URL="http://localhost/webhooks/kannel/dlr")


def basic(password: str) -> dict[str, str]:
    """The HTTP Basic auth header smsbox sends for `http://kannel:<password>@...` URLs."""
    token = base64.b64encode(f"kannel:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def kannel_get(client, query: str, secret: str = "basic"):
    """GET the inbound route as smsbox does, with the secret placed as the case says."""
    headers = {}
    if secret == "basic":
        headers = basic(SECRET)
    elif secret == "wrong_basic":
        headers = basic("0" * len(SECRET))
    elif secret == "query":
        query += f"&secret={SECRET}"
    elif secret == "wrong_query":
        query += "&secret=" + "0" * len(SECRET)
    response = client.get(f"{PATH}?{query}", headers={"User-Agent": "Kannel/1.4.5", **headers})
    response.get_data()
    response.close()  # as a WSGI server does after sending: runs call_on_close hooks
    return response


def sms_query(text: str, message_id: str = "4a1b2c3d-0000-4000-8000-000000000001",
              sender: str = REPORTERS[0]) -> str:
    """An inbound query string shaped like the get-url of docs/kannel.md."""
    return urllib.parse.urlencode({"id": message_id, "from": sender, "to": "+842373000000",
                                   "text": text, "coding": "0", "charset": "UTF-8",
                                   "smsc": "modem1"})


@pytest.mark.parametrize("path", CAPTURED, ids=lambda p: p.stem)
def test_captured_kannel_request(path, client, app):
    case = json.loads(path.read_text(encoding="utf-8"))
    response = kannel_get(client, case["query"], case["secret"])
    assert response.status_code == case["status"]
    engine = app.extensions["tinbao"].engine
    assert count(engine, Tip) == case["tips"]
    assert count(engine, InboundMessage) == (1 if case["stored"] else 0)
    if case["stored"]:
        [inbound] = rows(engine, InboundMessage)
        assert inbound.body == case["body"] and inbound.provider_id.startswith("kannel:")
        assert response.mimetype == "text/plain"
        [reporter] = rows(engine, Reporter)
        assert reporter.reply_provider == "kannel"
    if case["reply_contains"]:
        assert case["reply_contains"] in response.get_data(as_text=True)
    if not case["stored"]:
        assert count(engine, Reporter) == 0


def test_a_repeated_kannel_delivery_creates_one_tip_and_repeats_the_reply(client, app):
    first = kannel_get(client, sms_query("TIN 15865 trom bo"))
    second = kannel_get(client, sms_query("TIN 15865 trom bo"))
    assert second.status_code == 200 and second.get_data() == first.get_data()
    engine = app.extensions["tinbao"].engine
    assert count(engine, Tip) == 1 and count(engine, InboundMessage) == 1


def test_kannel_is_refused_while_no_secret_is_configured(settings, officers):
    from gateway import create_app

    app = create_app(settings.replace(kannel_secret=""))
    client = app.test_client()
    assert kannel_get(client, sms_query("TIN") + "&secret=").status_code == 403
    assert client.get(f"{PATH}?{sms_query('TIN')}", headers=basic("")).status_code == 403
    assert count(app.extensions["tinbao"].engine, InboundMessage) == 0
    app.extensions["tinbao"].engine.dispose()


def test_the_reply_never_waits_on_a_dead_redis(settings, officers):
    from gateway import create_app

    dead = f"redis://127.0.0.1:{_free_port()}/0"
    app = create_app(settings.replace(redis_url=dead))
    response = kannel_get(app.test_client(), sms_query("TIN 15865 trom bo o thon 3"))
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("Da nhan tin bao")
    [tip] = rows(app.extensions["tinbao"].engine, Tip)
    assert tip.next_check_at is not None  # the sweeper dispatches it once Redis is back
    app.extensions["tinbao"].engine.dispose()


@pytest.mark.parametrize("raw, coding, charset, text", [
    ("Trộm".encode("utf-16-be"), "2", "UTF-16BE", "Trộm"),
    ("Trộm".encode("utf-16-be")[:-1], "2", "UTF-16BE", "Trộ\ufffd"),
    ("thôn".encode("latin-1"), "0", "ISO-8859-1", "thôn"),
    ("thôn".encode(), "1", "8-BIT", "thôn"),
    (b"\xff\xfe", "1", "8-BIT", "ÿþ"),
    ("thôn".encode(), "0", "NOT-A-CHARSET", "thôn"),
])
def test_kannel_payloads_are_decoded_by_their_coding_and_charset(raw, coding, charset, text):
    assert decode_text(raw, coding, charset) == text


def test_a_failure_reason_keeps_the_smsc_codes_and_not_the_message_text():
    answer = "id:1 sub:001 dlvrd:000 stat:UNDELIV err:001 text:Da nhan tin bao 4829, PIN 1234"
    assert dlr_error("2", answer) == "kannel dlr 2 stat:UNDELIV err:001"


def _dispatch_dlr_url(client, app, fake_kannel) -> tuple[str, OutboundMessage]:
    """Send a tip through the route, let the worker send the dispatch through Kannel."""
    kannel_get(client, sms_query("TIN 15865 trom bo o thon 3"))
    rt = app.extensions["tinbao"]
    run_worker(rt.redis)
    [msg] = [m for m in rows(rt.engine, OutboundMessage)
             if m.recipient_kind == RecipientKind.OFFICER]
    officer_phone = rt.keyring.unseal(msg.address)
    [request] = [r for r in fake_kannel.requests if r["to"] == officer_phone]
    return request["dlr-url"], msg


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_captured_kannel_delivery_report(path, client, app, rt, fake_kannel):
    case = json.loads(path.read_text(encoding="utf-8"))
    dlr_url, msg = _dispatch_dlr_url(client, app, fake_kannel)
    assert msg.provider == "kannel" and msg.status.value == "sent"
    for status in case["before"]:
        assert client.get(fill_dlr_url(dlr_url, status, "")).status_code == 200
    url = fill_dlr_url(dlr_url, case["status"], case["answer"])
    if case["token"] == "wrong":
        url = url.replace("token=", "token=0")
    elif case["token"] == "missing":
        url = "&".join(p for p in url.split("&") if not p.startswith("token="))
    elif case["token"] == "other_message":
        url = url.replace("msg=", "msg=9")
    urgent = Queue(URGENT, connection=rt.redis)
    queued = urgent.count
    response = client.get(url)
    response.close()
    assert response.status_code == case["http"]
    [after] = rows(rt.engine, OutboundMessage, OutboundMessage.id == msg.id)
    assert after.status.value == case["after"] and after.last_error == case["last_error"]
    rerouted = [j.func_name for j in urgent.jobs[queued:]]
    assert rerouted == (["workers.dispatch.undelivered"] if case["reroute"] else [])


def test_a_report_naming_no_message_of_ours_is_refused(client, app, rt, fake_kannel):
    dlr_url, msg = _dispatch_dlr_url(client, app, fake_kannel)
    for other in ("³", "", "x"):
        report = fill_dlr_url(dlr_url, "1", "").replace(f"msg={msg.id}", f"msg={other}")
        assert client.get(report).status_code == 403


def test_an_undelivered_dispatch_goes_to_the_next_officer(client, app, rt, fake_kannel):
    dlr_url, msg = _dispatch_dlr_url(client, app, fake_kannel)
    response = client.get(fill_dlr_url(dlr_url, "2", "stat:UNDELIV err:001"))
    response.close()
    run_worker(rt.redis)
    officers = {m.officer_id for m in rows(rt.engine, OutboundMessage)
                if m.recipient_kind == RecipientKind.OFFICER}
    assert len(officers) == 2 and msg.officer_id in officers
    [tip] = rows(rt.engine, Tip)
    assert tip.escalation_level == 1
    from db.models import Officer

    [desk] = rows(rt.engine, Officer, Officer.id == tip.officer_id)
    assert desk.kind == OfficerKind.PROVINCE_DESK


def test_a_delivery_report_that_beats_the_workers_own_bookkeeping_is_kept(client, app, rt,
                                                                          fake_kannel):
    def fast_smsc(params: dict[str, str]) -> None:
        """Reports delivery before sendsms has even answered, as fakesmsc often does."""
        if params["to"] not in REPORTERS:
            client.get(fill_dlr_url(params["dlr-url"], "1")).close()

    fake_kannel.on_send = fast_smsc
    _, msg = _dispatch_dlr_url(client, app, fake_kannel)
    assert msg.status.value == "delivered" and msg.provider_id.startswith("kannel:")
    [tip] = rows(rt.engine, Tip)
    assert tip.status.value == "dispatched"  # the worker's after-sent step still ran
