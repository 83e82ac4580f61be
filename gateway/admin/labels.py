"""What the admin view shows for the stored codes of tips, their timeline and their messages.

The database keeps stable English codes ("trom_cap", "dispatched", "notify_resolved"); a page
shows them in the user's language, with Vietnamese diacritics (the SMS texts go without them).
An unknown code is shown as it is stored, never hidden.
"""

from datetime import datetime

from flask import current_app
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from flows import categories


def category_label(code: str) -> str:
    """A tip category (flows.categories keeps the names, for SMS too)."""
    known = code in {c.value for c in categories.Category}
    return categories.name(code, str(get_locale())) if known else code


def status_label(code: str) -> str:
    """A tip status."""
    return {"received": _("received"), "dispatched": _("dispatched"),
            "acknowledged": _("acknowledged"), "resolved": _("resolved"),
            "closed": _("closed")}.get(code, code)


def decision_label(code: str | None) -> str:
    """The decision recorded when a tip was resolved."""
    if not code:
        return "-"
    return {"prosecute": _("Prosecute"), "not_prosecute": _("Do not prosecute"),
            "suspend": _("Suspend")}.get(code, code)


def event_label(code: str) -> str:
    """A timeline event of a tip."""
    return {
        "received": _("Received"), "routed": _("Routed"), "dispatched": _("Sent to the officer"),
        "unroutable": _("No officer to route to"), "escalated": _("Escalated"),
        "overdue": _("Overdue"), "acknowledged": _("Acknowledged"),
        "assessed": _("Assessed"), "spam": _("Marked as spam"), "resolved": _("Resolved"),
        "transferred": _("Transferred"), "reassigned": _("Reassigned"), "note": _("Note"),
        "question": _("Question to the reporter"), "reporter_reply": _("Reporter's answer"),
        "details_added": _("Details added by the reporter"),
        "recording_added": _("Recording added"), "pin_locked": _("PIN locked"),
        "reporter_blocked": _("Sender blocked"), "reporter_unblocked": _("Sender unblocked"),
        "outbound_retried": _("Message sent again"),
        "linked": _("Joined to another tip's case"), "joined": _("Another tip joined this case"),
    }.get(code, code)


def purpose_label(code: str) -> str:
    """Why an outbound message was sent."""
    return {
        "dispatch": _("Tip to the officer"), "dispatch_call": _("Call to the officer"),
        "receipt": _("Receipt to the reporter"),
        "notify_dispatched": _("Reporter told: sent to the commune"),
        "notify_acknowledged": _("Reporter told: acknowledged"),
        "notify_resolved": _("Reporter told: resolved"),
        "question": _("Officer's question"), "forward_reply": _("Reporter's answer forwarded"),
        "forward_details": _("Reporter's details forwarded"),
        "notify_linked": _("Reporter told: same case as another tip"),
        "notify_linked_settled": _("Reporter told: same case as another tip"),
        "reply": _("Reply to a message, sent by a worker"),
    }.get(code, code)


def delivery_label(code: str) -> str:
    """Where an outbound message is in its delivery."""
    return {"queued": _("queued"), "sending": _("sending"), "sent": _("sent"),
            "delivered": _("delivered"), "undelivered": _("not delivered"),
            "failed": _("failed")}.get(code, code)


def officer_kind_label(code: str) -> str:
    """Whether an officer row is a commune's officer or a duty desk."""
    return {"commune": _("Commune police"), "province_desk": _("Province duty desk"),
            "national_desk": _("National duty desk")}.get(code, code)


def role_label(code: str) -> str:
    """What a web login may see and do."""
    return {"officer": _("Officer"), "supervisor": _("Supervisor"),
            "admin": _("Administrator")}.get(code, code)


def actor_label(name: str) -> str:
    """Who did something on a tip's timeline: an officer's or a user's name, or one of these."""
    return {"reporter": _("Reporter"), "system": _("System"), "officer": _("Officer")}.get(
        name, name)


def channel_label(code: str) -> str:
    """How a tip came in."""
    return {"sms": "SMS", "ussd": "USSD", "voice": _("Phone call")}.get(code, code)


def duration_label(seconds: float | None) -> str:
    """'12,5 phút' / '12.5 min' below two hours, then hours below two days, then days; '-' when
    unknown."""
    if seconds is None:
        return "-"
    minutes = seconds / 60
    if minutes < 120:
        value, unit = minutes, _("min")
    elif minutes < 48 * 60:
        value, unit = minutes / 60, _("h")
    else:
        value, unit = minutes / 1440, _("d")
    return f"{format_decimal(round(value, 1), format='0.0')} {unit}"


def band_label(band: str) -> str:
    """A band of the time-to-acknowledge chart (db.metrics.ACK_BUCKETS; '-': not yet)."""
    return {"< 5 min": _("< 5 min"), "5-15 min": _("5-15 min"), "15-30 min": _("15-30 min"),
            "30-60 min": _("30-60 min"), "1-4 h": _("1-4 h"), "4-24 h": _("4-24 h"),
            "> 24 h": _("> 24 h"), "-": _("not yet")}.get(band, band)


def event_data_label(kind: str, data: dict) -> str:
    """What a timeline event recorded, in words: 'SMS · Trộm cắp · xã 15865', 'cấp 1 · quá hạn
    tiếp nhận'. A key not known here is shown as 'key: value'."""
    parts = []
    for key, value in data.items():
        if kind == "reassigned" and key in ("from", "to") and value is not None:
            value = _("officer #%(id)s", id=value)
        shown = _EVENT_DATA[key](value) if key in _EVENT_DATA else f"{key}: {value}"
        if shown:
            parts.append(shown)
    return " · ".join(parts)


def _reason(code: str) -> str:
    return {"sla": _("not acknowledged in time"), "failed": _("sending failed"),
            "undelivered": _("not delivered")}.get(code, code)


def _quoted(text: str) -> str:
    return f"“{text}”" if text else ""


_EVENT_DATA = {
    "channel": channel_label,
    "category": lambda v: category_label(v) if v else "",
    "commune": lambda v: _("commune %(code)s", code=v) if v else _("commune not known"),
    "urgent": lambda v: _("urgent") if v else "",
    "level": lambda v: _("level %(n)s", n=v),
    "officer_kind": officer_kind_label,
    "outbound_id": lambda v: _("message #%(id)s", id=v),
    "purpose": purpose_label,
    "reason": _reason,
    "decision": lambda v: decision_label(v) if v else "",
    "note": _quoted,
    "text": _quoted,
    "from": lambda v: _("from %(x)s", x=v if v is not None else "-"),
    "to": lambda v: _("to %(x)s", x=v),
    "valuable": lambda v: _("valuable") if v else _("not valuable"),
    "implicit": lambda v: _("implied by resolving") if v else "",
    "case": lambda v: _("tip %(ref)s", ref=v),
    "duplicate": lambda v: _("tip %(ref)s", ref=v),
    "until": lambda v: _("until %(time)s", time=current_app.jinja_env.filters["local"](
        datetime.fromisoformat(v))),
}


LABELS = {f.__name__: f for f in (category_label, status_label, decision_label, event_label,
                                  purpose_label, delivery_label, officer_kind_label, role_label,
                                  actor_label, channel_label, event_data_label)}
