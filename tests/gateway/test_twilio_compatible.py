"""A Twilio-compatible platform (e.g. Somleng) is a configuration change only: its API base URL
for sending, and the public URL it signs webhooks for."""

import base64
import uuid

import pytest

from db.models import OutboundMessage, RecipientKind, Tip, TipStatus
from gateway.twilio_requests import sms_form
from tests.conftest import make_settings
from tests.helpers import BASE, DIALLED, post_twilio, rows, run_worker
from tests.privacy import REPORTERS

PUBLIC = "https://tinbao.thanhhoa.example"
PATH = "/webhooks/twilio/sms"
ACCOUNT = str(uuid.UUID(int=38))  # Somleng's account ids are UUIDs, not AC... sids
TOKEN = "50e1e9" * 6


@pytest.fixture
def settings(database_url, redis_url, fake_twilio):
    """Settings as a Somleng deployment would write them (the fake stands in for its API)."""
    return make_settings(database_url, redis_url, SMS_PROVIDER="twilio",
                         TWILIO_API_BASE_URL=fake_twilio.url, PUBLIC_BASE_URL=PUBLIC,
                         TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_AUTH_TOKEN=TOKEN,
                         TWILIO_FROM_NUMBER="1088")


def test_webhooks_signed_for_the_platforms_public_url_are_accepted(client):
    form = sms_form(REPORTERS[0], DIALLED, "TIN 15865 trom bo", account_sid=ACCOUNT)
    assert post_twilio(client, PATH, form, TOKEN, base=PUBLIC).status_code == 200
    assert post_twilio(client, PATH, form, TOKEN, base=BASE).status_code == 403


def test_the_dispatch_goes_to_the_platforms_api_with_its_own_account(client, rt,
                                                                     fake_twilio):
    # `rt` is built from these settings alone, as the worker's entry point builds it.
    form = sms_form(REPORTERS[0], DIALLED, "TIN 15865 trom bo o thon 3", account_sid=ACCOUNT)
    assert post_twilio(client, PATH, form, TOKEN, base=PUBLIC).status_code == 200
    run_worker(rt.redis)
    [dispatch] = [m for m in rows(rt.engine, OutboundMessage)
                  if m.recipient_kind == RecipientKind.OFFICER]
    request = fake_twilio.requests[0]
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert request["form"]["To"] == rt.keyring.unseal(dispatch.address)
    assert request["form"]["From"] == "1088"
    assert request["form"]["StatusCallback"] == PUBLIC + "/webhooks/twilio/status"
    assert dispatch.provider == "twilio" and dispatch.provider_id.startswith("SM")
    assert rows(rt.engine, Tip)[0].status == TipStatus.DISPATCHED
