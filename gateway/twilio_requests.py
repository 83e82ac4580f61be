"""Requests shaped and signed exactly like Twilio's webhooks (CLI, simulator and tests)."""

import secrets
import urllib.error
import urllib.parse
import urllib.request

from twilio.request_validator import RequestValidator


def new_sid(prefix: str = "SM") -> str:
    """A Twilio-style 34-character sid."""
    return prefix + secrets.token_hex(16)


def sms_form(sender: str, receiver: str, body: str, sid: str | None = None,
             account_sid: str = "AC" + "0" * 32) -> dict[str, str]:
    """Every field Twilio posts for an inbound SMS."""
    sid = sid or new_sid()
    return {
        "ToCountry": "VN", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
        "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
        "Body": body, "FromCountry": "VN", "To": receiver, "MessagingServiceSid": "",
        "ToZip": "", "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
        "AccountSid": account_sid, "From": sender, "ApiVersion": "2010-04-01",
    }


def call_form(call_sid: str, caller: str, called: str, account_sid: str = "AC" + "0" * 32,
              **extra: str) -> dict[str, str]:
    """The fields Twilio posts on every request of an inbound call, plus `extra`."""
    return {"AccountSid": account_sid, "ApiVersion": "2010-04-01", "CallSid": call_sid,
            "CallStatus": "in-progress", "Called": called, "Caller": caller,
            "Direction": "inbound", "From": caller, "To": called, "FromCountry": "VN",
            "ToCountry": "VN", **extra}


def sign(url: str, form: dict[str, str], token: str) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, form)


def post_signed(url: str, form: dict[str, str], token: str, timeout: float = 10) -> tuple[int, str]:
    """POST a signed webhook; returns (HTTP status, body text)."""
    headers = {"X-Twilio-Signature": sign(url, form, token), "User-Agent": "TwilioProxy/1.1"}
    return post_form(url, form, headers, timeout)


def post_form(url: str, form: dict[str, str], headers: dict[str, str] | None = None,
              timeout: float = 10) -> tuple[int, str]:
    """POST a form like a provider's webhook; returns (HTTP status, body text)."""
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
