"""POST /webhooks/twilio/status: delivery reports move forward only; undelivered dispatches
are re-routed at once."""

import json
from pathlib import Path

import pytest

from db.models import Officer, OfficerKind, OutboundMessage, Tip
from gateway.twilio_requests import sign
from tests.helpers import BASE, post_twilio, rows, run_worker, sms

CAPTURED = sorted((Path(__file__).parents[1] / "fixtures/requests/status_twilio").glob("*.json"))
PATH = "/webhooks/twilio/status"


def dispatched(client, settings, rt) -> OutboundMessage:
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(rt.redis)
    return rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "dispatch")[0]


def report(client, settings, msg: OutboundMessage, status: str, error: str | None = None):
    form = {"MessageSid": msg.provider_id, "MessageStatus": status, "SmsSid": msg.provider_id,
            "SmsStatus": status, "AccountSid": "AC" + "1" * 32, "ApiVersion": "2010-04-01"}
    if error:
        form["ErrorCode"] = error
    return post_twilio(client, PATH, form, settings.twilio_auth_token)


@pytest.mark.parametrize("path", CAPTURED, ids=lambda p: p.stem)
def test_captured_status_callback(path, client, settings, rt):
    msg = dispatched(client, settings, rt)
    case = json.loads(path.read_text())
    form = {k: v.replace("{sid}", msg.provider_id).replace("{to}", "+447700900010")
            for k, v in case["form"].items()}
    headers = {}
    if case["signature"] == "valid":
        headers["X-Twilio-Signature"] = sign(BASE + PATH, form, settings.twilio_auth_token)
    elif case["signature"] == "wrong_token":
        headers["X-Twilio-Signature"] = sign(BASE + PATH, form, "f" * 32)
    response = client.post(PATH, data=form, headers=headers)
    response.close()
    assert response.status_code == case["status"]
    assert rows(rt.engine, OutboundMessage, OutboundMessage.id == msg.id)[0].status == \
        case["final_status"]
    run_worker(rt.redis)
    [desk] = rows(rt.engine, Officer, Officer.kind == OfficerKind.PROVINCE_DESK)
    [tip] = rows(rt.engine, Tip)
    assert (tip.officer_id == desk.id) is case["rerouted"]


def test_repeated_and_out_of_order_reports_are_harmless(client, settings, rt):
    msg = dispatched(client, settings, rt)
    for status in ("delivered", "sent", "queued", "delivered", "undelivered"):
        assert report(client, settings, msg, status).status_code == 204
    run_worker(rt.redis)
    assert rows(rt.engine, OutboundMessage, OutboundMessage.id == msg.id)[0].status == "delivered"
    assert rows(rt.engine, Tip)[0].officer_id == msg.officer_id  # never re-routed


def test_a_failure_reported_twice_reroutes_once(client, settings, rt):
    msg = dispatched(client, settings, rt)
    report(client, settings, msg, "failed", "30008")
    report(client, settings, msg, "failed", "30008")
    report(client, settings, msg, "undelivered", "30003")
    run_worker(rt.redis)
    dispatches = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "dispatch")
    assert len(dispatches) == 2 and rows(rt.engine, Tip)[0].escalation_level == 1
    assert dispatches[0].last_error == "twilio error 30008"


def test_an_undelivered_dispatch_can_also_call_the_officer(client, settings, rt):
    rt.settings = settings.replace(call_officer_on_failure=True)
    msg = dispatched(client, settings, rt)
    report(client, settings, msg, "undelivered", "30003")
    run_worker(rt.redis)
    [call] = rows(rt.engine, OutboundMessage, OutboundMessage.channel == "voice")
    assert call.officer_id == msg.officer_id and call.status == "sent"
    tip = rows(rt.engine, Tip)[0]
    assert call.body.startswith(f"Tin báo mới, mã số {' '.join(tip.reference)}.")
