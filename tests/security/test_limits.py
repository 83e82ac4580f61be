"""Abuse limits on every channel: a flood from one number, a flood from everywhere, duplicates
within seconds, blocked senders, conversations too long, bodies too big. Limited messages are
kept, never processed a thousand times, and the limits hold with Redis dead."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import FlowSession, InboundMessage, OutboundMessage, Reporter, Tip, TipEvent
from db.session import transaction
from db.settings import Settings
from gateway import create_app
from gateway.twilio_requests import sms_form
from tests.conftest import _free_port, deployment_env, make_settings
from tests.helpers import DIALLED, count, post_twilio, reply_of, rows, sms
from tests.phone import Call, UssdSession
from tests.privacy import REPORTERS, assert_text_clean, watch
from tests.summary import record


def _app(database_url, redis_url, **extra):
    app = create_app(make_settings(database_url, redis_url, **extra))
    app.config["TESTING"] = True
    watch(app)
    return app


@pytest.fixture
def limited(database_url, redis_url, officers):
    """An app factory with chosen limits (the rest as deployed by default)."""
    made = []

    def build(**extra):
        made.append(_app(database_url, redis_url, **extra))
        return made[-1]

    yield build
    for app in made:
        app.extensions["tinbao"].engine.dispose()


def _limited(engine, kind: str) -> int:
    return count(engine, InboundMessage, InboundMessage.limited == kind)


def test_the_default_limits_are_on():
    env = deployment_env("sqlite:///x.db", "redis://127.0.0.1:1/0")
    for name in ("INBOUND_LIMIT_REPORTER", "INBOUND_LIMIT_GLOBAL"):
        env.pop(name, None)
    settings = Settings.from_env(env)
    assert settings.reporter_limit == (30, 600.0) and settings.global_limit == (3000, 60.0)
    assert settings.duplicate_seconds == 10 and settings.session_max_steps == 30


def test_a_flood_from_one_number_gets_one_polite_reply_and_is_kept_not_processed(limited):
    app = limited(INBOUND_LIMIT_REPORTER="30/10m")
    svc, client = app.extensions["tinbao"], app.test_client()
    replies = [reply_of(sms(client, svc.settings, f"TIN 15865 trom xe may lan {n}"))
               for n in range(1000)]
    assert all(r.startswith("Da nhan tin bao") for r in replies[:30])
    assert replies[30] == ("Ban da gui qua nhieu tin nhan. Tin da duoc luu. Vui long doi 10 phut "
                           "roi gui tiep.")
    assert replies[31:] == [""] * 969  # silence: no SMS is paid for the rest of the flood
    assert count(svc.engine, Tip) == 30 and count(svc.engine, InboundMessage) == 1000
    assert _limited(svc.engine, "flood") == 970
    other = reply_of(sms(client, svc.settings, "TIN 15865 co nguoi la mat", sender=REPORTERS[1]))
    assert other.startswith("Da nhan tin bao")  # one number's flood is not everyone's
    record("attacks_rejected", 970)


def test_the_flood_limit_counts_ussd_hops_and_answers_with_a_final_screen(limited):
    app = limited(INBOUND_LIMIT_REPORTER="4/1h")
    svc, client = app.extensions["tinbao"], app.test_client()
    session = UssdSession(client, svc.settings)
    screens = [session.send(None), session.send("1"), session.send("2"), session.send("15865"),
               session.send("trom xe")]
    assert all(s.startswith("CON ") for s in screens[:4])
    assert screens[4] == ("END Ban da gui qua nhieu tin nhan. Tin da duoc luu. Vui long doi 60 "
                          "phut roi gui tiep.")
    assert _limited(svc.engine, "flood") == 1 and count(svc.engine, Tip) == 0
    record("attacks_rejected")


def test_over_the_global_limit_every_channel_is_told_the_line_is_busy(limited):
    app = limited(INBOUND_LIMIT_GLOBAL="3/1m")
    svc, client = app.extensions["tinbao"], app.test_client()
    for n in range(3):
        sms(client, svc.settings, f"TIN 15865 trom bo {n}", sender=REPORTERS[n])
    busy = reply_of(sms(client, svc.settings, "TIN 15865 trom ga", sender=REPORTERS[3]))
    assert busy == "Duong day dang qua tai. Vui long gui lai sau it phut. Xin loi!"
    screen = UssdSession(client, svc.settings, phone=REPORTERS[4]).send(None)
    assert screen.startswith("END Duong day dang qua tai")
    call = Call(client, svc.settings, caller=REPORTERS[4])
    call.start()
    assert "quá tải" in call.said() and call.twiml.find("Hangup") is not None
    assert count(svc.engine, Tip) == 3 and _limited(svc.engine, "busy") == 3
    record("attacks_rejected", 3)


def test_the_same_text_again_within_seconds_is_merged_and_later_it_is_new(limited):
    app = limited()
    svc, client = app.extensions["tinbao"], app.test_client()
    first = reply_of(sms(client, svc.settings, "TIN 15865 co nguoi ban ma tuy"))
    again = [reply_of(sms(client, svc.settings, "tin 15865  CÓ người bán ma túy"))
             for _ in range(3)]
    assert first.startswith("Da nhan tin bao") and again == ["", "", ""]
    assert count(svc.engine, Tip) == 1 and _limited(svc.engine, "duplicate") == 3
    with transaction(svc.engine) as session:  # the clock moves past DUPLICATE_SECONDS
        for message in session.execute(select(InboundMessage)).scalars():
            message.received_at -= timedelta(seconds=11)
    later = reply_of(sms(client, svc.settings, "TIN 15865 co nguoi ban ma tuy"))
    assert later.startswith("Da nhan tin bao") and count(svc.engine, Tip) == 2
    record("attacks_rejected", 3)


def test_a_blocked_sender_is_kept_unanswered_and_nobody_learns_the_number(limited):
    app = limited()
    svc, client = app.extensions["tinbao"], app.test_client()
    reference = reply_of(sms(client, svc.settings, "TIN 15865 trom xe")).split()[4].rstrip(",")
    sms(client, svc.settings, "TIN", sender=REPORTERS[0])  # a conversation in progress
    result = app.test_cli_runner().invoke(args=["block", reference])
    assert result.exit_code == 0 and result.output == f"the sender of tip {reference} is blocked\n"
    assert count(svc.engine, FlowSession) == 0
    assert reply_of(sms(client, svc.settings, "TIN 15865 trom ga")) == ""
    assert UssdSession(client, svc.settings).send(None) == "END Dich vu hien khong kha dung."
    assert count(svc.engine, Tip) == 1 and _limited(svc.engine, "blocked") == 2
    [event] = rows(svc.engine, TipEvent, TipEvent.kind == "reporter_blocked")
    assert event.data == {} and event.actor == "cli"
    assert_text_clean(result.output + repr(event), "the block")
    app.test_cli_runner().invoke(args=["unblock", reference])
    assert reply_of(sms(client, svc.settings, "TIN 15865 trom ga")).startswith("Da nhan tin bao")
    record("attacks_rejected", 2)


def test_a_conversation_past_its_length_is_filed_with_what_it_holds(limited):
    app = limited(SESSION_MAX_STEPS="3")
    svc, client = app.extensions["tinbao"], app.test_client()
    for text in ("co nguoi trom trau o thon 5", "GIUP", "TRO GIUP", "huong dan"):  # help forever
        last = reply_of(sms(client, svc.settings, text))
    assert last.startswith("Cuoc trao doi qua dai nen da ket thuc")
    [tip] = rows(svc.engine, Tip)
    assert "trom trau" in tip.details and count(svc.engine, FlowSession) == 0
    [receipt] = rows(svc.engine, OutboundMessage, OutboundMessage.purpose == "receipt")
    assert receipt.tip_id == tip.id and _limited(svc.engine, "too_long") == 1


def test_a_ussd_session_past_its_length_ends_with_the_receipt_screen(limited):
    app = limited(SESSION_MAX_STEPS="6")
    svc, client = app.extensions["tinbao"], app.test_client()
    session = UssdSession(client, svc.settings)
    session.send(None)
    for answer in ("1", "2", "0", "2", "15865"):  # back and forth through the menus
        session.send(answer)
    screen = session.send("0")
    assert screen.startswith("END ") and len(screen) <= 182
    assert count(svc.engine, FlowSession) == 0 and _limited(svc.engine, "too_long") == 1


def test_bodies_are_bounded_on_every_channel(limited):
    app = limited()
    svc, client = app.extensions["tinbao"], app.test_client()
    form = sms_form(REPORTERS[0], DIALLED, "x" * 70_000)
    huge = post_twilio(client, "/webhooks/twilio/sms", form, svc.settings.twilio_auth_token)
    assert huge.status_code == 413 and count(svc.engine, InboundMessage) == 0
    big_ussd = client.post(f"/webhooks/ussd?secret={svc.settings.ussd_secret}",
                           data={**UssdSession(client, svc.settings).form("1*" * 40_000)})
    assert big_ussd.status_code == 413 and count(svc.engine, InboundMessage) == 0
    reply = reply_of(sms(client, svc.settings, "TIN 15865 " + "trom xe may o cho " * 2000))
    assert reply.startswith("Da nhan tin bao")
    [tip] = rows(svc.engine, Tip)
    [kept] = rows(svc.engine, InboundMessage)
    assert len(kept.body) == 10_000 and len(tip.details) <= 10_000
    record("attacks_rejected")


def test_limits_hold_and_tips_flow_with_redis_dead(database_url, officers):
    app = _app(database_url, f"redis://127.0.0.1:{_free_port()}/0", INBOUND_LIMIT_REPORTER="2/1m")
    svc, client = app.extensions["tinbao"], app.test_client()
    replies = [reply_of(sms(client, svc.settings, f"TIN 15865 trom {n}")) for n in range(4)]
    assert [r[:15] for r in replies[:2]] == ["Da nhan tin bao"] * 2
    assert replies[2].startswith("Ban da gui qua nhieu") and replies[3] == ""
    assert count(svc.engine, Tip) == 2 and count(svc.engine, Reporter) == 1
    app.extensions["tinbao"].engine.dispose()
