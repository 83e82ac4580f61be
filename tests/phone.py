"""Drive a USSD session (Africa's Talking) or a call (Twilio) against the test client, the way
those gateways do: cumulative '*' input, and TwiML action URLs followed as returned."""

import secrets
import xml.etree.ElementTree as ET

from gateway.twilio_requests import call_form, new_sid
from tests.helpers import BASE, DIALLED, REPORTER, post_twilio

SERVICE_CODE = "*384*38#"


class UssdSession:
    """One USSD session; `send(None)` is the first request (empty text)."""

    def __init__(self, client, settings, phone: str = REPORTER, session_id: str | None = None):
        self.client, self.settings, self.phone = client, settings, phone
        self.session_id = session_id or "ATUid_" + secrets.token_hex(16)
        self.text: str | None = None

    def form(self, text: str) -> dict:
        """Every field Africa's Talking posts."""
        return {"sessionId": self.session_id, "serviceCode": SERVICE_CODE,
                "phoneNumber": self.phone, "networkCode": "45204", "text": text}

    def post(self, text: str, secret: str | None = None):
        """POST one hop with this text (the secret in the query string by default)."""
        secret = self.settings.ussd_secret if secret is None else secret
        response = self.client.post(f"/webhooks/ussd?secret={secret}", data=self.form(text))
        response.get_data()
        response.close()  # runs call_on_close hooks, as a WSGI server would
        return response

    def send(self, answer: str | None = None) -> str:
        """Answer the current screen (None: open the session); returns 'CON …' or 'END …'."""
        if answer is None:
            self.text = ""
        else:
            self.text = answer if not self.text else f"{self.text}*{answer}"
        response = self.post(self.text)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/plain"
        return response.get_data(as_text=True)


class Call:
    """One call to the voice hotline, following the TwiML it gets back."""

    def __init__(self, client, settings, caller: str = REPORTER, sid: str | None = None):
        self.client, self.settings, self.caller = client, settings, caller
        self.sid = sid or new_sid("CA")
        self.twiml: ET.Element | None = None

    def form(self, **extra: str) -> dict:
        """The fields Twilio posts on every request of a call."""
        return call_form(self.sid, self.caller, DIALLED, self.settings.twilio_account_sid,
                         **extra)

    def post(self, url: str, **extra: str):
        """POST a signed request to a URL (path and query) as Twilio would."""
        response = post_twilio(self.client, url, self.form(**extra),
                               self.settings.twilio_auth_token,
                               base=self.settings.public_base_url or BASE)
        assert response.status_code in (200, 204), (url, response.status_code)
        if response.status_code == 200:
            self.twiml = ET.fromstring(response.get_data())
        return response

    def start(self) -> ET.Element:
        """The call is answered."""
        self.post("/webhooks/twilio/voice", CallStatus="ringing")
        return self.twiml

    def element(self, tag: str) -> ET.Element:
        """The first element of the current TwiML with this tag."""
        found = self.twiml.find(f".//{tag}")
        assert found is not None, f"no <{tag}> in {ET.tostring(self.twiml).decode()}"
        return found

    def press(self, digits: str) -> ET.Element:
        """Key in digits at the current <Gather>."""
        self.post(self.element("Gather").get("action"), Digits=digits)
        return self.twiml

    def say(self, words: str) -> ET.Element:
        """Speak at the current <Gather> (speech recognition's result)."""
        self.post(self.element("Gather").get("action"), SpeechResult=words, Confidence="0.9")
        return self.twiml

    def silence(self) -> ET.Element:
        """Say nothing: Twilio falls through to the <Redirect>."""
        self.post(self.element("Redirect").text)
        return self.twiml

    def record(self, url: str, seconds: int = 20, digits: str = "#") -> ET.Element:
        """Finish the current <Record> (digits 'hangup' when the caller hung up)."""
        self.post(self.element("Record").get("action"), RecordingUrl=url,
                  RecordingDuration=str(seconds), RecordingSid="RE" + url[-32:], Digits=digits)
        return self.twiml

    def recording_ready(self, url: str, seconds: int = 20):
        """Twilio's recording status callback."""
        return self.post("/webhooks/twilio/voice/recording", RecordingUrl=url,
                         RecordingSid="RE" + url[-32:], RecordingStatus="completed",
                         RecordingDuration=str(seconds), RecordingChannels="1",
                         RecordingSource="RecordVerb")

    def hang_up(self, status: str = "completed"):
        """The call status callback at the end of the call."""
        return self.post("/webhooks/twilio/voice/status", CallStatus=status, CallDuration="42")

    def said(self) -> str:
        """Everything the current TwiML says, in order."""
        return " ".join(e.text or "" for e in self.twiml.iter("Say"))


def recording_url(settings, base: str = "https://api.twilio.com") -> str:
    """A Recording URL as Twilio reports it (no file extension)."""
    return (f"{base}/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/"
            f"RE{secrets.token_hex(16)}")
