"""One tip, three channels: SMS, USSD and voice file equivalent tips and officer dispatches."""

import re

from db.models import OutboundMessage, RecipientKind, Tip, TipStatus
from tests.helpers import reply_of, rows, run_worker, sms
from tests.phone import Call, UssdSession, recording_url
from tests.privacy import REPORTERS

DETAILS = "trom xe may o cho Hoang Hoa dem qua"  # category 2 (theft), commune 15865


def test_the_same_tip_by_sms_ussd_and_voice_reaches_the_officer_the_same_way(settings,
                                                                             officers):
    from gateway import create_app
    from workers import runtime

    changed = settings.replace(voice_speech=True)
    app, rt = create_app(changed), runtime.init(changed)
    _the_tip_three_ways(app.test_client(), changed)
    run_worker(rt.redis)

    tips = {t.channel: t for t in rows(rt.engine, Tip)}
    assert set(tips) == {"sms", "ussd", "voice"}
    same = {(t.category, t.commune_code, t.province_code, t.details, t.language, t.urgency,
             t.status, t.officer_id) for t in tips.values()}
    assert len(same) == 1 and next(iter(same))[:4] == ("trom_cap", 15865, 38, DETAILS)
    assert all(t.status == TipStatus.DISPATCHED for t in tips.values())
    assert tips["voice"].recording_url and tips["voice"].transcript == DETAILS
    assert tips["sms"].recording_url is None and tips["ussd"].transcript is None

    dispatches = {}
    for msg in rows(rt.engine, OutboundMessage):
        if msg.recipient_kind == RecipientKind.OFFICER:
            tip = next(t for t in tips.values() if t.id == msg.tip_id)
            dispatches[tip.channel] = msg.body.replace(tip.reference, "REF")
    assert dispatches["sms"] == dispatches["ussd"] == (
        f'TIN BAO REF: Trom cap, Xa Hoang Hoa. "{DETAILS}" Tra loi: OK REF')
    # a phone tip says so and links its recording, so its quote of the words is shorter
    voice = re.sub(r" Nghe: \S+", "", dispatches["voice"]).replace(" (Tin goi dien)", "")
    quoted = re.search(r'"(.*)\.\.\."', voice).group(1)
    assert DETAILS.startswith(quoted) and len(quoted) > 10
    assert voice.replace(quoted + "...", DETAILS) == dispatches["sms"]
    assert "(Tin goi dien)" in dispatches["voice"] and " Nghe: http" in dispatches["voice"]
    app.extensions["tinbao"].engine.dispose()
    rt.close()
    runtime._current = None


def _the_tip_three_ways(client, settings) -> None:
    """Theft in Xa Hoang Hoa: by SMS menu, by USSD, and by a call with a spoken summary."""
    for text in ("TIN", "2", "15865"):
        sms(client, settings, text, sender=REPORTERS[0])
    assert "Da nhan tin bao" in reply_of(sms(client, settings, DETAILS, sender=REPORTERS[0]))
    ussd = UssdSession(client, settings, phone=REPORTERS[1])
    for answer in (None, "1", "2", "15865"):
        ussd.send(answer)
    assert ussd.send(DETAILS).startswith("END Da nhan tin bao")
    call = Call(client, settings, caller=REPORTERS[2])
    call.start()
    for digits in ("1", "2", "15865", "1"):
        call.press(digits)
    call.record(recording_url(settings))
    assert call.say(DETAILS)[-1].tag == "Hangup"
