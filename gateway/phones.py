"""The simulator's wire to the real webhooks: requests shaped and signed like each gateway's
(Twilio SMS and voice, Africa's Talking USSD), sent through the app's own WSGI stack.

In-process rather than over HTTP, so a single-worker server cannot deadlock on itself; the
webhooks still check the signature or shared secret and run exactly as for a real gateway.
"""

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlencode, urlsplit

from flask import Flask

from gateway.twilio_requests import call_form, new_sid, sign, sms_form

USSD_PATH = "/webhooks/ussd"
VOICE_PATH = "/webhooks/twilio/voice"
SMS_PATH = "/webhooks/twilio/sms"


class Unavailable(RuntimeError):
    """The webhook this phone needs is not part of this server (404/405)."""


@dataclass(frozen=True)
class Wire:
    """Posts to the app in-process, as a gateway at `base` (the URL signatures cover)."""

    app: Flask
    base: str

    def post(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
             ) -> tuple[int, str]:
        """POST a form; returns (status, body). Runs the response's after-close hooks."""
        client = self.app.test_client()
        response = client.post(path, data=form, headers=headers or {}, base_url=self.base)
        try:
            body = response.get_data(as_text=True)
        finally:
            response.close()  # what a WSGI server does once the answer is sent: enqueues jobs
        if response.status_code in (404, 405):
            raise Unavailable(path)
        return response.status_code, body

    def twilio(self, path: str, form: dict[str, str], token: str) -> tuple[int, str]:
        """POST signed with X-Twilio-Signature for base + path."""
        return self.post(path, form, {"X-Twilio-Signature": sign(self.base + path, form, token)})


def send_sms(wire: Wire, token: str, sender: str, receiver: str, text: str) -> list[str]:
    """One SMS to the Twilio SMS webhook; returns the TwiML <Message> replies."""
    status, body = wire.twilio(SMS_PATH, sms_form(sender, receiver, text), token)
    if status != 200:
        return [f"(HTTP {status})"]
    return [unescape(m.text or "") for m in ET.fromstring(body).iter("Message")]


@dataclass(frozen=True)
class UssdScreen:
    """What the handset shows after one USSD hop."""

    text: str
    final: bool


def ussd(wire: Wire, secret: str, session_id: str, phone: str, service_code: str,
         answers: str) -> UssdScreen:
    """One hop of an Africa's Talking USSD session (`answers`: every input so far, '*'-joined)."""
    form = {"sessionId": session_id, "serviceCode": service_code, "phoneNumber": phone,
            "networkCode": "45204", "text": answers}
    status, body = wire.post(f"{USSD_PATH}?{urlencode({'secret': secret})}", form)
    if status != 200:
        return UssdScreen(f"(HTTP {status})", True)
    final = not body.startswith("CON ")
    return UssdScreen(body[4:] if body[:4] in ("CON ", "END ") else body, final)


def new_session_id() -> str:
    """A USSD session id like Africa's Talking's."""
    return "ATUid_" + secrets.token_hex(12)


@dataclass
class CallStep:
    """What a call said, and what it waits for next (nothing: the call is over)."""

    said: list[str] = field(default_factory=list)
    action: str | None = None  # where keys (or a recording) go
    record: bool = False
    digits: int | None = None  # numDigits of a <Gather>
    silence: str | None = None  # where the call goes when nothing is pressed (<Redirect>)


def voice(wire: Wire, token: str, url: str, form: dict[str, str]) -> CallStep:
    """POST one voice request (signed) and read the TwiML that comes back."""
    path = _path(url)
    status, body = wire.twilio(path, form, token)
    if status != 200:
        return CallStep([f"(HTTP {status})"])
    return parse_twiml(body)


def start_call(wire: Wire, token: str, caller: str, called: str) -> tuple[str, CallStep]:
    """Dial the hotline; returns the CallSid and the first step."""
    call_sid = new_sid("CA")
    return call_sid, voice(wire, token, VOICE_PATH, call_form(call_sid, caller, called))


def parse_twiml(xml: str) -> CallStep:
    """<Say>/<Play> as text, and the <Gather>, <Record> or <Redirect> that follows."""
    step = CallStep()
    for node in ET.fromstring(xml).iter():
        if node.tag == "Say":
            step.said.append((node.text or "").strip())
        elif node.tag == "Play":
            step.said.append(f"[audio {node.text or ''}]")
        elif node.tag == "Gather" and step.action is None:
            step.action = node.get("action")
            digits = node.get("numDigits")
            step.digits = int(digits) if digits and digits.isdigit() else None
        elif node.tag == "Record" and step.action is None:
            step.action, step.record = node.get("action"), True
        elif node.tag == "Redirect":
            step.silence = (node.text or "").strip()
    return step


def _path(url: str) -> str:
    """The path and query of an action URL (TwiML may give it absolute or relative)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
