"""Row helpers of the hot path: the reporter upsert, the pre-check, references."""

from datetime import timedelta

import pytest

from db import store
from db.models import Officer, Reporter, Tip, TipEvent
from db.session import transaction, utcnow
from flows import FileTip
from tests.helpers import rows
from tests.privacy import REPORTERS


def _effect(reference: str) -> FileTip:
    return FileTip("ma_tuy", 15865, 38, "x", "vi", False, reference, "1234")


def test_a_reference_in_use_is_refused_by_the_insert_itself(app):
    svc = app.extensions["tinbao"]
    now = utcnow()
    with transaction(svc.engine) as session:
        first = store.file_tip(session, svc.keyring, svc.settings, _effect("555555"), "sms",
                               None, now, "test")
        assert first.reference == "555555"
        with pytest.raises(store.ReferenceTaken):
            store.file_tip(session, svc.keyring, svc.settings, _effect("555555"), "sms", None,
                           now, "test")
    assert len(rows(svc.engine, Tip)) == 1 and len(rows(svc.engine, TipEvent)) == 1


def test_the_reporter_upsert_keeps_the_later_expiry_and_the_last_provider(app):
    svc = app.extensions["tinbao"]
    now = utcnow()
    with transaction(svc.engine) as session:
        first = store.reporter_for(session, svc.keyring, REPORTERS[0], now, 30, True, "kannel")
        again = store.reporter_for(session, svc.keyring, REPORTERS[0], now - timedelta(days=9),
                                   30, True, None)
        assert again.id == first.id and again.reply_expires_at == first.reply_expires_at
        assert again.reply_provider == "kannel"
        hidden = store.reporter_for(session, svc.keyring, REPORTERS[0], now, 30, False, None)
        assert hidden.reply_address == again.reply_address  # a withheld call keeps the address
    [reporter] = rows(svc.engine, Reporter)
    assert svc.keyring.unseal(reporter.reply_address) == REPORTERS[0]


def test_the_precheck_finds_officers_and_earlier_deliveries(app):
    svc = app.extensions["tinbao"]
    officer = rows(svc.engine, Officer, Officer.commune_code == 15865)[0]
    with transaction(svc.engine) as session:
        assert store.precheck(session, "twilio:SMx", officer.phone) == (False, officer.id)
        assert store.precheck(session, "twilio:SMx", REPORTERS[0]) == (False, None)
        store.add_inbound(session, channel="sms", provider_id="twilio:SMx", body="",
                          received_at=utcnow())
        assert store.precheck(session, "twilio:SMx", None) == (True, None)
