"""Channel selection, from configuration only: officers by their province's provider, reporters
by the provider they wrote in by (Kannel or Twilio, both local fakes of the remote APIs)."""

import urllib.parse

import pytest
from sqlalchemy import select

from db.models import Commune, Officer, OfficerKind, OutboundMessage, RecipientKind
from db.session import transaction, utcnow
from tests.conftest import make_settings
from tests.helpers import DIALLED, rows, run_worker, sms
from tests.privacy import REPORTERS
from workers import runtime

OTHER_OFFICER = "+447700900999"
SECRET = "c4a77e1" * 5


@pytest.fixture
def settings(database_url, redis_url, fake_kannel, fake_twilio):
    """Thanh Hoa (38) officers on Kannel, all others on Twilio: both providers configured."""
    return make_settings(
        database_url, redis_url, SMS_PROVIDER="twilio", TWILIO_API_BASE_URL=fake_twilio.url,
        OFFICER_PROVIDERS="38=kannel,*=twilio", KANNEL_SENDSMS_URL=fake_kannel.url,
        KANNEL_USERNAME="tinbao", KANNEL_PASSWORD="pw", KANNEL_SECRET=SECRET,
        KANNEL_DLR_URL="http://localhost/webhooks/kannel/dlr")


@pytest.fixture
def other_commune(rt) -> int:
    """A commune outside Thanh Hoa (a 5-digit code, as on its poster) with its own officer."""
    with transaction(rt.engine) as session:
        commune = session.execute(
            select(Commune).where(Commune.province_code != 38, Commune.code >= 10000)
            .order_by(Commune.code)
        ).scalars().first()
        session.add(Officer(name=f"Cong an {commune.name}", phone=OTHER_OFFICER,
                            kind=OfficerKind.COMMUNE, commune_code=commune.code,
                            province_code=commune.province_code, created_at=utcnow()))
        return commune.code


def kannel_sms(client, text: str, sender: str, message_id: str):
    """An SMS arriving through Kannel's get-url."""
    query = urllib.parse.urlencode({"id": message_id, "from": sender, "to": DIALLED,
                                    "text": text, "coding": "0", "charset": "UTF-8",
                                    "secret": SECRET})
    response = client.get(f"/webhooks/kannel/sms?{query}")
    response.close()
    return response


def via_kannel(fake_kannel, to: str) -> list[str]:
    """Texts Kannel's sendsms was asked to send to one number."""
    return [r["text"] for r in fake_kannel.requests if r["to"] == to]


def via_twilio(fake_twilio, to: str) -> list[str]:
    """Texts Twilio's Messages API was asked to send to one number."""
    return [r["form"]["Body"] for r in fake_twilio.requests if r["form"]["To"] == to]


def test_each_officer_gets_the_dispatch_through_their_provinces_provider(
        client, settings, rt, other_commune, fake_kannel, fake_twilio):
    sms(client, settings, "TIN 15865 trom bo o thon 3", sender=REPORTERS[0])
    sms(client, settings, f"TIN {other_commune} danh bac o cho", sender=REPORTERS[1])
    run_worker(rt.redis)
    dispatches = {m.officer_id: m for m in rows(rt.engine, OutboundMessage)
                  if m.recipient_kind == RecipientKind.OFFICER}
    by_phone = {rt.keyring.unseal(m.address): m for m in dispatches.values()}
    thanh_hoa = next(p for p in by_phone if p != OTHER_OFFICER)
    assert by_phone[thanh_hoa].provider == "kannel"
    assert by_phone[OTHER_OFFICER].provider == "twilio"
    assert [t[:7] for t in via_kannel(fake_kannel, thanh_hoa)] == ["TIN BAO"]
    assert [t[:7] for t in via_twilio(fake_twilio, OTHER_OFFICER)] == ["TIN BAO"]
    assert not via_twilio(fake_twilio, thanh_hoa) and not via_kannel(fake_kannel, OTHER_OFFICER)


def test_a_reporter_hears_back_through_the_provider_they_wrote_in_by(
        client, settings, rt, fake_kannel, fake_twilio):
    kannel_sms(client, "TIN 15865 trom bo", REPORTERS[0], "6d1c1a1e-0000-4000-8000-00000000000a")
    sms(client, settings, "TIN 15865 danh bac", sender=REPORTERS[1])
    run_worker(rt.redis)
    notices = [m for m in rows(rt.engine, OutboundMessage)
               if m.purpose == "notify_dispatched"]
    assert sorted(m.provider for m in notices) == ["kannel", "twilio"]
    assert [t[:8] for t in via_kannel(fake_kannel, REPORTERS[0])] == ["Tin bao "]
    assert [t[:8] for t in via_twilio(fake_twilio, REPORTERS[1])] == ["Tin bao "]
    assert not via_twilio(fake_twilio, REPORTERS[0]) and not via_kannel(fake_kannel, REPORTERS[1])


def test_a_provider_the_deployment_does_not_use_is_never_chosen(client, settings, officers,
                                                                 fake_kannel):
    outbox_only = settings.replace(sms_provider="outbox", officer_providers={},
                                   kannel_sendsms_url="")
    current = runtime.init(outbox_only)
    try:
        kannel_sms(client, "TIN 15865 trom bo", REPORTERS[0],
                   "6d1c1a1e-0000-4000-8000-00000000000b")
        run_worker(current.redis)
        assert {m.provider for m in rows(current.engine, OutboundMessage)} == {"outbox"}
        assert fake_kannel.requests == []
    finally:
        current.close()
        runtime._current = None
