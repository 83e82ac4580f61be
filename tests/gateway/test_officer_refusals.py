"""Officer SMS commands that are refused: a missing question, a reporter who cannot be reached,
another commune's officer, a tip already dealt with. A refusal changes nothing and sends nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from db.models import (
    FlowSession,
    OutboundMessage,
    RecipientKind,
    Reporter,
    Tip,
    TipEvent,
    TipStatus,
)
from db.session import transaction, utcnow
from tests.gateway.conftest import officer_says
from tests.helpers import count, rows, run_worker
from tests.phone import Call
from workers.sweep import sweep

REFUSED = ["XONG {ref} KT da bat", "HOI {ref} xe mau gi?", "CHUYEN {ref} 15925"]


def traces(rt) -> tuple:
    """What a command leaves behind: the tip's state, its timeline, messages, open relays."""
    [tip] = rows(rt.engine, Tip)
    return ((tip.status, tip.commune_code, tip.officer_id, tip.acknowledged_at, tip.decision),
            [e.kind for e in rows(rt.engine, TipEvent)], count(rt.engine, OutboundMessage),
            count(rt.engine, FlowSession))


def assert_nothing_asked(rt) -> None:
    """No question queued for the reporter, no relay opened, no question on the timeline."""
    assert rows(rt.engine, OutboundMessage, OutboundMessage.recipient_kind
                == RecipientKind.REPORTER, OutboundMessage.purpose == "question") == []
    assert rows(rt.engine, FlowSession) == []
    assert rows(rt.engine, TipEvent, TipEvent.kind == "question") == []


@pytest.mark.parametrize("text", ["HOI {ref}", "hoi {ref}    ", "HOI {ref}\n"])
def test_hoi_without_a_question_says_how_to_ask_and_sends_nothing(client, settings, rt, tip,
                                                                  text):
    before = traces(rt)
    reply = officer_says(client, settings, rt, text.format(ref=tip.reference))
    assert reply == f"Soan HOI {tip.reference} <cau hoi> de hoi nguoi bao tin."
    assert traces(rt) == before
    assert_nothing_asked(rt)


def test_hoi_about_a_call_from_a_withheld_number_says_the_reporter_cannot_be_reached(
        client, settings, rt):
    call = Call(client, settings, caller="anonymous")
    call.start()
    for digits in ("1", "2", "15865", "1"):
        call.press(digits)
    call.hang_up()
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    assert rows(rt.engine, Reporter)[0].reply_address is None
    before = traces(rt)
    reply = officer_says(client, settings, rt, f"HOI {tip.reference} xe mau gi?")
    assert reply == (f"Khong lien lac duoc nguoi bao tin {tip.reference}: ho khong de lai "
                     "cach tra loi.")
    assert traces(rt) == before
    assert_nothing_asked(rt)


def test_hoi_about_a_blocked_senders_tip_says_the_reporter_cannot_be_reached(client, settings,
                                                                             rt, tip):
    with transaction(rt.engine) as session:
        session.execute(update(Reporter).values(blocked=True))
    reply = officer_says(client, settings, rt, f"HOI {tip.reference} xe mau gi?")
    assert reply.startswith(f"Khong lien lac duoc nguoi bao tin {tip.reference}")
    assert_nothing_asked(rt)


def test_an_expired_reply_address_is_kept_while_the_tip_is_open_then_purged(client, settings,
                                                                           rt, tip):
    with transaction(rt.engine) as session:
        session.execute(update(Reporter).values(reply_expires_at=utcnow() - timedelta(days=1)))
    assert sweep()["purged"] == 0
    reply = officer_says(client, settings, rt, f"HOI {tip.reference} xe mau gi?")
    assert reply.startswith(f"Da gui cau hoi ve tin bao {tip.reference}")
    officer_says(client, settings, rt, f"XONG {tip.reference}")
    with transaction(rt.engine) as session:
        session.execute(update(Reporter).values(reply_expires_at=utcnow() - timedelta(days=1)))
    assert sweep()["purged"] == 1
    late = officer_says(client, settings, rt, f"HOI {tip.reference} con gi nua?")
    assert late == f"Tin bao {tip.reference} da xu ly xong, khong the thay doi bang SMS."
    assert len(rows(rt.engine, TipEvent, TipEvent.kind == "question")) == 1


@pytest.mark.parametrize("command", REFUSED + ["OK {ref}"])
def test_an_officer_of_another_commune_is_refused_and_nothing_changes(client, settings, rt, tip,
                                                                      command):
    before = traces(rt)
    reply = officer_says(client, settings, rt, command.format(ref=tip.reference), commune=14797)
    assert reply == f"Khong co tin bao {tip.reference} trong cac tin ban phu trach."
    assert traces(rt) == before
    assert_nothing_asked(rt)
    run_worker(rt.redis)
    assert count(rt.engine, OutboundMessage) == before[2]  # and nothing was queued to send


@pytest.mark.parametrize("command", REFUSED)
def test_a_resolved_tip_can_no_longer_be_changed_by_sms(client, settings, rt, tip, command):
    officer_says(client, settings, rt, f"XONG {tip.reference} KKT")
    run_worker(rt.redis)
    before = traces(rt)
    reply = officer_says(client, settings, rt, command.format(ref=tip.reference))
    assert reply == f"Tin bao {tip.reference} da xu ly xong, khong the thay doi bang SMS."
    assert traces(rt) == before
    [state, *_] = before
    assert (state[0], state[1], state[4]) == (TipStatus.RESOLVED, 15865, "not_prosecute")
    assert_nothing_asked(rt)
    # Another commune's officer learns not even that the tip exists, let alone its state.
    stranger = officer_says(client, settings, rt, command.format(ref=tip.reference),
                            commune=14797)
    assert stranger == f"Khong co tin bao {tip.reference} trong cac tin ban phu trach."
