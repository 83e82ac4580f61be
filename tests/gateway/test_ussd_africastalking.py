"""POST /webhooks/ussd: Africa's Talking requests, good and bad, and whole USSD sessions."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from db.models import FlowSession, InboundMessage, OutboundMessage, Reporter, Tip, TipStatus
from db.session import transaction, utcnow
from tests.helpers import count, rows, run_worker
from tests.phone import UssdSession
from tests.privacy import REPORTERS
from workers.sweep import sweep

CAPTURED = sorted((Path(__file__).parents[1] / "fixtures/requests/ussd_africastalking")
                  .glob("*.json"))
TIP = ("1", "2", "15865", "trom xe may o cho Hoang Hoa dem qua")


def _post(client, settings, case: dict):
    auth = case["auth"]
    query = {"query": f"?secret={settings.ussd_secret}", "wrong": "?secret=x" + "y" * 23}
    headers = {"header": {"X-USSD-Secret": settings.ussd_secret},
               "wrong_header": {"X-USSD-Secret": "z" * 24}}
    return client.post("/webhooks/ussd" + query.get(auth, ""), data=case["form"],
                       headers=headers.get(auth, {}))


@pytest.mark.parametrize("path", CAPTURED, ids=lambda p: p.stem)
def test_captured_ussd_request(path, client, settings, app):
    case = json.loads(path.read_text(encoding="utf-8"))
    response = _post(client, settings, case)
    assert response.status_code == case["status"]
    engine = app.extensions["tinbao"].engine
    assert count(engine, InboundMessage) == (1 if case["stored"] else 0)
    assert count(engine, Tip) == case["tips"]
    if case["response_starts"]:
        assert response.get_data(as_text=True).startswith(case["response_starts"])
        assert response.mimetype == "text/plain"
    if not case["stored"]:
        assert count(engine, Reporter) == 0 and count(engine, FlowSession) == 0


def test_a_report_ends_with_reference_and_pin_and_the_receipt_also_goes_by_sms(client, settings,
                                                                              rt):
    session = UssdSession(client, settings)
    screens = [session.send(None)] + [session.send(answer) for answer in TIP]
    assert [s[:3] for s in screens] == ["CON"] * 4 + ["END"]
    [tip] = rows(rt.engine, Tip)
    assert (tip.channel, tip.category, tip.commune_code, tip.details) == (
        "ussd", "trom_cap", 15865, "trom xe may o cho Hoang Hoa dem qua")
    pin = screens[-1].split("PIN ")[1][:4]
    assert f"Da nhan tin bao {tip.reference}, PIN {pin}" in screens[-1]
    assert rt.keyring.pin_matches(tip.reference, pin, tip.pin_hash)
    [receipt] = rows(rt.engine, OutboundMessage)  # queued in the same transaction as the tip
    assert receipt.purpose == "receipt" and "PIN ****" in receipt.body
    run_worker(rt.redis)
    receipt = rows(rt.engine, OutboundMessage, OutboundMessage.id == receipt.id)[0]
    assert receipt.status == "sent" and receipt.address == "" and receipt.sealed_body is None
    assert rows(rt.engine, Tip)[0].status == TipStatus.DISPATCHED
    assert count(rt.engine, FlowSession) == 0


def test_free_text_with_stars_is_kept_whole(client, settings, app):
    session = UssdSession(client, settings)
    for answer in (None, "1", "6", "15865", "xe tai *bien so 36C* cho hang cam*"):
        screen = session.send(answer)
    assert screen.startswith("END")
    [tip] = rows(app.extensions["tinbao"].engine, Tip)
    assert tip.details == "xe tai *bien so 36C* cho hang cam*"


def test_the_same_hop_delivered_twice_answers_the_same_screen_and_advances_once(client, settings,
                                                                                app):
    session = UssdSession(client, settings)
    for answer in (None, "1", "2", "15865"):
        session.send(answer)
    first = session.send("trom bo")
    again = session.post(session.text).get_data(as_text=True)
    assert again == first and first.startswith("END")
    engine = app.extensions["tinbao"].engine
    assert count(engine, Tip) == 1 and count(engine, InboundMessage) == 5


def test_zero_goes_back_to_the_screen_before_and_double_zero_goes_home(client, settings, app):
    session = UssdSession(client, settings)
    for answer in (None, "1", "2"):
        session.send(answer)
    assert "Loai tin bao" in session.send("0")  # back from the commune to the category
    assert "Nhap ma xa" in session.send("3")  # a different answer this time
    assert "Chon xa" in session.send("vinh hung")
    assert "Nhap ma xa" in session.send("0")  # back from the choices to the commune
    assert "Chon xa" in session.send("vinh hung")
    assert "Mo ta su viec" in session.send("3")
    assert session.send("00").startswith("CON Tinbao")  # home: the tip is abandoned
    for answer in ("1", "7", "9"):
        screen = session.send(answer)
    assert "Mo ta su viec" in screen
    assert session.send("co nguoi la o thon 3").startswith("END")
    [tip] = rows(app.extensions["tinbao"].engine, Tip)
    assert (tip.category, tip.commune_code, tip.province_code) == ("khac", None, 38)


def test_invalid_answers_are_asked_again_with_a_short_hint(client, settings):
    session = UssdSession(client, settings)
    session.send(None)
    assert session.send("5").startswith("CON Chua ro, hay chon mot so trong danh sach.\nTinbao")
    session.send("1")
    assert session.send("8").startswith("CON Chua ro, hay chon mot so tu 1 den 7.\nLoai tin bao")
    session.send("1")
    assert session.send("99999").startswith('CON Khong tim thay xa "99999".\nNhap ma xa')
    session.send("15865")
    assert session.send("").startswith("CON Chua co noi dung.\nMo ta su viec")


def test_a_status_check_shows_the_tip_after_reference_and_pin(client, settings, rt):
    report = UssdSession(client, settings, phone=REPORTERS[1])
    for answer in (None,) + TIP:
        receipt = report.send(answer)
    reference, pin = receipt.split("tin bao ")[1][:6], receipt.split("PIN ")[1][:4]
    run_worker(rt.redis)
    check = UssdSession(client, settings, phone=REPORTERS[2])  # from any phone
    for answer in (None, "2", reference):
        check.send(answer)
    screen = check.send(pin)
    [tip] = rows(rt.engine, Tip)
    updated = (tip.dispatched_at + timedelta(hours=7)).strftime("%d/%m")  # Vietnam's date
    assert screen == (f"END Tin bao {reference}: da chuyen can bo. Noi nhan: Cong an Xa Hoang "
                      f"Hoa. Cap nhat {updated}.")
    wrong = UssdSession(client, settings)
    for answer in (None, "2", reference):
        wrong.send(answer)
    assert wrong.send("0000" if pin != "0000" else "1111") == (
        f"END Khong xem duoc tin bao {reference}: sai ma hoac PIN. Sai 5 lan thi khoa 1 gio.")


def test_a_status_check_re_asks_a_malformed_reference_or_pin(client, settings):
    session = UssdSession(client, settings)
    for answer in (None, "2"):
        session.send(answer)
    assert session.send("12345").startswith("CON Ma tin bao gom 6 so.\nNhap ma tin bao")
    session.send("123456")
    assert session.send("12").startswith("CON Ma PIN gom 4 so.\nNhap ma PIN")
    assert session.send("1234").startswith("END Khong xem duoc tin bao 123456")


def test_the_language_menu_switches_to_english_and_it_is_remembered(client, settings, app):
    session = UssdSession(client, settings)
    for answer in (None, "3"):
        session.send(answer)
    assert session.send("2").startswith("CON Tinbao: anonymous tips")
    assert "What is it about?" in session.send("1")
    [reporter] = rows(app.extensions["tinbao"].engine, Reporter)
    assert reporter.language == "en"
    assert UssdSession(client, settings).send(None).startswith("CON Tinbao: anonymous tips")


def test_a_session_the_gateway_never_finishes_is_filed_after_its_timeout(client, settings, rt):
    session = UssdSession(client, settings)
    for answer in (None, "1", "1", "15865"):
        session.send(answer)
    [flow] = rows(rt.engine, FlowSession)
    assert flow.expires_at - flow.updated_at == timedelta(seconds=settings.ussd_timeout_seconds)
    assert sweep()["expired"] == 0  # still in time
    with transaction(rt.engine) as db:
        db.execute(update(FlowSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert sweep()["expired"] == 1
    [tip] = rows(rt.engine, Tip)
    assert (tip.channel, tip.category, tip.commune_code, tip.details) == ("ussd", "ma_tuy", 15865,
                                                                          "")
    [receipt] = rows(rt.engine, OutboundMessage)
    assert receipt.purpose == "receipt" and tip.reference in receipt.body
    assert session.send("co nguoi ban ma tuy").startswith("CON Tinbao")  # starts over


def test_the_source_address_must_be_allowed_when_an_allowlist_is_set(settings, officers):
    from gateway import create_app

    for allowed, status in (("10.0.0.0/8, 192.0.2.7", 403), ("127.0.0.0/8", 200)):
        app = create_app(settings.replace(ussd_allowed_ips=tuple(allowed.split(", "))))
        response = UssdSession(app.test_client(), settings).post("")
        assert response.status_code == status
        app.extensions["tinbao"].engine.dispose()


def test_without_a_configured_secret_every_request_is_refused(settings, officers):
    from gateway import create_app

    app = create_app(settings.replace(ussd_secret=""))
    assert UssdSession(app.test_client(), settings).post("", secret="").status_code == 403
    assert count(app.extensions["tinbao"].engine, InboundMessage) == 0
    app.extensions["tinbao"].engine.dispose()
