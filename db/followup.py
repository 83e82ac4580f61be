"""A reporter checking on their tip: reference + PIN, with a lock after repeated wrong PINs."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from db import store
from db.models import Tip
from db.privacy import Keyring

LOCK_AFTER = 5
LOCK_FOR = timedelta(hours=1)
VIETNAM = timedelta(hours=7)  # dates shown to reporters are Vietnam's (UTC+7, no DST)


def open_tip(session: Session, keyring: Keyring, reference: str, pin: str,
             now: datetime) -> Tip | None:
    """The tip if reference and PIN match and it is not locked; None otherwise.

    Unknown reference, wrong PIN and locked reference look the same to the caller, so the
    answer never tells whether a reference exists. Five wrong PINs lock it for an hour.
    """
    reference = "".join(reference.split())
    tip = session.execute(
        select(Tip).where(Tip.reference == reference).with_for_update()
    ).scalar_one_or_none()
    if tip is None:
        return None
    if tip.pin_locked_until is not None and tip.pin_locked_until > now:
        return None
    if keyring.pin_matches(tip.reference, pin.strip(), tip.pin_hash):
        tip.pin_failures = 0
        return tip
    tip.pin_failures += 1
    if tip.pin_failures >= LOCK_AFTER:
        tip.pin_failures = 0
        tip.pin_locked_until = now + LOCK_FOR
        store.add_event(session, tip.id, "pin_locked", now, "system",
                        {"until": tip.pin_locked_until.isoformat()})
    return None


def found(tip: Tip | None) -> dict:
    """What a flow needs to tell a reporter about their tip (Input(RESULT).data)."""
    if tip is None:
        return {"found": False}
    moments = (tip.closed_at, tip.resolved_at, tip.acknowledged_at, tip.dispatched_at,
               tip.created_at)
    latest = max(m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None)
    return {"found": True, "status": tip.status.value, "commune_code": tip.commune_code,
            "province_code": tip.province_code, "updated": (latest + VIETNAM).strftime("%d/%m")}
