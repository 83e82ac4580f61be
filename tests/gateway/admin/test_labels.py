"""Every code the database stores for a tip, its timeline and its messages is shown in words,
in Vietnamese and in English: no page shows "notify_dispatched" or "trom_cap"."""

import re
from pathlib import Path

import pytest
from flask import session

from db.models import OfficerKind, OutboundStatus, Role, TipStatus
from flows.categories import Category
from flows.officer import Decision
from gateway.admin import labels

ROOT = Path(__file__).parents[3]
SOURCES = [p for d in ("db", "workers", "gateway") for p in (ROOT / d).rglob("*.py")]


def _literals(call: str, position: int) -> set[str]:
    """The string literals written as argument number `position` (from 0) of calls to `call`."""
    pattern = re.compile(rf"\b{call}\((?:[^,]+,){{{position}}}([^,]+),", re.S)
    found = set()
    for path in SOURCES:
        for argument in pattern.findall(path.read_text(encoding="utf-8")):
            found |= set(re.findall(r'"([a-z_]+)"', argument))
    return found


EVENTS = _literals("add_event", 2)  # (session, tip id, kind, ...)
PURPOSES = (_literals("queue_for_officer", 4) | _literals("queue_for_reporter", 3)
            | _literals("_notify", 3) | _literals("_forward", 4))
CODES = {
    labels.category_label: {c.value for c in Category},
    labels.status_label: {s.value for s in TipStatus},
    labels.decision_label: {d.value for d in Decision},
    labels.delivery_label: {s.value for s in OutboundStatus},
    labels.event_label: EVENTS,
    labels.purpose_label: PURPOSES,
    labels.officer_kind_label: {k.value for k in OfficerKind},
    labels.role_label: {r.value for r in Role},
    labels.actor_label: {"reporter", "system", "officer"},  # db.timeline's names for non-persons
}


def test_the_codes_were_found_in_the_sources():
    assert {"received", "routed", "dispatched", "reporter_blocked", "reporter_unblocked",
            "outbound_retried"} <= EVENTS and len(EVENTS) >= 20
    assert {"dispatch", "dispatch_call", "receipt", "question", "notify_dispatched",
            "notify_acknowledged", "notify_resolved", "forward_reply",
            "forward_details"} <= PURPOSES


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("label", CODES, ids=lambda f: f.__name__)
def test_every_stored_code_is_shown_in_words(app, label, lang):
    with app.test_request_context():
        session["lang"] = lang
        shown = {code: label(code) for code in CODES[label]}
        assert label("something_new") == "something_new"  # unknown: shown as it is stored
    if lang == "vi":
        assert not [code for code, text in shown.items() if text == code], shown
        assert not [t for t in shown.values() if t.isascii() and " " in t], shown  # diacritics
    else:
        assert not [t for t in shown.values() if "_" in t], shown  # words, not codes


@pytest.mark.parametrize("lang, seconds, shown", [
    ("vi", 234, "3,9 phút"), ("en", 234, "3.9 min"), ("vi", 3 * 3600, "3,0 giờ"),
    ("en", 3 * 3600, "3.0 h"), ("vi", 3 * 86400, "3,0 ngày"), ("en", 3 * 86400, "3.0 d"),
    ("vi", None, "-"),
])
def test_times_are_shown_in_the_users_language(app, lang, seconds, shown):
    with app.test_request_context():
        session["lang"] = lang
        assert labels.duration_label(seconds) == shown


def test_channels_and_the_acknowledgement_bands_are_shown_in_words(app):
    from db.metrics import ACK_BUCKETS

    with app.test_request_context():
        session["lang"] = "vi"
        assert [labels.channel_label(c) for c in ("sms", "ussd", "voice")] == [
            "SMS", "USSD", "Cuộc gọi"]
        bands = [labels.band_label(b) for _, b in ACK_BUCKETS] + [labels.band_label("-")]
        assert bands[0] == "< 5 phút" and bands[-1] == "chưa nhận"
        assert not [b for b in bands if "min" in b or b.endswith(" h")], bands

