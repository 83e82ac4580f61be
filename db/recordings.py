"""Call recordings: the tip a call filed, adding a late recording to it, and signed links."""

import base64
import hashlib
import hmac
import string
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import store
from db.models import InboundMessage, Tip
from db.session import reading
from db.settings import Settings

TOKEN_LENGTH = 19  # reference (6) + expiry minute in base 36 (5) + signature (8)
_DIGITS36 = string.digits + string.ascii_lowercase


def hop_id(call_sid: str, hop: int | str) -> str:
    """InboundMessage.provider_id of one request of a call (unique per hop)."""
    return f"twilio:{call_sid}:{hop}"


def call_tip(session: Session, key: str) -> Tip | None:
    """The tip filed by the call behind conversation key 'voice:<CallSid>', if any."""
    call_sid = key.split(":", 1)[-1]
    query = (select(Tip).join(InboundMessage, InboundMessage.tip_id == Tip.id)
             .where(InboundMessage.tip_id.is_not(None),  # ix_inboundmessage_tip_provider
                    InboundMessage.provider_id.startswith(hop_id(call_sid, ""), autoescape=True))
             .order_by(Tip.id).limit(1).with_for_update())
    return session.execute(query).scalars().first()


def attach(session: Session, key: str, url: str, now: datetime) -> bool:
    """Add a recording to the tip its call filed; False when the call filed no tip."""
    tip = call_tip(session, key) if key.startswith("voice:") else None
    if tip is None:
        return False
    if not tip.recording_url:
        tip.recording_url = url
        store.add_event(session, tip.id, "recording_added", now, "reporter:voice")
    return True


def recording_of(engine: Engine, reference: str) -> str | None:
    """The recording URL of the tip with this reference, if it has one."""
    with reading(engine) as session:
        return session.execute(
            select(Tip.recording_url).where(Tip.reference == reference)
        ).scalar_one_or_none()


def link(settings: Settings, reference: str, now: datetime) -> str:
    """A short-lived link through the gateway to a tip's recording (fits an officer's SMS)."""
    expires = int(now.timestamp() // 60) + settings.recording_link_hours * 60
    minute = _base36(expires).rjust(5, "0")[-5:]
    base = settings.public_base_url or f"http://{settings.host}:{settings.port}"
    return f"{base}/r/{reference}{minute}{_signature(settings.secret_key, reference, minute)}"


def reference_of(secret_key: str, token: str, now: datetime) -> str | None:
    """The tip reference a link token was signed for, or None if forged or expired."""
    if len(token) != TOKEN_LENGTH or not token[:6].isdigit():
        return None
    reference, minute, signature = token[:6], token[6:11], token[11:]
    if not hmac.compare_digest(signature, _signature(secret_key, reference, minute)):
        return None
    if int(minute, 36) * 60 < now.timestamp():
        return None
    return reference


def _signature(secret_key: str, reference: str, minute: str) -> str:
    key = hashlib.sha256(b"tinbao-recording-link:" + secret_key.encode()).digest()
    digest = hmac.new(key, f"{reference}.{minute}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:8]


def _base36(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = _DIGITS36[rest] + out
    return out or "0"
