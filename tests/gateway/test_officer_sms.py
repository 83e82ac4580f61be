"""Officers working tips by SMS: every command, every refusal, the events they write."""

import logging
import re

from rq.registry import ScheduledJobRegistry
from sqlalchemy import MetaData, select

from db.models import (
    Commune,
    FlowSession,
    Officer,
    OfficerKind,
    OutboundMessage,
    RecipientKind,
    Reporter,
    Tip,
    TipEvent,
    TipStatus,
)
from flows.text import to_gsm7
from tests.gateway.conftest import officer_of, officer_says
from tests.helpers import reply_of, rows, run_worker, sms
from tests.privacy import REPORTERS
from workers.queues import URGENT
from workers.sweep import escalate_due

# Where traffic leaves text; the officer table holds the number by design (outbox addresses:
# sealed, and scanned here all the same).
TRAFFIC = ("inboundmessage", "tipevent", "outboundmessage", "flowsession", "tip", "reporter",
           "auditlog")


def reporter_messages(rt) -> list[OutboundMessage]:
    return [m for m in rows(rt.engine, OutboundMessage)
            if m.recipient_kind == RecipientKind.REPORTER]


def test_ok_acknowledges_stops_escalation_and_tells_the_reporter(client, settings, rt, tip):
    [wake_up] = ScheduledJobRegistry(URGENT, connection=rt.redis).get_job_ids()  # the deadline's
    reply = officer_says(client, settings, rt, f"ok {tip.reference[:3]} {tip.reference[3:]}")
    assert reply == (f"Da ghi nhan: ban tiep nhan tin bao {tip.reference}. Xu ly xong soan "
                     f"XONG {tip.reference} [KT/KKT/TDC].")
    assert escalate_due(int(wake_up.removeprefix("deadlines-"))) == 0  # not due any more
    [tip] = rows(rt.engine, Tip)
    officer = officer_of(rt.engine, 15865)
    assert tip.status == TipStatus.ACKNOWLEDGED and tip.acknowledged_at is not None
    assert tip.next_check_at is None and tip.officer_id == officer.id
    [event] = rows(rt.engine, TipEvent, TipEvent.kind == "acknowledged")
    assert (event.actor, event.officer_id) == (f"officer:{officer.id}", officer.id)
    run_worker(rt.redis)
    notice = reporter_messages(rt)[-1]
    assert notice.body == f"Tin bao {tip.reference} da duoc can bo tiep nhan. Cam on ban."
    assert notice.status == "sent"
    again = officer_says(client, settings, rt, f"OK {tip.reference}")
    assert again == f"Tin bao {tip.reference} da duoc tiep nhan truoc do."


def test_xong_resolves_with_the_decision_and_keeps_the_reply_address_a_while(client, settings,
                                                                            rt, tip):
    reply = officer_says(client, settings, rt, f"XONG {tip.reference} KT da bat 2 doi tuong")
    assert reply == f"Da ghi nhan tin bao {tip.reference} xu ly xong (khoi to). Cam on."
    [tip] = rows(rt.engine, Tip)
    assert tip.status == TipStatus.RESOLVED and tip.decision == "prosecute"
    assert tip.acknowledged_at == tip.resolved_at  # never acknowledged: implicit, same moment
    resolved = rows(rt.engine, TipEvent, TipEvent.kind == "resolved")[0]
    assert resolved.data == {"decision": "prosecute", "note": "da bat 2 doi tuong"}
    [reporter] = rows(rt.engine, Reporter)
    assert (reporter.reply_expires_at - tip.resolved_at).days == settings.reply_address_days
    run_worker(rt.redis)
    assert reporter_messages(rt)[-1].body.startswith(f"Tin bao {tip.reference} da duoc xu ly xong")
    closed = officer_says(client, settings, rt, f"OK {tip.reference}")
    assert closed.startswith(f"Tin bao {tip.reference} da xu ly xong, khong the thay doi")


def test_hoi_relays_a_question_and_the_answer_without_either_number(client, settings, rt, tip):
    officer = officer_of(rt.engine, 15865)
    reply = officer_says(client, settings, rt, f"HOI {tip.reference} xe mau gi, bien so?")
    assert reply.startswith(f"Da gui cau hoi ve tin bao {tip.reference}")
    run_worker(rt.redis)
    question = reporter_messages(rt)[-1]
    assert question.body == (f"Can bo hoi ve tin bao {tip.reference}: \"xe mau gi, bien so?\" "
                             "Tra loi tin nay (an danh).")
    answer = reply_of(sms(client, settings, "xe wave mau do, bien 36B1 12345"))
    assert answer == f"Da chuyen tra loi cua ban cho can bo (tin bao {tip.reference}). Cam on ban."
    run_worker(rt.redis)
    forwarded = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "forward_reply")[0]
    assert forwarded.officer_id == officer.id and forwarded.status == "sent"
    assert forwarded.body == (f"TB {tip.reference} nguoi bao tra loi: "
                              "\"xe wave mau do, bien 36B1 12345\"")
    for msg in rows(rt.engine, OutboundMessage):
        assert officer.phone not in msg.body and REPORTERS[0] not in msg.body
    kinds = [e.kind for e in rows(rt.engine, TipEvent)]
    assert "question" in kinds and "reporter_reply" in kinds
    assert len(rows(rt.engine, Tip)) == 1  # the answer did not start a new tip
    nxt = reply_of(sms(client, settings, "TIN 15865 lai co nguoi la"))
    assert nxt.startswith("Da nhan tin bao")  # the question is closed once answered


def traffic_cells(engine) -> list[tuple[str, str]]:
    """(table.column, text) of every non-empty cell of the traffic tables."""
    meta = MetaData()
    meta.reflect(engine, only=TRAFFIC)
    with engine.connect() as conn:
        # Reflection pulls in the tables these refer to (officer among them): left out.
        return [(f"{table.name}.{column}", str(value)) for table in meta.sorted_tables
                if table.name in TRAFFIC for row in conn.execute(select(table))
                for column, value in row._mapping.items() if value is not None]


def test_the_relay_shows_the_officers_number_nowhere(client, settings, rt, tip, caplog):
    caplog.set_level(logging.DEBUG)
    officer = officer_of(rt.engine, 15865)
    # Any spelling: +44..., 44..., 0..., the bare digits, with spaces, dots or dashes between.
    number = re.compile(r"[\s.\-]?".join(officer.phone[3:]))
    spaced = f"0{officer.phone[3:6]} {officer.phone[6:9]}.{officer.phone[9:]}"
    assert number.search(officer.phone) and number.search(spaced)
    asked = sms(client, settings, f"HOI {tip.reference} xe mau gi?", sender=officer.phone)
    run_worker(rt.redis)
    open_relay = traffic_cells(rt.engine)  # the question is out, the relay session open
    assert {where.split(".")[0] for where, _ in open_relay} == set(TRAFFIC) - {"auditlog"}
    assert rows(rt.engine, FlowSession)[0].state["officer_id"] == officer.id
    answered = sms(client, settings, "xe wave mau do")
    run_worker(rt.redis)
    purposes = [m.purpose for m in rows(rt.engine, OutboundMessage)]
    assert purposes[-2:] == ["question", "forward_reply"]
    assert all(m.status == "sent" for m in rows(rt.engine, OutboundMessage))
    seen = {"the officer's reply": asked.get_data(as_text=True),
            "the reporter's reply": answered.get_data(as_text=True),
            "log output": caplog.text}
    seen |= {f"outbound {m.id} body/last_error": f"{m.body} {m.last_error or ''}"
             for m in rows(rt.engine, OutboundMessage)}
    assert caplog.records  # the app and the worker did log
    for where, text in [*seen.items(), *open_relay, *traffic_cells(rt.engine)]:
        assert not number.search(text), f"the officer's number in {where}"


def test_chuyen_moves_the_tip_to_another_commune_and_dispatches_it_there(client, settings, rt,
                                                                         tip):
    reply = officer_says(client, settings, rt, f"CHUYEN {tip.reference} 15925")
    new = rows(rt.engine, Officer, Officer.commune_code == 15925)[0]
    commune = rows(rt.engine, Commune, Commune.code == 15925)[0]
    assert reply == f"Da chuyen tin bao {tip.reference} sang Cong an {to_gsm7(commune.name)}."
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    assert (tip.commune_code, tip.officer_id, tip.status) == (15925, new.id, TipStatus.DISPATCHED)
    dispatches = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "dispatch")
    assert [m.officer_id for m in dispatches][-1] == new.id
    assert "transferred" in [e.kind for e in rows(rt.engine, TipEvent)]
    bad = officer_says(client, settings, rt, f"CHUYEN {tip.reference} 99999", commune=15925)
    assert bad == f"Khong co xa/phuong ma 99999. Soan CHUYEN {tip.reference} <ma xa>."


def test_chuyen_takes_a_commune_name_but_never_guesses_one(client, settings, rt, tip):
    typo = officer_says(client, settings, rt, f"CHUYEN {tip.reference} hoang tin")
    assert typo == (f"Soan CHUYEN {tip.reference} <ma xa>, ma xa: Xa Hoang Tien 15991, "
                    "Xa Hoang Thanh 16000, Xa Hoang Giang 15880")
    unknown = officer_says(client, settings, rt, f"CHUYEN {tip.reference} khong co xa nay")
    assert unknown == f'Khong tim thay xa "khong co xa nay". Soan CHUYEN {tip.reference} <ma xa>.'
    assert rows(rt.engine, Tip)[0].commune_code == 15865  # neither moved the tip
    named = officer_says(client, settings, rt, f"chuyen {tip.reference} Phường Nguyệt Viên")
    assert named == f"Da chuyen tin bao {tip.reference} sang Cong an Phuong Nguyet Vien."
    assert rows(rt.engine, Tip)[0].commune_code == 15925


def test_ds_lists_open_tips_in_one_segment_those_to_take_first(client, settings, rt, tip):
    officer_says(client, settings, rt, f"OK {tip.reference}")
    sms(client, settings, "TIN 15865 vu viec moi", sender=REPORTERS[1])
    [new] = [t for t in rows(rt.engine, Tip) if t.id != tip.id]
    listing = officer_says(client, settings, rt, "DS")
    assert listing == f"Tin dang mo (2): {new.reference} CHUA NHAN, {tip.reference} DA NHAN"
    sms(client, settings, "TIN 15865 khan cap, co cuop o cho", sender=REPORTERS[1])
    [urgent] = [t for t in rows(rt.engine, Tip) if t.id not in (tip.id, new.id)]
    listing = officer_says(client, settings, rt, "DS")
    assert listing == (f"Tin dang mo (3): {urgent.reference} KHAN CHUA NHAN, {new.reference} "
                       f"CHUA NHAN, {tip.reference} DA NHAN")
    sms(client, settings, "TIN 15865 vu viec moi hon", sender=REPORTERS[1])
    assert officer_says(client, settings, rt, "DS").startswith(  # urgent first, though older
        f"Tin dang mo (4): {urgent.reference} KHAN CHUA NHAN, ")
    for n in range(11):
        sms(client, settings, f"TIN 15865 vu viec so {n}", sender=REPORTERS[1])
    listing = officer_says(client, settings, rt, "DS")
    assert listing.startswith("Tin dang mo (15): ") and len(listing) <= 160
    assert listing.endswith(" tin khac") and "DA NHAN" not in listing
    elsewhere = officer_says(client, settings, rt, "DS", commune=14797)
    assert elsewhere == "Khong co tin bao nao dang mo."


def test_anything_else_gets_the_command_help(client, settings, rt, tip):
    assert officer_says(client, settings, rt, "alo alo").startswith("Lenh: OK <ma> (nhan tin);")
    assert officer_says(client, settings, rt, "XONG").startswith("Lenh: OK")


def test_ok_alone_takes_the_only_tip_waiting_and_names_it(client, settings, rt, tip):
    reply = officer_says(client, settings, rt, "Đã nhận")
    assert reply.startswith(f"Da ghi nhan: ban tiep nhan tin bao {tip.reference}.")
    assert rows(rt.engine, Tip)[0].status == TipStatus.ACKNOWLEDGED
    again = officer_says(client, settings, rt, "ok anh")  # nothing waits: the open list says so
    assert again == f"Tin dang mo (1): {tip.reference} DA NHAN"


def test_ok_with_a_mistyped_reference_takes_nothing(client, settings, rt, tip):
    assert officer_says(client, settings, rt, f"OK {tip.reference[:4]}").startswith("Lenh: OK")
    assert rows(rt.engine, Tip)[0].status == TipStatus.DISPATCHED


def test_ok_alone_with_several_tips_waiting_takes_none_and_lists_them(client, settings, rt, tip):
    for n in range(15):
        sms(client, settings, f"TIN 15865 vu viec so {n}", sender=REPORTERS[1])
    reply = officer_says(client, settings, rt, "OK")
    assert reply.startswith("Co 16 tin chua nhan, soan OK <ma> cho tung tin: ")
    assert len(reply) <= 160 and reply.endswith(" tin khac")
    listed = re.findall(r"\b\d{6}\b", reply)
    newest_first = [t.reference for t in sorted(rows(rt.engine, Tip), key=lambda t: t.id,
                                                reverse=True)]
    assert 5 <= len(listed) < 16 and listed == newest_first[:len(listed)]
    assert all(t.status != TipStatus.ACKNOWLEDGED for t in rows(rt.engine, Tip))
    elsewhere = officer_says(client, settings, rt, "OK", commune=14797)
    assert elsewhere == "Khong co tin bao nao dang mo."


def test_an_officer_of_another_commune_learns_nothing(client, settings, rt, tip):
    stranger = officer_says(client, settings, rt, f"OK {tip.reference}", commune=14797)
    unknown = officer_says(client, settings, rt, "OK 999999", commune=14797)
    assert stranger == f"Khong co tin bao {tip.reference} trong cac tin ban phu trach."
    assert unknown == "Khong co tin bao 999999 trong cac tin ban phu trach."
    assert rows(rt.engine, Tip)[0].status == TipStatus.DISPATCHED


def test_the_province_desk_may_act_on_its_province_tips(client, settings, rt, tip):
    [desk] = rows(rt.engine, Officer, Officer.kind == OfficerKind.PROVINCE_DESK)
    reply = reply_of(sms(client, settings, f"OK {tip.reference}", sender=desk.phone))
    assert reply.startswith("Da ghi nhan") and rows(rt.engine, Tip)[0].officer_id == desk.id


def test_officer_messages_are_kept_and_never_start_tips(client, settings, rt, tip):
    officer_says(client, settings, rt, "co nguoi la mat o thon 3")
    assert len(rows(rt.engine, Tip)) == 1 and len(rows(rt.engine, Reporter)) == 1
    assert rows(rt.engine, FlowSession) == []
