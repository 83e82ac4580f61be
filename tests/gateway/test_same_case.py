"""TRUNG <ref> <ref>: several residents report one case; it is handled once and every reporter
hears its outcome (by SMS and on the web, the same function)."""

import re

from db.models import OutboundMessage, Tip, TipEvent, TipStatus
from tests.gateway.conftest import officer_says
from tests.helpers import reply_of, rows, run_worker, sms
from tests.phone import UssdSession
from tests.privacy import REPORTERS


def report(client, settings, text: str, sender: str) -> tuple[str, str]:
    """A one-shot tip; its reference and PIN from the receipt."""
    receipt = reply_of(sms(client, settings, text, sender=sender))
    ref, pin = re.search(r"tin bao (\d{6}), PIN (\d{4})", receipt).groups()
    return ref, pin


def tip_of(rt, reference: str) -> Tip:
    return rows(rt.engine, Tip, Tip.reference == reference)[0]


def notices(rt, reference: str) -> list[str]:
    tip = tip_of(rt, reference)
    return [m.purpose for m in rows(rt.engine, OutboundMessage, OutboundMessage.tip_id == tip.id)
            if m.purpose.startswith("notify_")]


def test_trung_closes_a_tip_into_the_case_and_both_reporters_hear_the_outcome(
        client, settings, rt):
    first, _ = report(client, settings, "TIN 15865 co song bac o bai song thon 2", REPORTERS[0])
    second, pin = report(client, settings, "TIN 15865 danh bac o bai song", REPORTERS[1])
    run_worker(rt.redis)
    answer = officer_says(client, settings, rt, f"TRUNG {second} {first}")
    assert answer == (f"Da gop tin bao {second} vao vu viec cua tin {first}. Nguoi bao tin "
                      f"{second} se nhan ket qua cung tin {first}.")
    joined = tip_of(rt, second)
    assert (joined.status, joined.duplicate_of_id) == (TipStatus.CLOSED, tip_of(rt, first).id)
    assert joined.next_check_at is None  # its escalation stopped
    assert officer_says(client, settings, rt, f"OK {second}") == (
        f"Tin bao {second} da gop vao vu viec cua tin {first}: xu ly tin {first}.")
    kinds = {(e.tip_id, e.kind, str(e.data)) for e in rows(rt.engine, TipEvent)}
    assert (joined.id, "linked", str({"case": first})) in kinds
    assert (tip_of(rt, first).id, "joined", str({"duplicate": second})) in kinds
    run_worker(rt.redis)
    assert "notify_linked" in notices(rt, second)
    status = reply_of(sms(client, settings, f"TT {second} {pin}", sender=REPORTERS[1]))
    assert status.startswith(f"Tin bao {second}: da chuyen can bo")  # the case's own state
    officer_says(client, settings, rt, f"XONG {first} KT da bat qua tang")
    run_worker(rt.redis)
    assert "notify_resolved" in notices(rt, first) and "notify_resolved" in notices(rt, second)
    status = reply_of(sms(client, settings, f"KIEM TRA {second} {pin}", sender=REPORTERS[1]))
    assert status.startswith(f"Tin bao {second}: da xu ly xong")
    check = UssdSession(client, settings, phone=REPORTERS[1])  # USSD's check tells the same
    for answer in (None, "2", second):
        check.send(answer)
    assert check.send(pin).startswith(f"END Tin bao {second}: da xu ly xong.")


def test_trung_refuses_a_loop_a_missing_reference_and_a_tip_not_the_officers(
        client, settings, rt):
    first, _ = report(client, settings, "TIN 15865 co nguoi la mat o cho", REPORTERS[0])
    second, _ = report(client, settings, "TIN 15865 nguoi la mat o cho", REPORTERS[1])
    elsewhere, _ = report(client, settings, "TIN 14797 nguoi la mat o ben xe", REPORTERS[2])
    third, _ = report(client, settings, "TIN 15865 lai thay nguoi la o cho", REPORTERS[3])
    run_worker(rt.redis)
    assert officer_says(client, settings, rt, f"TRUNG {first} {first}").startswith(
        f"Tin bao {first} da thuoc vu viec do.")
    assert officer_says(client, settings, rt, f"TRUNG {first}").startswith("Soan TRUNG <ma>")
    assert officer_says(client, settings, rt, f"TRUNG {first} {elsewhere}") == (
        f"Khong co tin bao {elsewhere} trong cac tin ban phu trach.")
    officer_says(client, settings, rt, f"TRUNG {second} {first}")
    assert officer_says(client, settings, rt, f"TRUNG {first} {second}").startswith(
        f"Tin bao {first} da thuoc vu viec do.")  # second's case is first itself
    officer_says(client, settings, rt, f"TRUNG {third} {second}")  # joined to the case
    assert tip_of(rt, third).duplicate_of_id == tip_of(rt, first).id
    assert {t.status for t in rows(rt.engine, Tip) if t.reference != elsewhere} == {
        TipStatus.CLOSED, TipStatus.DISPATCHED}


def test_joining_a_case_moves_the_tips_already_joined_to_it(client, settings, rt):
    a, _ = report(client, settings, "TIN 15865 trom bo o thon 1", REPORTERS[0])
    b, _ = report(client, settings, "TIN 15865 mat trom bo thon 1", REPORTERS[1])
    c, _ = report(client, settings, "TIN 15865 ke trom bo thon 1", REPORTERS[2])
    run_worker(rt.redis)
    officer_says(client, settings, rt, f"TRUNG {b} {a}")
    officer_says(client, settings, rt, f"TRUNG {a} {c}")  # the case is c's after all
    for joined in (a, b):
        assert tip_of(rt, joined).duplicate_of_id == tip_of(rt, c).id
