"""SMS_REPLY=queued: Twilio's SMS webhook taken below Flask when the request is plainly good.

Queued, the SMS webhook's whole work is one signature check and one INSERT (db.inbox), and
Flask's request context, hooks and request object cost as much CPU again (docs/benchmarks.md).
create_app puts this WSGI layer in front of the app in queued mode. It takes a POST to the SMS
route itself when it is well formed, carries one value per field, and is signed for the URL as
called; it hands every other request to Flask untouched (the body put back), and so does it with
one it cannot take: no signature or a wrong one (Twilio's port variants, then 403), a missing
sid or sender (400), an oversized body (413), an unexpected error (500). Its answers, the
wake after the response and its 503 while the database is out are the Flask app's.
"""

import io
import urllib.parse
from collections.abc import Callable, Iterable
from hmac import compare_digest

from twilio.request_validator import RequestValidator
from werkzeug.wsgi import ClosingIterator, get_current_url

from db.session import UNAVAILABLE
from flows import Channel
from gateway import outage, security
from gateway.inbound import InboundText, keep_sms
from gateway.services import Services
from gateway.sms_twilio import NO_REPLY
from gateway.twilio_auth import sid as twilio_sid

PATH = "/webhooks/twilio/sms"
FORM = "application/x-www-form-urlencoded"
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class QueuedSms:
    """WSGI middleware: keep a good queued Twilio SMS without Flask, pass the rest to it."""

    def __init__(self, app: WSGIApp, svc: Services, max_length: int):
        self.app, self.svc, self.max_length = app, svc, max_length
        self.validator = RequestValidator(svc.settings.twilio_auth_token)
        self.base = svc.settings.public_base_url
        self.body = NO_REPLY.encode()
        self.headers = [("Content-Type", "application/xml; charset=utf-8"),
                        ("Content-Length", str(len(self.body)))]
        self.https_headers = self.headers + security.headers(https=True)
        self.headers += security.headers(https=self.base.startswith("https://"))
        self.http_only = "Strict-Transport-Security" not in dict(self.headers)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        body = self._body(environ)
        try:
            taken = self._take(environ, body) if body is not None else None
        except UNAVAILABLE as error:  # answered at once, as Flask would: nothing was kept
            answer = outage.unavailable(error)
            answer.headers.extend(security.headers(not self._plain(environ)))
            return answer(environ, start_response)
        except Exception:  # anything else: Flask takes the request again and answers its way
            taken = None
        if taken is None:
            if body is not None:
                environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        start_response("200 OK", list(self.headers if self._plain(environ) else self.https_headers))
        return ClosingIterator([self.body], lambda: taken.after_commit(self.svc.redis))

    def _plain(self, environ: dict) -> bool:
        """Whether the answer goes without HSTS: neither the public URL nor this request https."""
        return self.http_only and environ.get("wsgi.url_scheme") != "https"

    def _body(self, environ: dict) -> bytes | None:
        """The form body, read whole; None (nothing read) unless a form of a known size."""
        if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != FORM:
            return None
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or int(length) > self.max_length:
            return None
        return environ["wsgi.input"].read(int(length))

    def _take(self, environ: dict, body: bytes):
        """The kept message's Received, or None when Flask must answer this request."""
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
        if (not signature or environ.get("QUERY_STRING")
                or environ.get("HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS")
                or len(body) != int(environ["CONTENT_LENGTH"])):
            return None
        try:
            pairs = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True,
                                           errors="strict")
        except (UnicodeDecodeError, ValueError):
            return None
        form = dict(pairs)
        provider_sid = twilio_sid(form.get("MessageSid") or form.get("SmsSid"))
        if len(form) != len(pairs) or not provider_sid or not form.get("From"):
            return None
        url = self.base + PATH if self.base else get_current_url(environ)
        if not compare_digest(self.validator.compute_signature(url, form), signature):
            return None
        return keep_sms(self.svc, InboundText(
            channel=Channel.SMS, provider_id=f"twilio:{provider_sid}", sender=form["From"],
            receiver=form.get("To", ""), body=form.get("Body", ""), reply_provider="twilio"))
