"""Every webhook route, one table: a missing, wrong or replayed signature or secret is refused
with nothing stored, and a valid request delivered twice creates nothing the second time.

The table must name every route under /webhooks (and /r/): a new route without a row fails.
"""

import base64
import secrets
from dataclasses import dataclass
from typing import Any

import pytest

from db.delivery import report_token
from db.models import FlowSession, InboundMessage, OutboundMessage, Reporter, Tip, TipEvent
from gateway import create_app
from gateway.twilio_requests import call_form, new_sid, sign, sms_form
from tests.conftest import make_settings
from tests.helpers import BASE, DIALLED, REPORTER, count
from tests.privacy import watch
from tests.summary import record

KANNEL_SECRET = "k4nn3l-" + "7" * 20
TABLES = (Reporter, Tip, TipEvent, InboundMessage, OutboundMessage, FlowSession)


@pytest.fixture
def app(settings, officers, database_url, redis_url):
    """The app with every channel's secret configured (Kannel too)."""
    settings = make_settings(database_url, redis_url, KANNEL_SECRET=KANNEL_SECRET)
    app = create_app(settings)
    app.config["TESTING"] = True
    watch(app)
    yield app
    app.extensions["tinbao"].engine.dispose()


@dataclass(frozen=True)
class Route:
    """How to send one route a request: method, path, form, and where its proof goes."""

    method: str
    path: str
    proof: str  # twilio | ussd | kannel | dlr | link
    form: Any = None  # a function of settings -> dict

    def send(self, client, settings, how: str, form: dict | None = None):
        """Send with the proof placed as `how` says: valid, missing, wrong, tampered."""
        form = dict(form if form is not None else self.form(settings))
        path, headers = self.path, {}
        if self.proof == "twilio":
            token = secrets.token_hex(16) if how == "wrong" else settings.twilio_auth_token
            signature = sign(BASE + path, form, token)
            if how == "tampered":  # the signature of another request, replayed onto this one
                signature = sign(BASE + path, {**form, "Body": "x", "Digits": "9"}, token)
            if how != "missing":
                headers["X-Twilio-Signature"] = signature
        elif self.proof == "ussd":
            real = settings.ussd_secret
            secret = {"valid": real, "wrong": real[:-1] + ("y" if real.endswith("x") else "x"),
                      "tampered": real + "x"}.get(how)
            path += f"?secret={secret}" if secret else ""
        elif self.proof == "kannel":
            password = {"valid": KANNEL_SECRET, "wrong": "guess", "tampered": KANNEL_SECRET[:-1]}
            if how in password:
                auth = base64.b64encode(f"kannel:{password[how]}".encode()).decode()
                headers["Authorization"] = f"Basic {auth}"
        elif self.proof == "dlr":
            token = {"valid": report_token(KANNEL_SECRET, 1), "wrong": "0" * 32,
                     "tampered": report_token(KANNEL_SECRET, 2)}.get(how)
            form = {**form, **({"token": token} if token else {})}
        elif self.proof == "link":
            path = path.replace("<token>", {"valid": "x", "missing": ""}.get(how, "a.b.c"))
        if self.method == "GET":
            response = client.get(path, query_string=form, headers=headers)
        else:
            response = client.post(path, data=form, headers=headers)
        response.get_data()
        response.close()
        return response


def _sms(settings) -> dict:
    return sms_form(REPORTER, DIALLED, "TIN 15865 co nguoi la mat cho hang cam", "SM" + "1" * 32)


def _call(settings, **extra) -> dict:
    return call_form("CA" + "2" * 32, REPORTER, DIALLED, settings.twilio_account_sid, **extra)


def _ussd(settings) -> dict:
    return {"sessionId": "ATUid_" + "3" * 16, "serviceCode": "*384*38#",
            "phoneNumber": REPORTER, "networkCode": "45204", "text": "1*2*15865*trom xe"}


def _kannel(settings) -> dict:
    return {"id": "4a1b2c3d-0000-4000-8000-000000000009", "from": REPORTER, "to": "8079",
            "text": "TIN 15865 trom bo o thon 3", "coding": "0", "charset": "UTF-8"}


ROUTES = {
    "/webhooks/twilio/sms": Route("POST", "/webhooks/twilio/sms", "twilio", _sms),
    "/webhooks/twilio/status": Route("POST", "/webhooks/twilio/status", "twilio", lambda s: {
        "MessageSid": "SM" + "4" * 32, "MessageStatus": "delivered",
        "AccountSid": s.twilio_account_sid}),
    "/webhooks/twilio/voice": Route("POST", "/webhooks/twilio/voice", "twilio", _call),
    "/webhooks/twilio/voice/step": Route("POST", "/webhooks/twilio/voice/step?n=1", "twilio",
                                         lambda s: _call(s, Digits="1")),
    "/webhooks/twilio/voice/status": Route("POST", "/webhooks/twilio/voice/status", "twilio",
                                           lambda s: _call(s, CallStatus="completed")),
    "/webhooks/twilio/voice/recording": Route(
        "POST", "/webhooks/twilio/voice/recording", "twilio", lambda s: _call(
            s, RecordingSid="RE" + "5" * 32, RecordingStatus="completed", RecordingDuration="9",
            RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{s.twilio_account_sid}"
                         "/Recordings/RE" + "5" * 32)),
    "/webhooks/ussd": Route("POST", "/webhooks/ussd", "ussd", _ussd),
    "/webhooks/kannel/sms": Route("GET", "/webhooks/kannel/sms", "kannel", _kannel),
    "/webhooks/kannel/dlr": Route("GET", "/webhooks/kannel/dlr", "dlr",
                                  lambda s: {"msg": "1", "status": "1", "answer": "id:1 stat:"}),
    "/r/<token>": Route("GET", "/r/<token>", "link", lambda s: {}),
}
REFUSED = {"twilio": 403, "ussd": 403, "kannel": 403, "dlr": 403, "link": 404}
CASES = [(path, how) for path in ROUTES for how in ("missing", "wrong", "tampered")]


def _stored(engine) -> dict[str, int]:
    return {model.__name__: count(engine, model) for model in TABLES}


def test_the_table_names_every_webhook_route(app):
    guarded = {rule.rule for rule in app.url_map.iter_rules()
               if rule.rule.startswith(("/webhooks", "/r/"))}
    assert guarded == set(ROUTES)


@pytest.mark.parametrize("path, how", CASES, ids=[f"{p}-{h}" for p, h in CASES])
def test_a_request_without_a_valid_proof_is_refused_and_stores_nothing(app, path, how):
    svc = app.extensions["tinbao"]
    route = ROUTES[path]
    before = _stored(svc.engine)
    response = route.send(app.test_client(), svc.settings, how)
    assert response.status_code == REFUSED[route.proof], response.get_data(as_text=True)
    assert _stored(svc.engine) == before
    record("attacks_rejected")


REPLAYABLE = ["/webhooks/twilio/sms", "/webhooks/twilio/voice", "/webhooks/twilio/voice/step",
              "/webhooks/ussd", "/webhooks/kannel/sms", "/webhooks/twilio/voice/status"]


@pytest.mark.parametrize("path", REPLAYABLE)
def test_a_valid_request_replayed_creates_nothing_more(app, path):
    svc = app.extensions["tinbao"]
    route, client = ROUTES[path], app.test_client()
    if path == "/webhooks/twilio/voice/status":  # a call that held a tip, then ended twice
        ROUTES["/webhooks/twilio/voice"].send(client, svc.settings, "valid")
    first = route.send(client, svc.settings, "valid")
    assert first.status_code in (200, 204), first.get_data(as_text=True)
    after_first = _stored(svc.engine)
    again = route.send(client, svc.settings, "valid")
    assert again.status_code == first.status_code
    assert again.get_data() == first.get_data()  # the same answer, in case the first was lost
    assert _stored(svc.engine) == after_first
    record("attacks_rejected")


def test_a_replayed_sms_with_a_new_sid_is_merged_not_filed_twice(app):
    """The signature covers the sid; an attacker re-signing cannot, but a carrier resending the
    same text with a fresh sid within seconds is merged into the first (kept, not processed)."""
    svc = app.extensions["tinbao"]
    route, client = ROUTES["/webhooks/twilio/sms"], app.test_client()
    form = _sms(svc.settings)
    route.send(client, svc.settings, "valid", form)
    again = route.send(client, svc.settings, "valid", {**form, "MessageSid": new_sid(),
                                                       "SmsSid": new_sid()})
    assert again.status_code == 200 and "<Message>" not in again.get_data(as_text=True)
    assert count(svc.engine, Tip) == 1 and count(svc.engine, InboundMessage) == 2
    assert count(svc.engine, InboundMessage, InboundMessage.limited == "duplicate") == 1
    record("attacks_rejected")
