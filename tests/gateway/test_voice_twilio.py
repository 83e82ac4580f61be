"""The voice hotline: captured Twilio requests, and each step's TwiML element by element."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from db.models import FlowSession, InboundMessage, OutboundMessage, Reporter, Tip, TipEvent
from gateway.twilio_requests import sign
from tests.helpers import BASE, count, rows
from tests.phone import Call, recording_url

CAPTURED = sorted((Path(__file__).parents[1] / "fixtures/requests/voice_twilio").glob("*.json"))
VI = {"voice": "Google.vi-VN-Standard-A", "language": "vi-VN"}
EN = {"voice": "Google.en-US-Standard-C", "language": "en-US"}
STEP = "/webhooks/twilio/voice/step"


def _headers(case: dict, token: str) -> dict:
    path, form, kind = case["path"], case["form"], case["signature"]
    if kind == "missing":
        return {}
    signed_path = {"without_query": path.split("?")[0], "other_url": "/webhooks/twilio/sms"}
    secret = "f" * 32 if kind == "wrong_token" else token
    signature = sign(BASE + signed_path.get(kind, path), form, secret)
    if kind == "tampered":
        form["Digits"] = "2"
    return {"X-Twilio-Signature": signature}


@pytest.mark.parametrize("path", CAPTURED, ids=lambda p: p.stem)
def test_captured_voice_request(path, client, settings, app):
    case = json.loads(path.read_text(encoding="utf-8"))
    headers = _headers(case, settings.twilio_auth_token)
    response = client.post(case["path"], data=case["form"], headers=headers)
    assert response.status_code == case["status"]
    engine = app.extensions["tinbao"].engine
    assert count(engine, InboundMessage) == case["stored"]
    assert count(engine, Tip) == case["tips"]
    if case["response_contains"]:
        assert case["response_contains"] in response.get_data(as_text=True)
        assert response.mimetype == "application/xml"
    if not case["stored"]:
        assert count(engine, Reporter) == 0 and count(engine, FlowSession) == 0


def _says(parent) -> list[tuple[str, dict]]:
    return [(e.text, dict(e.attrib)) for e in parent if e.tag == "Say"]


def test_the_greeting_gathers_one_key_then_falls_through_to_a_no_input_redirect(client,
                                                                                 settings):
    twiml = Call(client, settings).start()
    gather, redirect = list(twiml)
    assert gather.tag == "Gather" and gather.attrib == {
        "action": f"{STEP}?n=1", "method": "POST", "timeout": "8", "input": "dtmf",
        "numDigits": "1"}
    assert _says(gather) == [
        ("Xin chào. Đây là đường dây nóng tin báo ẩn danh cho Công an xã. Số điện thoại của "
         "bạn được giữ bí mật.", VI),
        ("Tiếng Việt, bấm 1.", VI),
        ("For English, press 2.", EN),
    ]
    assert (redirect.tag, redirect.text, redirect.get("method")) == (
        "Redirect", f"{STEP}?n=1&noinput=1", "POST")


def test_the_commune_code_is_keyed_in_with_hash_and_read_back_digit_by_digit(client, settings):
    call = Call(client, settings)
    call.start()
    call.press("1")
    twiml = call.press("2")
    gather = twiml.find("Gather")
    assert gather.get("finishOnKey") == "#" and gather.get("numDigits") is None
    assert gather.get("action") == f"{STEP}?n=3"
    twiml = call.press("15865")
    gather = twiml.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("action") == f"{STEP}?n=4"
    assert _says(gather) == [("Bạn đã bấm mã 1, 5, 8, 6, 5: Xã Hoằng Hóa. Đúng, bấm 1. Sai, "
                              "bấm 2.", VI)]
    assert "Xin bấm mã xã" in call.press("2").find("Gather/Say").text  # wrong: key it again


def test_the_tip_is_recorded_up_to_120_seconds_until_hash(client, settings):
    call = Call(client, settings)
    call.start()
    for digits in ("1", "2", "15865"):
        call.press(digits)
    twiml = call.press("1")
    say, record, redirect = list(twiml)
    assert say.text.startswith("Sau tiếng bíp, xin nói rõ sự việc") and say.attrib == VI
    assert record.attrib == {
        "action": f"{STEP}?n=5", "method": "POST", "maxLength": "120", "finishOnKey": "#",
        "trim": "trim-silence", "playBeep": "true", "timeout": "5",
        "recordingStatusCallback": "/webhooks/twilio/voice/recording",
        "recordingStatusCallbackEvent": "completed"}
    assert redirect.text == f"{STEP}?n=5&noinput=1"  # an empty recording falls through


def _to_recording(call: Call) -> None:
    call.start()
    for digits in ("1", "2", "15865", "1"):
        call.press(digits)
    assert call.twiml.find("Record") is not None


def test_the_receipt_reads_reference_and_pin_digit_by_digit_twice_then_hangs_up(client, settings,
                                                                                app):
    call = Call(client, settings)
    _to_recording(call)
    url = recording_url(settings)
    twiml = call.record(url)
    [(text, attrib)] = _says(twiml)
    assert [e.tag for e in twiml] == ["Say", "Hangup"] and attrib == VI
    engine = app.extensions["tinbao"].engine
    [tip] = rows(engine, Tip)
    spaced = ", ".join(tip.reference)
    assert text.count(spaced) == 2 and text.startswith("Tin báo của bạn đã được ghi nhận.")
    pin = text.split("Mã PIN là ")[1][:10].replace(", ", "")
    assert app.extensions["tinbao"].keyring.pin_matches(tip.reference, pin, tip.pin_hash)
    assert (tip.channel, tip.category, tip.commune_code, tip.recording_url, tip.details,
            tip.transcript) == ("voice", "trom_cap", 15865, url, "", None)
    assert count(engine, OutboundMessage) == 0  # heard twice: no SMS receipt
    call.hang_up()
    assert count(engine, Tip) == 1 and count(engine, FlowSession) == 0


def test_silence_is_asked_about_twice_then_the_call_carries_on_without_the_answer(client,
                                                                                 settings):
    call = Call(client, settings)
    call.start()
    call.press("1")
    for _ in range(2):
        says = [t for t, _ in _says(call.silence().find("Gather"))]
        assert says[0] == "Chúng tôi chưa nhận được câu trả lời của bạn."
        assert says[1].startswith("Tin báo về việc gì?")
    assert call.silence().find("Gather/Say").text.startswith("Xin bấm mã xã")  # category: other


def test_a_call_that_never_speaks_still_files_what_it_chose(client, settings, app):
    call = Call(client, settings)
    _to_recording(call)
    for _ in range(2):
        assert call.silence().find("Record") is not None  # empty recording: asked again
    twiml = call.silence()
    assert twiml[-1].tag == "Hangup" and "Mã PIN là" in twiml[0].text
    [tip] = rows(app.extensions["tinbao"].engine, Tip)
    assert (tip.category, tip.commune_code, tip.recording_url) == ("trom_cap", 15865, None)


def test_a_caller_who_hangs_up_after_recording_still_files_a_tip(settings, officers):
    app, client = _app(settings, voice_speech=True)
    call = Call(client, settings)
    _to_recording(call)
    url = recording_url(settings)
    twiml = call.record(url, digits="hangup")  # the caller hung up: Twilio still posts it
    assert twiml.find("Gather").get("input") == "speech"  # (no one hears the summary question)
    engine = app.extensions["tinbao"].engine
    assert count(engine, Tip) == 0
    call.hang_up()
    [tip] = rows(engine, Tip)
    assert (tip.category, tip.commune_code, tip.recording_url) == ("trom_cap", 15865, url)
    [receipt] = rows(engine, OutboundMessage)  # they never heard the reference: it goes by SMS
    assert receipt.purpose == "receipt" and tip.reference in receipt.body
    assert count(engine, FlowSession) == 0
    engine.dispose()


def test_a_recording_reported_after_the_call_ended_joins_the_tip_the_call_filed(client, settings,
                                                                                app):
    call = Call(client, settings)
    _to_recording(call)
    call.hang_up()  # the status callback beat the <Record> action
    engine = app.extensions["tinbao"].engine
    [tip] = rows(engine, Tip)
    assert tip.recording_url is None
    url = recording_url(settings)
    assert [e.tag for e in call.record(url, digits="hangup")] == ["Hangup"]
    call.recording_ready(url)
    [tip] = rows(engine, Tip)
    assert tip.recording_url == url
    assert [e.kind for e in rows(engine, TipEvent)] == ["received", "recording_added"]


def test_the_recording_callback_keeps_the_recording_while_the_call_goes_on(client, settings, app):
    call = Call(client, settings)
    _to_recording(call)
    url = recording_url(settings)
    call.recording_ready(url)  # before the <Record> action, for once
    engine = app.extensions["tinbao"].engine
    assert count(engine, Tip) == 0 and rows(engine, FlowSession)[0].state["node"] == "details"
    call.hang_up()
    [tip] = rows(engine, Tip)
    assert tip.recording_url == url


def test_with_speech_menus_listen_too_and_the_spoken_summary_is_the_transcript(settings,
                                                                                officers):
    app, client = _app(settings, voice_speech=True)
    call = Call(client, settings)
    gather = call.start().find("Gather")
    assert (gather.get("input"), gather.get("language"), gather.get("speechTimeout")) == (
        "dtmf speech", "vi-VN", "auto")
    call.say("tiếng việt")
    assert call.say("ma túy").find("Gather/Say").text.startswith("Xin bấm mã xã")
    call.press("15865")
    call.press("1")
    twiml = call.record(recording_url(settings))
    gather = twiml.find("Gather")
    assert (gather.get("input"), gather.get("language")) == ("speech", "vi-VN")
    assert gather.find("Say").text == "Cảm ơn. Xin nói tóm tắt sự việc trong một câu ngắn."
    call.say("có người bán ma túy ở bãi sông")
    [tip] = rows(app.extensions["tinbao"].engine, Tip)
    assert (tip.category, tip.details, tip.transcript) == (
        "ma_tuy", "có người bán ma túy ở bãi sông", "có người bán ma túy ở bãi sông")
    app.extensions["tinbao"].engine.dispose()


def test_a_tip_spoken_at_the_first_question_is_still_recorded(settings, officers):
    app, client = _app(settings, voice_speech=True)
    call = Call(client, settings)
    call.start()
    call.press("1")
    call.say("có người lạ mặt chở hàng cấm qua cầu")  # the tip itself, not a category
    call.press("15865")
    assert call.press("1").find("Record") is not None
    assert call.record(recording_url(settings))[-1].tag == "Hangup"  # already has its words
    [tip] = rows(app.extensions["tinbao"].engine, Tip)
    assert (tip.category, tip.transcript) == ("hang_cam", "có người lạ mặt chở hàng cấm qua cầu")
    app.extensions["tinbao"].engine.dispose()


def test_an_english_caller_hears_the_english_voice(client, settings):
    call = Call(client, settings)
    call.start()
    [(text, attrib)] = _says(call.press("2").find("Gather"))
    assert text.startswith("What is it about? Drugs, press 1.") and attrib == EN


def test_voices_and_languages_are_configurable(settings, officers):
    app, client = _app(settings, voice_voices={"vi": "Google.vi-VN-Wavenet-B", "en": "alice"},
                       voice_languages={"vi": "vi-VN", "en": "en-GB"})
    says = _says(Call(client, settings).start().find("Gather"))
    wavenet = {"voice": "Google.vi-VN-Wavenet-B", "language": "vi-VN"}
    assert [a for _, a in says] == [wavenet, wavenet, {"voice": "alice", "language": "en-GB"}]
    app.extensions["tinbao"].engine.dispose()


def test_a_recorded_prompt_is_played_instead_of_said(settings, officers, tmp_path):
    (tmp_path / "vi").mkdir()
    (tmp_path / "vi" / "greeting.mp3").write_bytes(b"ID3 greeting")
    (tmp_path / "vi" / "receipt.wav").write_bytes(b"RIFF receipt")
    app, client = _app(settings, voice_prompts_dir=str(tmp_path))
    call = Call(client, settings)
    gather = call.start().find("Gather")
    assert [(e.tag, e.text) for e in gather][:2] == [("Play", "/voice/prompts/vi/greeting.mp3"),
                                                     ("Say", "Tiếng Việt, bấm 1.")]
    with client.get("/voice/prompts/vi/greeting.mp3") as audio:
        assert audio.data == b"ID3 greeting"
    assert client.get("/voice/prompts/vi/../../etc.mp3").status_code == 404
    for digits in ("1", "2", "15865", "1"):
        call.press(digits)
    twiml = call.record(recording_url(settings))
    [tip] = rows(app.extensions["tinbao"].engine, Tip)
    said = [(e.tag, e.text) for e in twiml]
    pin_said = said[2][1]
    assert said == [("Play", "/voice/prompts/vi/receipt.wav"), ("Say", ", ".join(tip.reference)),
                    ("Say", pin_said)] * 2 + [("Hangup", None)]
    app.extensions["tinbao"].engine.dispose()


def test_a_recorded_language_is_offered_on_the_hotline_and_heard_where_recorded(settings,
                                                                               officers, tmp_path):
    for folder in ("hmn", "ede"):
        (tmp_path / folder).mkdir()
    (tmp_path / "hmn" / "press_language.mp3").write_bytes(b"ID3 nias 3")  # H'Mong: recorded
    (tmp_path / "hmn" / "ask_category.mp3").write_bytes(b"ID3 category")
    (tmp_path / "ede" / "greeting.mp3").write_bytes(b"ID3")  # Ede: no recorded choice, no offer
    app, client = _app(settings, voice_prompts_dir=str(tmp_path), voice_languages={
        "vi": "vi-VN", "en": "en-US", "hmn": "vi-VN", "ede": "vi-VN"})
    call = Call(client, settings)
    gather = call.start().find("Gather")
    assert gather.get("numDigits") == "1"
    assert [(e.tag, e.text) for e in gather][-2:] == [
        ("Play", "/voice/prompts/hmn/press_language.mp3"), ("Say", "3")]
    assert "/voice/prompts/ede/" not in ET.tostring(call.twiml).decode()
    asked = call.press("3").find("Gather")  # recorded: played; unrecorded: Vietnamese speech
    assert [(e.tag, e.text) for e in asked] == [("Play", "/voice/prompts/hmn/ask_category.mp3")]
    for digits in ("1", "15865", "1"):
        call.press(digits)
    assert call.element("Say").get("language") == "vi-VN"  # no recording: Vietnamese speech
    call.record(recording_url(settings))
    [tip] = rows(app.extensions["tinbao"].engine, Tip)
    assert (tip.language, tip.category, tip.commune_code) == ("hmn", "ma_tuy", 15865)
    app.extensions["tinbao"].engine.dispose()


def test_a_repeated_request_gets_the_same_twiml_and_moves_nothing(client, settings, app):
    call = Call(client, settings)
    call.start()
    first = call.press("1")
    again = call.post(f"{STEP}?n=1", Digits="1")
    assert again.get_data(as_text=True).endswith(
        "</Gather><Redirect method=\"POST\">/webhooks/twilio/voice/step?n=2&amp;noinput=1"
        "</Redirect></Response>")
    assert call.twiml.find("Gather").get("action") == first.find("Gather").get("action")
    assert count(app.extensions["tinbao"].engine, InboundMessage) == 2


def _app(settings, **changes):
    from gateway import create_app

    app = create_app(settings.replace(**changes))
    return app, app.test_client()


def test_a_call_whose_end_is_never_reported_is_filed_after_its_timeout(client, settings, rt):
    from datetime import timedelta

    from sqlalchemy import update

    from db.session import transaction, utcnow
    from workers.sweep import sweep

    call = Call(client, settings)
    _to_recording(call)
    [flow] = rows(rt.engine, FlowSession)
    assert flow.expires_at - flow.updated_at == timedelta(minutes=settings.voice_timeout_minutes)
    with transaction(rt.engine) as session:
        session.execute(update(FlowSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert sweep()["expired"] == 1
    [tip] = rows(rt.engine, Tip)
    assert (tip.channel, tip.category, tip.commune_code) == ("voice", "trom_cap", 15865)
    [receipt] = rows(rt.engine, OutboundMessage)
    assert receipt.purpose == "receipt" and tip.reference in receipt.body
    call.hang_up()  # the late status callback finds nothing left to file
    assert count(rt.engine, Tip) == 1


def test_a_withheld_number_files_a_tip_but_gets_no_sms(client, settings, app):
    call = Call(client, settings, caller="anonymous")
    _to_recording(call)
    call.hang_up()
    engine = app.extensions["tinbao"].engine
    assert count(engine, Tip) == 1 and count(engine, OutboundMessage) == 0
    [reporter] = rows(engine, Reporter)
    assert reporter.reply_address is None


def test_a_wrong_key_is_asked_about_twice_then_the_call_carries_on(client, settings):
    call = Call(client, settings)
    call.start()
    for _ in range(2):
        says = [t for t, _ in _says(call.press("9").find("Gather"))]
        assert says[0] == "Xin bấm một trong các phím vừa nghe." and says[1].startswith("Xin chào")
    assert call.press("9").find("Gather/Say").text.startswith("Tin báo về việc gì?")
