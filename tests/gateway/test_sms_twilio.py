"""POST /webhooks/twilio/sms: captured-style Twilio requests, good and bad, and what they store."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import FlowSession, InboundMessage, Reporter, Tip, TipEvent, TipStatus
from db.session import transaction
from gateway.twilio_requests import sign
from tests.helpers import BASE, count, reply_of, rows, sms
from tests.privacy import REPORTERS

CAPTURED = sorted((Path(__file__).parents[1] / "fixtures/requests/sms_twilio").glob("*.json"))
PATH = "/webhooks/twilio/sms"


def _signature(case: dict, token: str) -> dict:
    form = case["form"]
    kind = case["signature"]
    if kind == "missing":
        return {}
    if kind == "wrong_token":
        return {"X-Twilio-Signature": sign(BASE + PATH, form, "f" * 32)}
    if kind == "other_url":
        return {"X-Twilio-Signature": sign(BASE + "/webhooks/twilio/voice", form, token)}
    signature = sign(BASE + PATH, form, token)
    if kind == "tampered":
        form["Body"] += " (sua)"
    return {"X-Twilio-Signature": signature}


@pytest.mark.parametrize("path", CAPTURED, ids=lambda p: p.stem)
def test_captured_sms_request(path, client, settings, app):
    case = json.loads(path.read_text(encoding="utf-8"))
    headers = _signature(case, settings.twilio_auth_token)
    response = client.post(PATH, data=case["form"], headers=headers)
    assert response.status_code == case["status"]
    engine = app.extensions["tinbao"].engine
    assert count(engine, Tip) == case["tips"]
    assert count(engine, InboundMessage) == (1 if case["stored"] else 0)
    if case["reply_contains"]:
        assert case["reply_contains"] in reply_of(response)
        assert response.mimetype == "application/xml"
    if not case["stored"]:
        assert count(engine, Reporter) == 0 and count(engine, FlowSession) == 0


def test_one_shot_tip_is_stored_with_hashed_pin_and_a_timeline(client, settings, app):
    response = sms(client, settings, "TIN 15865 co nguoi la mat cho hang cam o thon 3")
    reply = reply_of(response)
    engine = app.extensions["tinbao"].engine
    [tip] = rows(engine, Tip)
    assert tip.reference in reply and tip.status == TipStatus.RECEIVED
    assert (tip.commune_code, tip.province_code, tip.category) == (15865, 38, "hang_cam")
    pin = reply.split("PIN ")[1][:4]
    assert pin not in tip.pin_hash and len(tip.pin_hash) == 64
    assert app.extensions["tinbao"].keyring.pin_matches(tip.reference, pin, tip.pin_hash)
    [event] = rows(engine, TipEvent)
    assert (event.kind, event.tip_id, event.actor) == ("received", tip.id, "reporter:sms")
    [inbound] = rows(engine, InboundMessage)
    assert inbound.tip_id == tip.id and inbound.body.startswith("TIN 15865")
    assert pin not in (inbound.reply_sealed or "")


def test_duplicate_message_sid_creates_one_tip_and_repeats_the_same_reply(client, settings, app):
    first = sms(client, settings, "TIN 15865 trom bo", sid="SM" + "d" * 32)
    second = sms(client, settings, "TIN 15865 trom bo", sid="SM" + "d" * 32)
    assert second.status_code == 200 and reply_of(second) == reply_of(first)
    engine = app.extensions["tinbao"].engine
    assert count(engine, Tip) == 1 and count(engine, InboundMessage) == 1


def test_a_conversation_over_several_messages_files_one_tip(client, settings, app):
    replies = [reply_of(sms(client, settings, text)) for text in ("TIN", "2", "hoang hoa",
                                                                   "trom xe may dem qua")]
    assert "Chon loai" in replies[0] and "Xa/phuong" in replies[1]
    assert "Mo ta" in replies[2] and "Da nhan tin bao" in replies[3]
    engine = app.extensions["tinbao"].engine
    [tip] = rows(engine, Tip)
    assert (tip.category, tip.commune_code, tip.details) == ("trom_cap", 15865,
                                                             "trom xe may dem qua")
    assert count(engine, FlowSession) == 0 and count(engine, InboundMessage) == 4


def test_reporters_are_pseudonymous_and_continuous_across_number_formats(client, settings, app):
    sms(client, settings, "TIN", sender=REPORTERS[1])
    sms(client, settings, "2", sender="0" + REPORTERS[1][3:])
    engine = app.extensions["tinbao"].engine
    [reporter] = rows(engine, Reporter)
    keyring = app.extensions["tinbao"].keyring
    assert reporter.pseudonym == keyring.pseudonym(REPORTERS[1])
    assert keyring.unseal(reporter.reply_address) == REPORTERS[1]
    [session] = rows(engine, FlowSession)
    assert session.state["node"] == "commune"


def test_two_reporters_have_separate_conversations(client, settings, app):
    sms(client, settings, "TIN", sender=REPORTERS[0])
    sms(client, settings, "TIN", sender=REPORTERS[1])
    reply = reply_of(sms(client, settings, "2", sender=REPORTERS[0]))
    assert "Xa/phuong" in reply
    assert count(app.extensions["tinbao"].engine, FlowSession) == 2


def test_language_is_remembered_for_the_next_conversation(client, settings, app):
    sms(client, settings, "HELP")
    reply = reply_of(sms(client, settings, "TIN"))
    assert reply.startswith("Anonymous tip")


def test_public_base_url_is_what_the_signature_covers_behind_a_proxy(settings, officers):
    from gateway import create_app

    app = create_app(settings.replace(public_base_url="https://tips.example.vn"))
    client = app.test_client()
    from gateway.twilio_requests import sms_form

    form = sms_form(REPORTERS[0], "+84999000111", "TIN")
    good = sign("https://tips.example.vn" + PATH, form, settings.twilio_auth_token)
    assert client.post(PATH, data=form, headers={"X-Twilio-Signature": good}).status_code == 200
    local = sign(BASE + PATH, form, settings.twilio_auth_token)
    assert client.post(PATH, data=form, headers={"X-Twilio-Signature": local}).status_code == 403
    app.extensions["tinbao"].engine.dispose()


def test_an_expired_conversation_is_filed_before_the_new_message_starts(client, settings, app):
    sms(client, settings, "co nguoi la mat o thon 3")
    engine = app.extensions["tinbao"].engine
    with transaction(engine) as session:
        flow = session.execute(select(FlowSession)).scalar_one()
        flow.expires_at = flow.created_at.replace(year=2000)
    reply = reply_of(sms(client, settings, "TIN"))
    assert reply.startswith("Bao tin an danh")
    [tip] = rows(engine, Tip)
    assert tip.category == "nguoi_la" and tip.commune_code is None


def test_urgent_categories_make_the_tip_urgent_and_its_receipt_says_whom_to_call(settings,
                                                                                  officers):
    from gateway import create_app

    fire_urgent = settings.replace(urgent_categories=("cuop", "chay"))
    app = create_app(fire_urgent)
    client = app.test_client()
    fire = reply_of(sms(client, fire_urgent, "TIN 15865 chay nha o thon 3"))
    theft = reply_of(sms(client, fire_urgent, "TIN 15865 trom bo dem qua", sender=REPORTERS[1]))
    engine = app.extensions["tinbao"].engine
    urgency = {tip.category: tip.urgency.value for tip in rows(engine, Tip)}
    app.extensions["tinbao"].engine.dispose()
    assert urgency == {"chay": "urgent", "trom_cap": "normal"}
    assert fire.startswith("Dang chay? Goi ngay 114. Da nhan tin bao ")
    assert theft.startswith("Da nhan tin bao ")


def test_tin_0_sends_the_tip_past_the_commune_to_the_provinces_duty_desk(client, settings, rt):
    from db.models import Officer, OfficerKind, OutboundMessage
    from tests.helpers import run_worker

    reply = reply_of(sms(client, settings, "TIN 0 can bo xa bao ke song bac o thon 4"))
    assert "Tin da chuyen truc ban Cong an Thanh Hoa." in reply
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    desk = rows(rt.engine, Officer, Officer.kind == OfficerKind.PROVINCE_DESK,
                Officer.province_code == 38)[0]
    assert (tip.commune_code, tip.province_code, tip.officer_id) == (None, 38, desk.id)
    sent = {m.officer_id for m in rows(rt.engine, OutboundMessage) if m.officer_id}
    assert sent == {desk.id}  # no commune officer heard of it
