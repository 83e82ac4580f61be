"""USSD on the tip flow, for any gateway's format: shared-secret check, screens, one hop."""

import hmac
import ipaddress
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps

from flask import Response, abort, request

import flows
from db.conversations import Turn
from flows import Channel
from flows.text import USSD_SCREEN_MAX, gsm7_length, shorten, to_gsm7
from gateway.inbound import InboundText, receive_text
from gateway.services import services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UssdRequest:
    """One USSD hop as any gateway adapter hands it over."""

    session_id: str
    phone: str
    service_code: str
    answers: str  # every answer of the session so far, joined by '*'


@dataclass(frozen=True)
class Adapter:
    """One USSD gateway's format: its request parsed, one id per hop, its answer written."""

    parse: Callable[[Mapping[str, str]], UssdRequest | None]
    provider_id: Callable[[UssdRequest], str]
    respond: Callable[[str, bool], str]  # (screen, final) -> response body
    mimetype: str


def authorized() -> bool:
    """The shared secret (?secret= or X-USSD-Secret) matches, from an allowed address."""
    settings = services().settings
    given = request.args.get("secret") or request.headers.get("X-USSD-Secret") or ""
    if not settings.ussd_secret or not hmac.compare_digest(given.encode(),
                                                           settings.ussd_secret.encode()):
        return False
    return not settings.ussd_allowed_ips or _allowed(request.remote_addr or "",
                                                     settings.ussd_allowed_ips)


def _allowed(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def ussd_authorized(view):
    """Decorator: 403 (and nothing stored) unless the gateway proved it knows the secret."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not authorized():
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def screen(turn: Turn) -> tuple[str, bool]:
    """The USSD screen of a turn (GSM-7, at most 182 characters) and whether it is the last."""
    step = turn.step
    text = _gsm7_lines(flows.render_all(step.prompts, step.language, Channel.USSD.value, "\n"))
    if gsm7_length(text) > USSD_SCREEN_MAX:  # the screen walk test keeps this from happening
        log.warning("USSD screen of %s characters cut to fit", gsm7_length(text))
        text = shorten(text, USSD_SCREEN_MAX)
    return text, step.state is None


def _gsm7_lines(text: str) -> str:
    """GSM-7 on every line, keeping the line breaks of a menu."""
    return "\n".join(to_gsm7(line) for line in text.split("\n"))


def answer(adapter: Adapter) -> Response:
    """Answer one USSD hop in the adapter's format at once; the receipt SMS and the dispatch
    are enqueued after the response is sent."""
    hop = adapter.parse(request.form)
    if hop is None:
        return Response("missing session id or phone number", status=400)
    svc = services()
    received = receive_text(svc, InboundText(
        channel=Channel.USSD,
        provider_id=adapter.provider_id(hop),
        sender=hop.phone,
        receiver=hop.service_code,
        body=hop.answers,
        conversation=hop.session_id,
        cumulative=True,
        receipt_by_sms=True,
    ), render=lambda turn: adapter.respond(*screen(turn)))
    response = Response(received.reply, mimetype=adapter.mimetype)
    response.call_on_close(lambda: received.after_commit(svc.redis))
    return response
