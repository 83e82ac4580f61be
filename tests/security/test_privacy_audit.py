"""The privacy audit beyond the per-test checks: what an officer's dispatch may carry, and reply
addresses forgotten on schedule.

Every test already scans its database, its log output and (through `privacy.watch`) every
response the app rendered for any spelling of a reporter number; the summary table adds up
how much was scanned.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import OutboundMessage, Reporter, Tip
from db.session import transaction, utcnow
from gateway.twilio_requests import sms_form
from tests.helpers import BASE, DIALLED, post_twilio, rows, run_worker
from tests.phone import UssdSession
from tests.privacy import REPORTERS
from workers.sweep import sweep

TIME = re.compile(r"\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}/\d{1,2}\b|\b20\d\d\b")
WHERE_FROM = {"FromCity": "BAC NINH", "FromState": "TU SON", "FromZip": "16000",
              "ToCity": "THANH HOA", "ToState": "THANH HOA"}


def _dispatch_body(rt) -> str:
    run_worker(rt.redis)
    with transaction(rt.engine) as session:
        return session.execute(select(OutboundMessage.body).where(
            OutboundMessage.purpose == "dispatch")).scalar_one()


@pytest.mark.parametrize("details", ["co nguoi la mat cho hang cam o thon 3",
                                     "trom xe luc 22:15 hom qua o cho"])
def test_a_dispatch_carries_no_time_or_place_the_reporter_did_not_write(client, settings, rt,
                                                                        details):
    form = {**sms_form(REPORTERS[0], DIALLED, f"TIN 15865 {details}"), **WHERE_FROM}
    post_twilio(client, "/webhooks/twilio/sms", form, settings.twilio_auth_token, BASE)
    body = _dispatch_body(rt)
    written = set(TIME.findall(details))
    assert set(TIME.findall(body)) == written  # only the reporter's own "22:15"
    for value in WHERE_FROM.values():
        assert value.lower() not in body.lower()
    assert DIALLED[3:] not in body and "Hoang Hoa" in body  # the commune they named, only


def test_a_ussd_dispatch_carries_no_network_or_service_code(client, settings, rt):
    session = UssdSession(client, settings, phone=REPORTERS[1])
    for answer in (None, "1", "2", "15865", "trom bo o thon 5"):
        session.send(answer)
    [tip] = rows(rt.engine, Tip)
    body = _dispatch_body(rt).replace(tip.reference, "")  # a random reference may hold "384"
    assert "45204" not in body and "384" not in body and not TIME.findall(body)


def test_reply_addresses_are_forgotten_on_schedule_and_final_messages_drop_theirs(client,
                                                                                 settings, rt):
    post_twilio(client, "/webhooks/twilio/sms", sms_form(REPORTERS[2], DIALLED,
                                                         "TIN 15865 trom bo"),
                settings.twilio_auth_token)
    run_worker(rt.redis)
    with transaction(rt.engine) as session:
        for message in session.execute(select(OutboundMessage)).scalars():
            assert message.address == "" or message.recipient_kind.value == "officer"
        tip = session.execute(select(Tip)).scalar_one()
        tip.status = tip.status.RESOLVED
        reporter = session.execute(select(Reporter)).scalar_one()
        assert reporter.reply_address
        reporter.reply_expires_at = utcnow() - timedelta(seconds=1)  # the days have passed
    assert sweep()["purged"] == 1
    with transaction(rt.engine) as session:
        reporter = session.execute(select(Reporter)).scalar_one()
        assert reporter.reply_address is None and reporter.reply_expires_at is None
