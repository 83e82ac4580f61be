"""POST /webhooks/ussd: Africa's Talking's USSD callback (form in, 'CON …' / 'END …' out).

Another USSD gateway's format is another module like this one: parse, provider_id, respond.
"""

import hashlib
import re
from collections.abc import Mapping

from flask import Blueprint

from gateway import ussd
from gateway.ussd import Adapter, UssdRequest, ussd_authorized

bp = Blueprint("ussd_africastalking", __name__)
SESSION = re.compile(r"[\w.:-]{1,64}", re.ASCII)  # ATUid_… ; no NUL or spaces in a key


@bp.post("/webhooks/ussd")
@ussd_authorized
def inbound_ussd():
    """One hop of an Africa's Talking USSD session."""
    return ussd.answer(ADAPTER)


def parse(form: Mapping[str, str]) -> UssdRequest | None:
    """The request in tinbao's terms, or None when it lacks a session or a phone number."""
    session_id = (form.get("sessionId") or "").strip()
    phone = (form.get("phoneNumber") or "").strip()
    if not SESSION.fullmatch(session_id) or not phone:
        return None
    return UssdRequest(session_id=session_id[:64], phone=phone,
                       service_code=(form.get("serviceCode") or "").strip(),
                       answers=form.get("text") or "")


def provider_id(hop: UssdRequest) -> str:
    """One id per hop: the same (sessionId, text) delivered twice is the same hop."""
    digest = hashlib.sha256(hop.answers.encode()).hexdigest()[:10]
    return f"at:{hop.session_id[:48]}:{len(hop.answers)}:{digest}"


def respond(screen: str, final: bool) -> str:
    """'CON <screen>' while waiting for input, 'END <screen>' when the session is over."""
    return ("END " if final else "CON ") + screen


ADAPTER = Adapter(parse, provider_id, respond, "text/plain")
