"""Reporters follow up by SMS: TT for status, THEM to add, five wrong PINs lock an hour."""

from db.models import Officer, OutboundMessage, Tip, TipEvent
from tests.helpers import reply_of, rows, run_worker, sms
from tests.privacy import REPORTERS


def _filed(client, settings, rt) -> tuple[str, str]:
    reply = reply_of(sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song"))
    run_worker(rt.redis)
    return reply.split()[4].rstrip(","), reply.split("PIN ")[1][:4]


def _wrong(pin: str) -> str:
    return "0000" if pin != "0000" else "1111"


def test_tt_with_the_pin_tells_the_status_in_one_segment(client, settings, rt):
    ref, pin = _filed(client, settings, rt)
    reply = reply_of(sms(client, settings, f"tt {ref[:3]} {ref[3:]} {pin}"))
    assert reply.startswith(f"Tin bao {ref}: da chuyen can bo. Noi nhan: Cong an Xa Hoang Hoa.")
    assert len(reply) <= 160 and reply.isascii()
    other_phone = reply_of(sms(client, settings, f"TT {ref} {pin}", sender=REPORTERS[2]))
    assert other_phone == reply  # the PIN is the key, not the phone


def test_tt_with_a_wrong_pin_or_unknown_reference_says_the_same(client, settings, rt):
    ref, pin = _filed(client, settings, rt)
    wrong = reply_of(sms(client, settings, f"TT {ref} {_wrong(pin)}"))
    unknown = reply_of(sms(client, settings, f"TT 999999 {pin}"))
    assert wrong == f"Khong xem duoc tin bao {ref}: sai ma hoac PIN. Sai 5 lan thi khoa 1 gio."
    assert unknown == wrong.replace(ref, "999999")


def test_five_wrong_pins_lock_the_reference(client, settings, rt):
    ref, pin = _filed(client, settings, rt)
    wrong = [p for p in ("0000", "1111", "2222", "3333", "4444", "5555") if p != pin][:5]
    for guess in wrong:  # a guesser tries different PINs (the same text twice is merged)
        sms(client, settings, f"TT {ref} {guess}", sender=REPORTERS[3])
    locked = reply_of(sms(client, settings, f"TT {ref} {pin}"))
    assert locked.startswith(f"Khong xem duoc tin bao {ref}")
    assert "pin_locked" in [e.kind for e in rows(rt.engine, TipEvent)]


def test_them_adds_details_and_forwards_them_to_the_officer(client, settings, rt):
    ref, pin = _filed(client, settings, rt)
    reply = reply_of(sms(client, settings, f"THEM {ref} {pin} hắn đi xe Wave đỏ, biển 36B1"))
    assert reply == f"Da bo sung vao tin bao {ref} va bao cho can bo. Cam on ban."
    [tip] = rows(rt.engine, Tip)
    assert tip.details.startswith("co nguoi ban ma tuy o bai song\n[+")
    assert tip.details.endswith("] hắn đi xe Wave đỏ, biển 36B1")
    run_worker(rt.redis)
    [forward] = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "forward_details")
    assert forward.officer_id == tip.officer_id and forward.status == "sent"
    assert forward.body == f'TB {ref} nguoi bao bo sung: "han di xe Wave do, bien 36B1"'


def test_them_with_a_wrong_pin_changes_nothing(client, settings, rt):
    ref, pin = _filed(client, settings, rt)
    reply = reply_of(sms(client, settings, f"THEM {ref} {_wrong(pin)} bia dat"))
    assert reply.startswith("Khong xem duoc tin bao")
    assert rows(rt.engine, Tip)[0].details == "co nguoi ban ma tuy o bai song"


def test_them_without_reference_is_a_new_tip(client, settings, rt):
    reply = reply_of(sms(client, settings, "them nguoi la mat o thon 3 toi qua"))
    assert reply.startswith("Xa/phuong nao?")


def test_the_reference_and_pin_alone_or_after_kiem_tra_tell_the_status(client, settings, rt):
    ref, pin = _filed(client, settings, rt)
    alone = reply_of(sms(client, settings, f"{ref} {pin}"))
    assert alone.startswith(f"Tin bao {ref}: da chuyen can bo.")
    assert reply_of(sms(client, settings, f"Kiểm tra {ref} {pin}")) == alone
    assert len(rows(rt.engine, Tip)) == 1


def test_a_status_request_without_the_pin_asks_for_it_and_counts_no_attempt(client, settings, rt):
    ref, pin = _filed(client, settings, rt)
    asked = (f"TT {ref}", f"tt {ref[:3]} {ref[3:]}", f"Trạng thái {ref}", f"kiem tra {ref}",
             f"Tt {ref}", f"status {ref}")  # six: more than the five wrong PINs that lock
    for text in asked:  # (the same text twice in a row is taken for a repeated delivery)
        reply = reply_of(sms(client, settings, text))
        assert reply.startswith("Can ca ma va PIN: TT <ma> <PIN> de xem") and len(reply) <= 160
    assert len(rows(rt.engine, Tip)) == 1 and "pin_locked" not in [
        e.kind for e in rows(rt.engine, TipEvent)]
    assert reply_of(sms(client, settings, f"TT {ref} {pin}")).startswith(f"Tin bao {ref}: ")


def test_numbers_answering_an_officers_question_reach_the_officer(client, settings, rt):
    ref, pin = _filed(client, settings, rt)
    [tip] = rows(rt.engine, Tip)
    officer = rows(rt.engine, Officer, Officer.id == tip.officer_id)[0]
    sms(client, settings, f"HOI {ref} so dien thoai cua ke do?", sender=officer.phone)
    answer = reply_of(sms(client, settings, "093 456 7890"))  # shaped like a reference and PIN
    assert answer.startswith("Da chuyen tra loi cua ban cho can bo")
    run_worker(rt.redis)
    [forwarded] = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "forward_reply")
    assert forwarded.body.endswith('"093 456 7890"')
    phone = reply_of(sms(client, settings, "0934567890"))  # no question open: no PIN attempt
    assert not phone.startswith("Khong xem duoc")
