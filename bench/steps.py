"""Benchmark 4: server time of one USSD step and one voice step, over HTTP through gunicorn,
one request at a time (so the time is the server's, not a queue's)."""

import http.client
import statistics
import time
import urllib.parse
from dataclasses import dataclass, field

from bench.stack import Stack, free_port
from gateway import phones
from gateway.twilio_requests import sign

DIALLED = "+84999000111"
USSD_ANSWERS = ("", "1", "1*2", "1*2*15865", "1*2*15865*co nguoi trom xe may o cho")
VOICE_KEYS = ("1", "2", "15865", "1")


@dataclass
class HttpWire:
    """phones' wire, over real HTTP: every request timed."""

    base: str
    times: list[float] = field(default_factory=list)

    def post(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
             ) -> tuple[int, str]:
        """POST a form; returns (status, body) and records the time it took."""
        split = urllib.parse.urlsplit(self.base)
        conn = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
        started = time.perf_counter()
        conn.request("POST", path, urllib.parse.urlencode(form),
                     {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
        response = conn.getresponse()
        body = response.read().decode()
        self.times.append((time.perf_counter() - started) * 1000)
        conn.close()
        return response.status, body

    def twilio(self, path: str, form: dict[str, str], token: str) -> tuple[int, str]:
        """POST signed with X-Twilio-Signature."""
        return self.post(path, form, {"X-Twilio-Signature": sign(self.base + path, form, token)})


def run(stack: Stack, count: int = 300) -> dict:
    """`count` USSD sessions and `count` calls walked to the end; each step timed."""
    port = free_port()
    stack.gunicorn("gateway:create_app()", port, workers=2,
                   extra_env={"USSD_SECRET": "b" * 24})
    base = f"http://127.0.0.1:{port}"
    ussd, voice = HttpWire(base), HttpWire(base)
    for n in range(4):  # warm both gunicorn workers (directory index, prepared statements)
        _ussd_session(ussd, f"+8493{n:07d}")
        _call(voice, stack.env["TWILIO_AUTH_TOKEN"], f"+8493{n:07d}")
    ussd.times.clear()
    voice.times.clear()
    for n in range(count):
        _ussd_session(ussd, f"+8495{n:07d}")
        _call(voice, stack.env["TWILIO_AUTH_TOKEN"], f"+8494{n:07d}")
    return {"ussd": _summary(ussd.times), "voice": _summary(voice.times)}


def _ussd_session(wire: HttpWire, phone: str) -> None:
    session = phones.new_session_id()
    for answers in USSD_ANSWERS:
        screen = phones.ussd(wire, "b" * 24, session, phone, "*384*38#", answers)
        assert not screen.text.startswith("(HTTP"), screen.text


def _call(wire: HttpWire, token: str, caller: str) -> None:
    call_sid, step = phones.start_call(wire, token, caller, DIALLED)
    for keys in VOICE_KEYS:
        step = phones.voice(wire, token, step.action, phones.call_form(
            call_sid, caller, DIALLED, Digits=keys))
    recording = f"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE{call_sid[2:]}"
    phones.voice(wire, token, step.action, phones.call_form(
        call_sid, caller, DIALLED, RecordingUrl=recording, RecordingDuration="12",
        RecordingSid="RE" + call_sid[2:]))


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"steps": len(ordered), "p50_ms": statistics.median(ordered),
            "p90_ms": ordered[int(0.9 * (len(ordered) - 1))],
            "p99_ms": ordered[int(0.99 * (len(ordered) - 1))], "max_ms": ordered[-1]}
