"""SMS_REPLY=queued: the SMS webhooks taken below Flask when the request is plainly good.

Queued, an SMS webhook's whole work is one authentication check and one INSERT (db.inbox), and
Flask's request context, hooks and request object cost as much CPU again (docs/benchmarks.md).
create_app puts this WSGI layer in front of the app in queued mode. It takes Twilio's POST and
Kannel's GET to the SMS routes itself when they are well formed and authenticated the plain way
(a Twilio form with one value per field signed for the URL as called; Kannel's secret); it hands
every other request to Flask untouched (a form body put back), and so it does with one it cannot
take: no signature or a wrong one (Twilio's port variants, then 403), a missing id or sender
(400), an oversized body (413), an unexpected error (500). Its answers, the wake after the
response and its 503 while the database is out are the Flask app's.
"""

import io
import logging
import urllib.parse
from collections.abc import Callable, Iterable
from hmac import compare_digest

from twilio.request_validator import RequestValidator
from werkzeug.datastructures import Authorization
from werkzeug.wsgi import ClosingIterator, get_current_url

from db.session import UNAVAILABLE
from gateway import outage, security, sms_kannel, sms_twilio
from gateway.inbound import InboundText, keep_sms
from gateway.services import Services

FORM = "application/x-www-form-urlencoded"
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
log = logging.getLogger(__name__)


class QueuedSms:
    """WSGI middleware: keep a good queued SMS without Flask, pass the rest to it."""

    def __init__(self, app: WSGIApp, svc: Services, max_length: int):
        self.app, self.svc, self.max_length = app, svc, max_length
        settings = svc.settings
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.base, self.secret = settings.public_base_url, settings.kannel_secret
        self.routes = {  # (method, path): (reader, reads a form body, answer's type, answer)
            ("POST", sms_twilio.PATH): (self._twilio, True, "application/xml",
                                        sms_twilio.NO_REPLY.encode()),
            ("GET", sms_kannel.PATH): (self._kannel, False, "text/plain", b"")}
        self.hsts = self.base.startswith("https://")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        route = self.routes.get((environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")))
        if route is None:
            return self.app(environ, start_response)
        read, form, mimetype, answer = route
        body = self._body(environ) if form else b""
        try:
            msg = read(environ, body) if body is not None else None
            taken = keep_sms(self.svc, msg) if msg is not None else None
        except UNAVAILABLE as error:  # answered at once, as Flask would: nothing was kept
            refusal = outage.unavailable(error)
            refusal.headers.extend(self._headers(environ))
            return refusal(environ, start_response)
        except Exception as error:  # Flask takes the request again and answers its way
            log.warning("queued SMS passed to Flask after %s", type(error).__name__)
            taken = None
        if taken is None:
            if body:
                environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        start_response("200 OK", [("Content-Type", f"{mimetype}; charset=utf-8"),
                                  ("Content-Length", str(len(answer))),
                                  *self._headers(environ)])
        return ClosingIterator([answer], lambda: taken.after_commit(self.svc.redis))

    def _headers(self, environ: dict) -> list[tuple[str, str]]:
        """The security headers the app's own answers carry (HSTS when https)."""
        return security.headers(self.hsts or environ.get("wsgi.url_scheme") == "https")

    def _body(self, environ: dict) -> bytes | None:
        """The form body, read whole; None (nothing read) unless a form of a known size."""
        if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != FORM:
            return None
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or int(length) > self.max_length:
            return None
        return environ["wsgi.input"].read(int(length))

    def _twilio(self, environ: dict, body: bytes) -> InboundText | None:
        """Twilio's SMS, or None when Flask must answer this request."""
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
        msg = sms_twilio.message_of(form) if len(form) == len(pairs) else None
        url = self.base + sms_twilio.PATH if self.base else get_current_url(environ)
        if msg is None or not compare_digest(self.validator.compute_signature(url, form),
                                             signature):
            return None
        return msg

    def _kannel(self, environ: dict, body: bytes) -> InboundText | None:
        """Kannel's SMS, or None when Flask must answer this request."""
        query = sms_kannel.raw_query(environ.get("QUERY_STRING", ""))
        auth = Authorization.from_header(environ.get("HTTP_AUTHORIZATION"))
        given = query.get("secret", b"").decode("utf-8", "replace")
        if not sms_kannel.secret_matches(self.secret, auth, given):
            return None
        return sms_kannel.message_of(query)
