"""Checking a tip by reference and PIN; five wrong PINs lock it for an hour."""

from datetime import timedelta

from db.followup import LOCK_AFTER, LOCK_FOR, open_tip
from db.models import Tip, TipEvent
from db.session import transaction, utcnow
from tests.helpers import reply_of, rows, sms


def _tip_and_pin(client, settings):
    reply = reply_of(sms(client, settings, "TIN 15865 trom bo"))
    return reply.split()[4].rstrip(","), reply.split("PIN ")[1][:4]


def test_the_right_pin_opens_the_tip_whatever_the_spacing(client, settings, app):
    svc = app.extensions["tinbao"]
    ref, pin = _tip_and_pin(client, settings)
    with transaction(svc.engine) as session:
        tip = open_tip(session, svc.keyring, f" {ref[:3]} {ref[3:]} ", f" {pin} ", utcnow())
        assert tip is not None and tip.reference == ref


def test_unknown_reference_and_wrong_pin_look_the_same(client, settings, app):
    svc = app.extensions["tinbao"]
    ref, pin = _tip_and_pin(client, settings)
    wrong = "0000" if pin != "0000" else "1111"
    with transaction(svc.engine) as session:
        assert open_tip(session, svc.keyring, "999999", pin, utcnow()) is None
        assert open_tip(session, svc.keyring, ref, wrong, utcnow()) is None


def test_five_wrong_pins_lock_the_reference_for_an_hour(client, settings, app):
    svc = app.extensions["tinbao"]
    ref, pin = _tip_and_pin(client, settings)
    wrong = "0000" if pin != "0000" else "1111"
    now = utcnow()
    for _ in range(LOCK_AFTER):
        with transaction(svc.engine) as session:
            assert open_tip(session, svc.keyring, ref, wrong, now) is None
    with transaction(svc.engine) as session:
        assert open_tip(session, svc.keyring, ref, pin, now + timedelta(minutes=59)) is None
    with transaction(svc.engine) as session:
        assert open_tip(session, svc.keyring, ref, pin, now + LOCK_FOR) is not None
    assert "pin_locked" in [e.kind for e in rows(svc.engine, TipEvent)]
    assert rows(svc.engine, Tip)[0].pin_failures == 0
