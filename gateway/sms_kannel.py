"""Kannel's smsbox calls: inbound SMS (an sms-service get-url) and delivery reports (dlr-url).

The reply is the plain-text response body: smsbox sends it back to the reporter through the
SMSC the message came by, so answering never waits on Redis or on a provider's API.
"""

import hmac
import re
import urllib.parse

from flask import Blueprint, Response, abort, request
from werkzeug.datastructures import Authorization

from db.delivery import KANNEL, NOT_DELIVERED, report_token
from db.redact import redact
from flows import Channel
from flows.text import number
from gateway.inbound import InboundText, take_sms
from gateway.reports import apply_report
from gateway.services import services
from workers.queues import enqueue_quietly

bp = Blueprint("sms_kannel", __name__)
PATH = "/webhooks/kannel/sms"
UCS2 = "2"
MESSAGE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@bp.get(PATH)
def inbound_sms():
    """Store and answer one SMS from Kannel; jobs are enqueued after the response is sent.
    With SMS_REPLY=queued: keep it, answer with an empty body (no SMS), a worker replies."""
    svc = services()
    if not _secret_matches(svc.settings.kannel_secret):
        abort(403)
    msg = message_of(raw_query())
    if msg is None:
        return Response("missing id or from", status=400, mimetype="text/plain")
    received = take_sms(svc, msg)
    response = Response(received.reply, mimetype="text/plain")
    response.call_on_close(lambda: received.after_commit(svc.redis))
    return response


@bp.get("/webhooks/kannel/dlr")
def delivery_report():
    """A Kannel delivery report on one of our messages, proven by the token in its dlr-url."""
    svc = services()
    outbound = number(request.args.get("msg", ""))
    if not _token_matches(svc.settings.kannel_secret, outbound, request.args.get("token", "")):
        abort(403)
    status = KANNEL.get(request.args.get("status", ""))
    if status is None:
        return Response("ignored", mimetype="text/plain")
    error = dlr_error(request.args.get("status", ""), request.args.get("answer", ""))
    jobs = apply_report(svc, status, error if status in NOT_DELIVERED else None,
                        outbound_id=outbound)
    response = Response("ok", mimetype="text/plain")
    if jobs:
        response.call_on_close(lambda: enqueue_quietly(svc.redis, jobs))
    return response


def raw_query(query: str | None = None) -> dict[str, bytes]:
    """The query string (this request's unless given, as WSGI gives it: latin-1) with values as
    bytes: Kannel's %b is raw (UTF-16BE for UCS-2 SMS)."""
    if query is None:
        query = request.query_string.decode("latin-1")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, encoding="latin-1")
    return {key: value.encode("latin-1") for key, value in pairs}


def message_of(query: dict[str, bytes]) -> InboundText | None:
    """The SMS smsbox's get-url carries; None without a well-formed id or a sender (400)."""
    message_id = _text(query.get("id", b""))
    sender = _text(query.get("from", b""))
    if not MESSAGE_ID.match(message_id) or not sender:
        return None
    return InboundText(
        channel=Channel.SMS,
        provider_id=f"kannel:{message_id}",
        sender=sender,
        receiver=_text(query.get("to", b"")),
        body=decode_text(query.get("text", b""), _text(query.get("coding", b"")),
                         _text(query.get("charset", b""))),
        reply_provider="kannel",
    )


def decode_text(raw: bytes, coding: str, charset: str) -> str:
    """Kannel's %b payload as text: UTF-16BE when the SMS was UCS-2, else its charset (%C)."""
    charset = charset.strip().upper()
    if coding.strip() == UCS2 or charset in ("UTF-16BE", "UCS-2", "UCS2"):
        return raw.decode("utf-16-be", "replace")
    for name in (charset, "utf-8"):
        try:
            return raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")  # "8-BIT" data that is not UTF-8: keep every byte visible


def dlr_error(status: str, answer: str) -> str:
    """A short failure reason from a report: the SMSC's stat/err codes, never the text."""
    codes = re.findall(r"\b(?:stat|err):\w+", answer)
    detail = " ".join(codes) if codes else answer.split(" ", 1)[0][:40]
    return redact(f"kannel dlr {status} {detail}".strip())


def _secret_matches(secret: str) -> bool:
    """The shared secret, as the password of HTTP Basic auth or a `secret` query parameter."""
    return secret_matches(secret, request.authorization, request.args.get("secret", ""))


def secret_matches(secret: str, auth: Authorization | None, query_secret: str) -> bool:
    """Whether the Basic auth password, else the query's `secret`, is the configured secret
    (none configured: nothing matches)."""
    given = auth.password if auth is not None and auth.password else query_secret
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


def _token_matches(secret: str, outbound: int | None, token: str) -> bool:
    """The dlr-url's token is the one we made for this message id (see db.delivery)."""
    if not secret or outbound is None:
        return False
    return hmac.compare_digest(token.encode(), report_token(secret, outbound).encode())


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace").strip()
