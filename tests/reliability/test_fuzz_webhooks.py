"""Hypothesis drives every webhook with random sequences of requests: any Unicode, control
characters, empty and very long values, numbers where text belongs and text where numbers
belong, missing fields, repeated ids, unsigned requests, raw bytes from Kannel.

Invariants: no 500, ever (only 200, 204, 400, 403, 404, 413); every 200 from a Twilio route is
XML whose root is <Response>; every USSD answer is 'CON ' or 'END ' and a screen of at most
182 characters; and, after each run, the database is consistent (see `consistent`).
"""

import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule
from sqlalchemy import func, select

from db.delivery import report_token
from db.models import FlowSession, InboundMessage, OutboundMessage, RecipientKind, Tip, TipEvent
from db.privacy import AddressError
from db.session import reading
from gateway import create_app
from gateway.twilio_requests import call_form, new_sid, sign, sms_form
from tests.conftest import make_settings
from tests.helpers import BASE, DIALLED
from tests.privacy import REPORTERS, watch
from tests.summary import record

EXAMPLES = 400  # runs of up to STEPS requests each: about 4,000 requests
STEPS = 24
ALLOWED = {200, 204, 400, 403, 404, 413}
SECRET = "fuzz-kannel-" + "9" * 16
ANY = st.text(max_size=60)
VALUES = st.one_of(ANY, st.text(min_size=500, max_size=4000), st.sampled_from(
    ["", "0", "-1", "1.5", "99999999999999999999", "abc", "\x00", "\ud7ff", "TIN 15865 trom",
     "1*2*15865*trom xe", "#", "*", "00", "TT 123456 1234", "OK 123456", "None", "[]"]))
SENDERS = st.one_of(st.sampled_from(REPORTERS), st.sampled_from(
    ["", "anonymous", "+266696687", "client:alice", "VIETTEL", "0", "+84"]))
SETTINGS = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                    derandomize=True, database=None, phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _form(draw_fields: dict, drop: list[str]) -> dict:
    return {k: v for k, v in draw_fields.items() if k not in drop}


class Webhooks(RuleBasedStateMachine):
    """Random traffic on every channel against one app and database."""

    app = None

    def __init__(self):
        super().__init__()
        self.client = self.app.test_client()
        self.settings = self.app.extensions["tinbao"].settings
        self.sids = [new_sid() for _ in range(3)]
        self.calls = [new_sid("CA") for _ in range(3)]
        record("fuzz_examples")  # one per state machine Hypothesis runs

    def _check(self, response, kind: str) -> None:
        record("fuzz_steps")
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code in ALLOWED, (response.status_code, body[:500])
        if response.status_code != 200:
            return
        if kind == "twiml":
            assert ET.fromstring(body).tag == "Response"
        elif kind == "ussd":
            assert body.startswith(("CON ", "END ")) and len(body) - 4 <= 182, body

    def _twilio(self, path: str, form: dict, signed: bool) -> None:
        token = self.settings.twilio_auth_token if signed else "wrong"
        headers = {"X-Twilio-Signature": sign(BASE + path, form, token)}
        self._check(self.client.post(path, data=form, headers=headers), "twiml")

    @rule(body=VALUES, sender=SENDERS, sid=st.integers(0, 3), drop=st.lists(
        st.sampled_from(["MessageSid", "SmsSid", "From", "Body", "To"]), max_size=3),
        signed=st.booleans())
    def sms(self, body, sender, sid, drop, signed):
        sid = self.sids[sid] if sid < 3 else new_sid()
        form = _form(sms_form(sender, DIALLED, body, sid), drop)
        self._twilio("/webhooks/twilio/sms", form, signed or sid in self.sids)

    @rule(session=st.integers(0, 2), text=VALUES, phone=SENDERS, append=st.booleans(),
          drop=st.lists(st.sampled_from(["sessionId", "phoneNumber", "text"]), max_size=2),
          header=st.booleans())
    def ussd(self, session, text, phone, append, drop, header):
        if append:
            text = "1*2*15865*" + text
        form = _form({"sessionId": f"ATUid_fuzz{session}", "serviceCode": "*384*38#",
                      "phoneNumber": phone, "networkCode": "45204", "text": text}, drop)
        secret = self.settings.ussd_secret
        if header:
            response = self.client.post("/webhooks/ussd", data=form,
                                        headers={"X-USSD-Secret": secret})
        else:
            response = self.client.post(f"/webhooks/ussd?secret={secret}", data=form)
        self._check(response, "ussd")

    @rule(call=st.integers(0, 2), hop=st.one_of(st.integers(-2, 30).map(str), VALUES),
          caller=SENDERS, fields=st.dictionaries(st.sampled_from(
              ["Digits", "SpeechResult", "RecordingUrl", "RecordingDuration", "Confidence"]),
              VALUES, max_size=3), noinput=st.booleans())
    def voice(self, call, hop, caller, fields, noinput):
        query = urllib.parse.urlencode({"n": hop, **({"noinput": "1"} if noinput else {})})
        path = "/webhooks/twilio/voice" if hop == "0" else f"/webhooks/twilio/voice/step?{query}"
        form = call_form(self.calls[call], caller, DIALLED, self.settings.twilio_account_sid,
                         **fields)
        self._twilio(path, form, True)

    @rule(call=st.integers(0, 2), status=st.sampled_from(["completed", "busy", "ringing", "x"]),
          url=VALUES, recording=st.booleans())
    def voice_callbacks(self, call, status, url, recording):
        form = call_form(self.calls[call], REPORTERS[call], DIALLED,
                         self.settings.twilio_account_sid, CallStatus=status)
        if recording:
            form.update(RecordingUrl=url, RecordingSid="RE" + "1" * 32,
                        RecordingStatus=status if status != "completed" else "completed")
        path = "/webhooks/twilio/voice/" + ("recording" if recording else "status")
        self._twilio(path, form, True)

    @rule(sid=VALUES, status=VALUES | st.sampled_from(["delivered", "undelivered", "sent"]))
    def status_callback(self, sid, status):
        self._twilio("/webhooks/twilio/status", {"MessageSid": sid, "MessageStatus": status,
                                                 "ErrorCode": "30003"}, True)

    @rule(text=st.binary(max_size=300), sender=SENDERS, coding=st.sampled_from(
        ["", "0", "1", "2", "x"]), charset=st.sampled_from(["", "UTF-8", "UTF-16BE", "ISO-8859-1",
                                                           "nonsense"]), ident=VALUES)
    def kannel(self, text, sender, coding, charset, ident):
        query = urllib.parse.urlencode({"id": ident, "from": sender, "to": "8079",
                                        "coding": coding, "charset": charset, "secret": SECRET})
        query += "&text=" + urllib.parse.quote_from_bytes(text)
        self._check(self.client.get(f"/webhooks/kannel/sms?{query}"), "text")

    @rule(msg=st.one_of(st.integers(-1, 50).map(str), VALUES), status=VALUES,
          valid=st.booleans())
    def kannel_dlr(self, msg, status, valid):
        token = report_token(SECRET, int(msg)) if valid and msg.isdigit() else "0" * 32
        self._check(self.client.get("/webhooks/kannel/dlr", query_string={
            "msg": msg, "status": status, "token": token, "answer": "id:1 stat:UNDELIV"}),
            "text")


def consistent(engine, keyring) -> None:
    """The database after any traffic: tips have their first event and unique references,
    stored links point to rows, conversations are readable, reporters' addresses sealed."""
    with reading(engine) as session:
        tips = session.execute(select(Tip)).scalars().all()
        received = set(session.execute(select(TipEvent.tip_id).where(
            TipEvent.kind == "received")).scalars())
        assert {t.id for t in tips} <= received
        assert len({t.reference for t in tips}) == len(tips)
        ids = {t.id for t in tips}
        linked = set(session.execute(select(InboundMessage.tip_id).where(
            InboundMessage.tip_id.is_not(None))).scalars())
        assert linked <= ids
        for row in session.execute(select(FlowSession)).scalars():
            assert row.state.get("node") or row.state.get("flow") == "relay"
        for msg in session.execute(select(OutboundMessage).where(
                OutboundMessage.recipient_kind == RecipientKind.REPORTER)).scalars():
            if msg.address:
                try:
                    keyring.unseal(msg.address)
                except AddressError:
                    pytest.fail(f"outbound {msg.id}: reply address not sealed by our key")
        assert session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()


def test_every_webhook_takes_any_request_without_a_500(database_url, redis_url, officers):
    app = create_app(make_settings(database_url, redis_url, KANNEL_SECRET=SECRET))
    app.config["TESTING"] = True
    watch(app)
    Webhooks.app = app
    machine = Webhooks.TestCase
    machine.settings = SETTINGS
    try:
        machine().runTest()
        svc = app.extensions["tinbao"]
        consistent(svc.engine, svc.keyring)
    finally:
        app.extensions["tinbao"].engine.dispose()


def test_with_queued_replies_every_kept_message_is_taken(database_url, redis_url, officers):
    """The same traffic with SMS_REPLY=queued: no 500 either, and once the workers have run,
    every SMS the webhooks kept has been taken into its conversation (the inbox is empty)."""
    from db.models import InboxMessage
    from tests.helpers import run_worker
    from workers import runtime

    settings_ = make_settings(database_url, redis_url, KANNEL_SECRET=SECRET, SMS_REPLY="queued")
    app = create_app(settings_)
    app.config["TESTING"] = True
    watch(app)
    Webhooks.app = app
    machine = Webhooks.TestCase
    machine.settings = settings(parent=SETTINGS, max_examples=EXAMPLES // 8)
    rt = runtime.init(settings_)
    try:
        machine().runTest()
        with reading(rt.engine) as session:
            kept = session.execute(select(func.count()).select_from(InboxMessage)).scalar_one()
        run_worker(rt.redis)
        with reading(rt.engine) as session:
            assert session.execute(select(func.count()).select_from(InboxMessage)).scalar_one() == 0
            taken = session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()
        assert kept and taken >= kept
        consistent(rt.engine, rt.keyring)
    finally:
        rt.close()
        runtime._current = None
        app.extensions["tinbao"].engine.dispose()
