"""The tip list and detail page, and web actions writing the same events as SMS commands."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from db.models import (
    AuditLog,
    FlowSession,
    Officer,
    OutboundMessage,
    RecipientKind,
    Reporter,
    Tip,
    TipEvent,
    TipStatus,
)
from db.session import transaction, utcnow
from tests.admin import OFFICER_COMMUNE, login, post
from tests.helpers import reply_of, rows, run_worker, sms
from tests.privacy import REPORTERS
from workers.sweep import sweep


@pytest.fixture
def tip(client, settings, rt) -> Tip:
    """A dispatched tip for Xa Hoang Hoa (15865)."""
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    run_worker(rt.redis)
    return rows(rt.engine, Tip)[0]


def events(rt, tip_id: int) -> list[TipEvent]:
    return rows(rt.engine, TipEvent, TipEvent.tip_id == tip_id)


def test_acknowledging_on_the_web_writes_what_ok_by_sms_writes(client, settings, rt, accounts,
                                                               tip):
    sms(client, settings, "TIN 15865 lai co nguoi ban ma tuy", sender=REPORTERS[1])
    run_worker(rt.redis)
    other = [t for t in rows(rt.engine, Tip) if t.id != tip.id][0]
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    reply_of(sms(client, settings, f"OK {other.reference}", sender=officer.phone))
    login(client, accounts.officer)
    assert post(client, f"/admin/tips/{tip.id}/acknowledge").status_code == 302
    run_worker(rt.redis)
    by_web, by_sms = rows(rt.engine, Tip, Tip.id == tip.id)[0], rows(rt.engine, Tip,
                                                                    Tip.id == other.id)[0]
    for done in (by_web, by_sms):
        assert done.status == TipStatus.ACKNOWLEDGED and done.acknowledged_at is not None
        assert done.officer_id == officer.id and done.next_check_at is None
    [web_event] = [e for e in events(rt, tip.id) if e.kind == "acknowledged"]
    [sms_event] = [e for e in events(rt, other.id) if e.kind == "acknowledged"]
    assert web_event.actor.startswith("user:") and sms_event.actor == f"officer:{officer.id}"
    assert (web_event.officer_id, web_event.data) == (sms_event.officer_id, sms_event.data)
    notices = [m.purpose for m in rows(rt.engine, OutboundMessage, OutboundMessage.tip_id
                                       == tip.id)]
    assert "notify_acknowledged" in notices  # the reporter hears of it either way
    assert rows(rt.engine, AuditLog, AuditLog.action == "tip_acknowledge")[0].target == \
        f"tip:{tip.id}"


def test_resolve_assess_note_and_spam(client, rt, accounts, tip):
    login(client, accounts.supervisor)
    post(client, f"/admin/tips/{tip.id}/valuable")
    post(client, f"/admin/tips/{tip.id}/note", {"text": "da xac minh dia diem"})
    post(client, f"/admin/tips/{tip.id}/resolve", {"decision": "prosecute", "note": "bat 2"})
    [done] = rows(rt.engine, Tip)
    assert (done.status, done.decision, done.valuable) == (TipStatus.RESOLVED, "prosecute", True)
    kinds = [e.kind for e in events(rt, tip.id)]
    assert kinds[-4:] == ["assessed", "note", "acknowledged", "resolved"]
    resolved = events(rt, tip.id)[-1]
    assert resolved.data == {"decision": "prosecute", "note": "bat 2"}
    response = post(client, f"/admin/tips/{tip.id}/acknowledge", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "da xu ly xong, khong the thay doi" in page
    timeline = page[page.index('id="timeline"'):]
    assert '<small class="data">có giá trị</small>' in timeline
    assert '<small class="data">“da xac minh dia diem”</small>' in timeline
    assert '<small class="data">ngầm định khi xử lý xong</small>' in timeline
    assert '<small class="data">Khởi tố · “bat 2”</small>' in timeline
    actions = page[page.index('class="actions"'):page.index('id="timeline"')]
    for gone in ("acknowledge", "resolve", "ask", "transfer", "reassign"):  # settled: no use
        assert f'action="/admin/tips/{tip.id}/{gone}"' not in actions, gone
    assert f'action="/admin/tips/{tip.id}/note"' in actions
    post(client, f"/admin/tips/{tip.id}/spam")
    [spam] = rows(rt.engine, Tip)
    assert (spam.status, spam.valuable, spam.closed_at is not None) == (TipStatus.CLOSED, False,
                                                                         True)


def test_asking_the_reporter_relays_through_the_gateway(client, settings, rt, accounts, tip):
    login(client, accounts.supervisor)
    post(client, f"/admin/tips/{tip.id}/ask", {"text": "xe mau gi?"})
    run_worker(rt.redis)
    question = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "question")[0]
    assert question.recipient_kind == RecipientKind.REPORTER and question.status == "sent"
    answer = reply_of(sms(client, settings, "xe wave mau do"))
    assert answer.startswith("Da chuyen tra loi cua ban cho can bo")
    page = client.get(f"/admin/tips/{tip.id}").get_data(as_text=True)
    assert "xe mau gi?" in page and "xe wave mau do" in page  # the anonymous thread


def test_reassigning_dispatches_the_tip_to_the_chosen_officer(client, rt, accounts, tip):
    [desk] = [o for o in rows(rt.engine, Officer) if o.kind.value == "province_desk"]
    login(client, accounts.supervisor)
    post(client, f"/admin/tips/{tip.id}/reassign", {"officer": desk.id})
    run_worker(rt.redis)
    [moved] = rows(rt.engine, Tip)
    assert (moved.officer_id, moved.status, moved.dispatch_round) == (desk.id,
                                                                       TipStatus.DISPATCHED, 1)
    dispatches = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "dispatch")
    assert [m.officer_id for m in dispatches][-1] == desk.id and dispatches[-1].status == "sent"
    assert "reassigned" in [e.kind for e in events(rt, tip.id)]
    stranger = rows(rt.engine, Officer, Officer.commune_code == 14797)[0]
    response = post(client, f"/admin/tips/{tip.id}/reassign", {"officer": stranger.id},
                    follow_redirects=True)
    assert rows(rt.engine, Tip)[0].officer_id == desk.id  # not an officer of this commune
    assert "Không có gì thay đổi." in response.get_data(as_text=True)


def test_transfer_moves_the_tip_and_out_of_an_officers_sight(client, rt, accounts, tip):
    login(client, accounts.officer)
    post(client, f"/admin/tips/{tip.id}/transfer", {"commune": "14797"})
    run_worker(rt.redis)
    assert rows(rt.engine, Tip)[0].commune_code == 14797
    assert client.get(f"/admin/tips/{tip.id}").status_code == 404


def test_transfer_by_name_takes_the_one_commune_with_that_name_and_asks_otherwise(
        client, rt, accounts, tip):
    login(client, accounts.supervisor)
    shared = post(client, f"/admin/tips/{tip.id}/transfer", {"commune": "dong tien"},
                  follow_redirects=True).get_data(as_text=True)
    assert "Xã/phường nào? Xã Đồng Tiến, Thanh Hóa (15724); Phường Đông Tiến, Thanh Hóa" \
        " (15853). Nhập mã của xã cần chuyển." in shared  # Thanh Hoa's own, not Ha Tinh's
    unknown = post(client, f"/admin/tips/{tip.id}/transfer", {"commune": "Xa Khong Co Ten"},
                   follow_redirects=True).get_data(as_text=True)
    assert "Không có xã/phường nào tên &#34;Xa Khong Co Ten&#34;." in unknown
    assert rows(rt.engine, Tip)[0].commune_code == 15865
    assert not [e for e in events(rt, tip.id) if e.kind == "transferred"]
    post(client, f"/admin/tips/{tip.id}/transfer", {"commune": "  phuong hoan kiem "})
    run_worker(rt.redis)
    assert rows(rt.engine, Tip)[0].commune_code == 70  # one in the country: Ha Noi's
    [moved] = [e for e in events(rt, tip.id) if e.kind == "transferred"]
    assert moved.data == {"from": 15865, "to": 70}


def test_the_detail_page_shows_the_whole_story_and_audits_the_view(client, rt, accounts, tip):
    login(client, accounts.supervisor)
    page = client.get(f"/admin/tips/{tip.id}").get_data(as_text=True)
    for kind, shown in (("received", "Đã nhận"), ("routed", "Đã chọn nơi nhận"),
                        ("dispatched", "Đã chuyển cán bộ")):
        assert f'<b class="kind" data-kind="{kind}">{shown}</b>' in page
    assert "Xã Hoằng Hóa, Thanh Hóa (15865)" in page and "Ma túy" in page
    for action in ("acknowledge", "resolve", "ask", "transfer", "reassign", "note", "spam"):
        assert f'action="/admin/tips/{tip.id}/{action}"' in page, action  # an open tip
    timeline = page[page.index('id="timeline"'):page.index("</ol>", page.index('id="timeline"'))]
    assert '<small class="data">SMS · Ma túy · xã 15865</small>' in timeline
    assert '<small class="data">cấp 0 · Công an xã</small>' in timeline
    assert "{" not in timeline and "_" not in timeline.replace("data-kind", "")
    assert "Tin báo cho cán bộ" in page and "notify_dispatched" not in page
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    assert "+44" + "•" * 6 + officer.phone[-4:] in page  # officer numbers only masked
    assert officer.phone not in page
    assert "Người báo tin (ẩn số)" in page  # the reporter's notice, number hidden
    assert rows(rt.engine, AuditLog, AuditLog.action == "view_tip")[0].target == f"tip:{tip.id}"


def test_the_list_filters_searches_and_pages(client, settings, rt, accounts, tip):
    for n in range(55):
        sms(client, settings, f"TIN 14797 trom xe may so {n}", sender=REPORTERS[n % 5])
    login(client, accounts.admin)
    assert '<small id="total">56</small>' in client.get("/admin/tips").get_data(as_text=True)
    second = client.get("/admin/tips?page=2").get_data(as_text=True)
    assert second.count('href="/admin/tips/') == 6
    found = client.get("/admin/tips?q=MA+TUY").get_data(as_text=True)
    assert '<small id="total">1</small>' in found and tip.reference in found
    by_ref = client.get(f"/admin/tips?q={tip.reference}").get_data(as_text=True)
    assert '<small id="total">1</small>' in by_ref
    for query, total in (("status=dispatched", 1), ("status=received", 55),
                         ("commune=14797", 55), ("category=trom_cap", 55), ("channel=voice", 0),
                         ("valuable=unset", 56), ("valuable=yes", 0), ("overdue=1", 0)):
        page = client.get(f"/admin/tips?{query}").get_data(as_text=True)
        assert f'<small id="total">{total}</small>' in page, query


def test_an_officer_lists_only_their_communes_tips(client, settings, rt, accounts, tip):
    sms(client, settings, "TIN 14797 trom xe may", sender=REPORTERS[1])
    login(client, accounts.officer)
    page = client.get("/admin/tips").get_data(as_text=True)
    assert '<small id="total">1</small>' in page and tip.reference in page


def test_the_tip_csv_is_the_filtered_list(client, settings, rt, accounts, tip):
    sms(client, settings, "TIN 14797 trom xe may", sender=REPORTERS[1])
    sms(client, settings, "TIN 14797 =HYPERLINK(\"http://x\")", sender=REPORTERS[2])
    login(client, accounts.supervisor)
    text = client.get("/admin/reports/tips.csv?category=ma_tuy").get_data(as_text=True)
    [line] = list(csv.DictReader(io.StringIO(text)))
    assert (line["reference"], line["commune_code"], line["status"]) == (tip.reference, "15865",
                                                                         "dispatched")
    assert rows(rt.engine, AuditLog, AuditLog.action == "export")[0].target == "tips"
    text = client.get("/admin/reports/tips.csv?commune=14797").get_data(as_text=True)
    assert "'=HYPERLINK" in text  # a spreadsheet shows it; it does not run it


def test_a_failed_message_is_sent_again_from_its_tip_page(client, rt, accounts, tip):
    dispatch = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "dispatch")[0]
    with transaction(rt.engine) as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == dispatch.id)
                        .values(status="failed", last_error="twilio http 500 code 20500"))
    login(client, accounts.supervisor)
    page = client.get(f"/admin/tips/{tip.id}").get_data(as_text=True)
    assert f'id="retry-{dispatch.id}"' in page
    assert post(client, f"/admin/tips/{tip.id}/retry", {"outbound": dispatch.id}).status_code == 302
    run_worker(rt.redis)
    again = rows(rt.engine, OutboundMessage, OutboundMessage.id == dispatch.id)[0]
    assert again.status == "sent" and again.attempts == 1
    assert "outbound_retried" in [e.kind for e in events(rt, tip.id)]
    other = post(client, f"/admin/tips/{tip.id}/retry", {"outbound": 99999})
    assert other.status_code == 404


def test_a_supervisor_blocks_the_sender_without_seeing_the_number(client, settings, rt,
                                                                  accounts, tip):
    login(client, accounts.officer)
    assert post(client, f"/admin/tips/{tip.id}/block").status_code == 403
    login(client, accounts.supervisor)
    page = client.get(f"/admin/tips/{tip.id}").get_data(as_text=True)
    assert 'id="do-block"' in page
    post(client, f"/admin/tips/{tip.id}/block")
    assert rows(rt.engine, Reporter)[0].blocked
    reply = reply_of(sms(client, settings, "TIN 15865 lai co nguoi la"))
    assert reply == "" and len(rows(rt.engine, Tip)) == 1  # kept, not answered, no new tip
    post(client, f"/admin/tips/{tip.id}/unblock")
    assert not rows(rt.engine, Reporter)[0].blocked


def test_a_tip_filed_without_details_says_so(client, settings, rt, accounts):
    for said in ("TIN", "1", "15865"):  # category and commune, then the reporter goes quiet
        sms(client, settings, said)
    with transaction(rt.engine) as session:
        session.execute(update(FlowSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert sweep()["expired"] == 1
    [tip] = rows(rt.engine, Tip)
    assert (tip.details, tip.commune_code, tip.category) == ("", 15865, "ma_tuy")
    login(client, accounts.supervisor)
    page = client.get(f"/admin/tips/{tip.id}").get_data(as_text=True)
    assert 'id="no-details"' in page and 'class="details-full"' not in page
    assert '<li class="reporter">' not in page  # no empty line in the anonymous thread
