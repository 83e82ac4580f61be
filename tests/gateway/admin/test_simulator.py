"""The phone simulator: a resident's phone and officers' phones on the real, signed webhooks."""

import pytest
from twilio.twiml.voice_response import VoiceResponse

from db.models import InboundMessage, Officer, Tip, TipStatus
from gateway import phones
from tests.admin import OFFICER_COMMUNE, login, post
from tests.helpers import rows, run_worker
from tests.privacy import REPORTERS


def has_route(app, path: str) -> bool:
    return any(rule.rule == path for rule in app.url_map.iter_rules())


def test_a_tip_goes_from_the_virtual_phone_to_the_officer_and_back(client, rt, accounts):
    login(client, accounts.admin)
    post(client, "/simulator/number", {"phone": REPORTERS[0]})
    first = rows(rt.engine, Officer, Officer.kind == "commune")[0]
    assert first.commune_code != OFFICER_COMMUNE  # the officer phone shown until a tip is sent
    sent = post(client, "/simulator/sms", {"text": "TIN 15865 co nguoi ban ma tuy o bai song",
                                           "officer": first.id})
    [tip] = rows(rt.engine, Tip)
    receiver = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    assert sent.headers["Location"].endswith(f"/simulator?officer={receiver.id}")
    resident = client.get("/simulator/reporter").get_data(as_text=True)
    assert "TIN 15865 co nguoi ban ma tuy" in resident
    assert f"Da nhan tin bao {tip.reference}, PIN ****" not in resident  # the PIN is shown
    assert f"Da nhan tin bao {tip.reference}, PIN " in resident
    run_worker(rt.redis)
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    phone = client.get(f"/simulator/officer/{officer.id}").get_data(as_text=True)
    assert f"TIN BAO {tip.reference}: Ma tuy, Xa Hoang Hoa." in phone
    page = client.get(f"/simulator?officer={officer.id}").get_data(as_text=True)
    assert f'value="OK {tip.reference}"' in page
    post(client, f"/simulator/officer/{officer.id}/sms", {"text": f"OK {tip.reference}"})
    assert rows(rt.engine, Tip)[0].status == TipStatus.ACKNOWLEDGED
    run_worker(rt.redis)
    phone = client.get(f"/simulator/officer/{officer.id}").get_data(as_text=True)
    assert f"Da ghi nhan: ban tiep nhan tin bao {tip.reference}" in phone
    resident = client.get("/simulator/reporter").get_data(as_text=True)
    assert f"Tin bao {tip.reference} da duoc can bo tiep nhan" in resident


def shown_officer(client) -> str:
    page = client.get("/simulator").get_data(as_text=True)
    return page.split("<h2>", 2)[-1].split(" <small>")[0]


def test_the_officer_phone_shown_first_is_the_example_communes_then_the_latest_tips(
        client, rt, accounts):
    login(client, accounts.admin)
    post(client, "/simulator/number", {"phone": REPORTERS[0]})
    example = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    assert shown_officer(client) == example.name  # the commune the message box suggests
    post(client, "/simulator/sms", {"text": "TIN 14797 co nguoi la mat o cho"})
    other = rows(rt.engine, Officer, Officer.commune_code == 14797)[0]
    assert shown_officer(client) == other.name  # where the resident's latest tip went


def test_the_officer_can_ask_through_the_hoi_button(client, rt, accounts):
    login(client, accounts.officer)
    post(client, "/simulator/sms", {"text": "TIN 15865 co nguoi la mat"})
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    post(client, f"/simulator/officer/{officer.id}/sms",
         {"text": f"HOI {tip.reference}", "question": "o thon nao?"})
    run_worker(rt.redis)
    assert "o thon nao?" in client.get("/simulator/reporter").get_data(as_text=True)


def test_an_officer_login_holds_only_its_own_phone(client, rt, accounts):
    login(client, accounts.officer)
    other = rows(rt.engine, Officer, Officer.commune_code == 14797)[0]
    assert client.get(f"/simulator?officer={other.id}").status_code == 404
    mine = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    assert mine.name in client.get("/simulator").get_data(as_text=True)


def test_the_resident_phone_cannot_take_an_officers_number(client, rt, accounts):
    login(client, accounts.admin)
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    page = post(client, "/simulator/number", {"phone": officer.phone}, follow_redirects=True)
    assert "Đó là số của cán bộ." in page.get_data(as_text=True)


def hangup(r: VoiceResponse) -> None:
    r.say("Xin chao")
    r.hangup()


def gather(r: VoiceResponse) -> None:
    r.gather(action="/webhooks/twilio/voice/step?n=1", num_digits=1).say("Bam 1")
    r.redirect("/webhooks/twilio/voice/step?n=1&noinput=1")


def record(r: VoiceResponse) -> None:
    r.say("Noi sau tieng bip")
    r.record(action="https://x.vn/webhooks/twilio/voice/step?n=3")


@pytest.mark.parametrize("build, said, action, digits, recording, silence", [
    (hangup, ["Xin chao"], None, None, False, None),
    (gather, ["Bam 1"], "/webhooks/twilio/voice/step?n=1", 1, False,
     "/webhooks/twilio/voice/step?n=1&noinput=1"),
    (record, ["Noi sau tieng bip"], "https://x.vn/webhooks/twilio/voice/step?n=3", None, True,
     None),
], ids=["hangup", "gather", "record"])
def test_twiml_is_read_as_a_phone_would_hear_it(build, said, action, digits, recording, silence):
    response = VoiceResponse()
    build(response)
    step = phones.parse_twiml(str(response))
    assert (step.said, step.action, step.digits, step.record, step.silence) == (
        said, action, digits, recording, silence)


def test_the_resident_phone_dials_ussd_through_the_real_webhook(client, app, rt, accounts):
    login(client, accounts.admin)
    page = post(client, "/simulator/ussd", {"dial": "1"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert 'id="ussd-screen"' in text and "(HTTP" not in text
    assert rows(rt.engine, InboundMessage, InboundMessage.channel == "ussd")
    post(client, "/simulator/ussd", {"answer": "1"})
    assert len(rows(rt.engine, InboundMessage, InboundMessage.channel == "ussd")) == 2


def test_the_resident_phone_calls_the_voice_menu_by_keypad(client, app, rt, accounts):
    login(client, accounts.admin)
    text = post(client, "/simulator/call", {"do": "dial"}, follow_redirects=True
                ).get_data(as_text=True)
    assert 'id="call-said"' in text and "(HTTP" not in text
    post(client, "/simulator/call", {"do": "keys", "digits": "1"})
    assert len(rows(rt.engine, InboundMessage, InboundMessage.channel == "voice")) == 2


def test_a_ussd_report_shows_the_officer_phone_it_goes_to(client, app, rt, accounts):
    login(client, accounts.admin)
    post(client, "/simulator/ussd", {"dial": "1"})
    for answer in ("1", "1", "15865"):
        assert "officer=" not in post(client, "/simulator/ussd", {"answer": answer}
                                      ).headers["Location"]
    done = post(client, "/simulator/ussd", {"answer": "co nguoi ban ma tuy o bai song"})
    assert rows(rt.engine, Tip)[0].commune_code == OFFICER_COMMUNE
    receiver = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    assert done.headers["Location"].endswith(f"/simulator?officer={receiver.id}")
