"""How long the gateway takes to answer one USSD or voice step (in process, real database).

Carriers drop a USSD session whose application takes more than a few seconds (Africa's
Talking: 15 s in all), and Twilio waits 15 s for TwiML; the bound here is far tighter, so
that a slow query or a blocking call in the answer path shows up as a failure.
"""

import statistics
import time

from gateway.twilio_requests import sign
from tests.helpers import BASE, REPORTER
from tests.phone import Call, UssdSession, recording_url

BOUND = 0.5  # seconds, for the 99th percentile


def _timed(send) -> float:
    start = time.perf_counter()
    response = send()
    response.get_data()  # the answer is complete here; call_on_close work comes after
    elapsed = time.perf_counter() - start
    response.close()
    return elapsed


def _report(name: str, times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    median, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
    print(f"\n{name}: {len(times)} steps, median {median * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms")
    return median, p99


def test_a_ussd_step_is_answered_well_within_a_carriers_patience(client, settings):
    times = []
    for _ in range(60):
        session, text = UssdSession(client, settings), ""
        for answer in ("", "1", "2", "15865", "trom xe may o cho Hoang Hoa dem qua"):
            text = answer if not text else f"{text}*{answer}"
            form = session.form(text)
            times.append(_timed(lambda f=form: client.post(
                f"/webhooks/ussd?secret={settings.ussd_secret}", data=f)))
    _, p99 = _report("USSD step", times)
    assert p99 < BOUND


def test_a_voice_step_is_answered_well_within_twilios_timeout(client, settings):
    times = []
    for _ in range(50):
        call = Call(client, settings, caller=REPORTER)
        step = "/webhooks/twilio/voice/step?n="
        steps = [("/webhooks/twilio/voice", {}), (step + "1", {"Digits": "1"}),
                 (step + "2", {"Digits": "2"}), (step + "3", {"Digits": "15865"}),
                 (step + "4", {"Digits": "1"}),
                 (step + "5", {"RecordingUrl": recording_url(settings), "RecordingDuration": "20"})]
        for path, extra in steps:
            form = call.form(**extra)
            times.append(_timed(lambda p=path, f=form: _signed(client, settings, p, f)))
    _, p99 = _report("voice step", times)
    assert p99 < BOUND


def _signed(client, settings, path: str, form: dict):
    """Like helpers.post_twilio, but the response is left open so it can be timed."""
    signature = sign(BASE + path, form, settings.twilio_auth_token)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})
