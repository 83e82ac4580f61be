"""An officer's dispatch for a phone tip, and listening to its recording through the gateway."""

import base64
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from db import recordings
from db.models import OutboundMessage, RecipientKind, Tip
from db.session import transaction, utcnow
from flows.text import segments
from tests.helpers import rows, run_worker
from tests.phone import Call, recording_url


@pytest.fixture
def deployment(settings, officers, fake_twilio):
    """App and worker runtime of a deployment whose Twilio API is the local fake."""
    from gateway import create_app
    from workers import runtime

    changed = settings.replace(twilio_api_base_url=fake_twilio.url, voice_speech=True,
                               public_base_url="https://tips.example.vn")
    app = create_app(changed)
    rt = runtime.init(changed)
    yield app, rt, changed
    app.extensions["tinbao"].engine.dispose()
    rt.close()
    runtime._current = None


def _call_in_a_tip(app, settings, fake_twilio) -> str:
    call = Call(app.test_client(), settings)
    call.start()
    for digits in ("1", "6", "15865", "1"):
        call.press(digits)
    url = recording_url(settings, fake_twilio.url)
    fake_twilio.recordings[urlsplit(url).path + ".mp3"] = b"ID3 the caller's voice"
    call.record(url)
    call.say("co nguoi la mat cho hang cam qua cau luc nua dem o thon 3")
    return url


def test_a_phone_tip_dispatch_says_so_quotes_the_transcript_and_links_the_recording(
        deployment, fake_twilio):
    app, rt, settings = deployment
    _call_in_a_tip(app, settings, fake_twilio)
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    [dispatch] = [m for m in rows(rt.engine, OutboundMessage)
                  if m.recipient_kind == RecipientKind.OFFICER]
    head = f"TIN BAO {tip.reference}: Hang cam, Xa Hoang Hoa. (Tin goi dien) \"co nguoi la mat"
    assert dispatch.body.startswith(head) and segments(dispatch.body) == 1
    link = dispatch.body.split("Nghe: ")[1].split(" ")[0]
    assert link.startswith("https://tips.example.vn/r/" + tip.reference)
    assert dispatch.body.endswith(f" Tra loi: OK {tip.reference}")
    with app.test_client().get(urlsplit(link).path) as response:
        assert response.status_code == 200 and response.data == b"ID3 the caller's voice"
        assert response.mimetype == "audio/mpeg"
        assert response.headers["Cache-Control"] == "no-store"
    auth = f"{settings.twilio_account_sid}:{settings.twilio_auth_token}"
    assert fake_twilio.requests[-1]["auth"] == "Basic " + base64.b64encode(auth.encode()).decode()


def test_a_forged_or_expired_link_plays_nothing(deployment, fake_twilio):
    app, rt, settings = deployment
    _call_in_a_tip(app, settings, fake_twilio)
    [tip] = rows(rt.engine, Tip)
    token = recordings.link(settings, tip.reference, utcnow()).rsplit("/", 1)[1]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    other = str(int(tip.reference) % 900000 + 100001) + token[6:]
    client = app.test_client()
    for bad in (forged, other, token[:-1], "x" * 19):
        assert client.get(f"/r/{bad}").status_code == 404
    later = utcnow() + timedelta(hours=settings.recording_link_hours, minutes=2)
    assert recordings.reference_of(settings.secret_key, token, later) is None
    assert recordings.reference_of(settings.secret_key, token, utcnow()) == tip.reference
    assert all(r["path"].endswith("Messages.json") or "Recordings" not in r["path"]
               for r in fake_twilio.requests)  # nothing was fetched for a bad link


def test_a_recording_elsewhere_than_the_twilio_api_is_never_fetched(deployment, fake_twilio):
    app, rt, settings = deployment
    _call_in_a_tip(app, settings, fake_twilio)
    [tip] = rows(rt.engine, Tip)
    with transaction(rt.engine) as session:
        session.execute(update(Tip).values(recording_url="https://attacker.example/x"))
    path = urlsplit(recordings.link(settings, tip.reference, utcnow())).path
    assert app.test_client().get(path).status_code == 404
    assert not any(r["path"] == "/x.mp3" for r in fake_twilio.requests)


def test_a_recording_twilio_cannot_serve_is_a_bad_gateway(deployment, fake_twilio):
    app, rt, settings = deployment
    url = _call_in_a_tip(app, settings, fake_twilio)
    fake_twilio.recordings.clear()
    [tip] = rows(rt.engine, Tip)
    path = urlsplit(recordings.link(settings, tip.reference, utcnow())).path
    assert app.test_client().get(path).status_code == 502
    assert fake_twilio.requests[-1]["path"] == urlsplit(url).path + ".mp3"
