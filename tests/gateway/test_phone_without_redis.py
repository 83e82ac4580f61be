"""With Redis down, USSD and calls still answer at once and keep every tip; the sweeper
dispatches them once Redis is back."""

from datetime import timedelta

from sqlalchemy import update

from db.models import OutboundMessage, Tip, TipStatus
from db.session import transaction, utcnow
from tests.conftest import _free_port
from tests.helpers import rows, run_worker
from tests.phone import Call, UssdSession, recording_url
from tests.privacy import REPORTERS
from workers.sweep import sweep


def test_a_dead_redis_delays_phone_tips_but_never_drops_them(settings, rt):
    from gateway import create_app

    dead = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    app = create_app(settings.replace(redis_url=dead))
    client = app.test_client()
    ussd = UssdSession(client, settings, phone=REPORTERS[1])
    for answer in (None, "1", "3", "15865"):
        ussd.send(answer)
    assert ussd.send("danh bac o nha van hoa").startswith("END Da nhan tin bao")
    call = Call(client, settings, caller=REPORTERS[2])
    call.start()
    for digits in ("1", "1", "15865", "1"):
        call.press(digits)
    assert call.record(recording_url(settings))[-1].tag == "Hangup"
    assert {t.channel for t in rows(rt.engine, Tip)} == {"ussd", "voice"}
    assert [m.purpose for m in rows(rt.engine, OutboundMessage)] == ["receipt"]
    with transaction(rt.engine) as session:  # the sweeper's grace period has passed
        past = utcnow() - timedelta(minutes=5)
        session.execute(update(Tip).values(next_check_at=past))
        session.execute(update(OutboundMessage).values(created_at=past))
    counts = sweep()
    assert (counts["tips"], counts["outbound"]) == (2, 1)
    run_worker(rt.redis)
    assert all(t.status == TipStatus.DISPATCHED for t in rows(rt.engine, Tip))
    app.extensions["tinbao"].engine.dispose()
