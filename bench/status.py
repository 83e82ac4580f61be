"""Benchmark 8: Twilio's delivery reports (status callbacks) against the bare endpoint.

Every outbound SMS gets two or three of them (sent, delivered; Twilio repeats some), and every
tip sends at least two SMS (the officer's dispatch, the reporter's notice), so in production
they outnumber the inbound messages. Signed, realistic callbacks for messages in the outbox,
in the order Twilio sends them, interleaved with the ceiling as benchmark 1 is.
"""

import random

from sqlalchemy import func, insert, select

from bench.load import write_signed
from bench.stack import Stack
from bench.webhook import interleaved, servers
from db.models import OutboundMessage
from db.session import make_engine, utcnow
from gateway.twilio_requests import new_sid

PATH = "/webhooks/twilio/status"
MAX_RPS = 3000  # reports prepared per second of a run, so no run replays one


def run(stack: Stack, rounds: int, seconds: float, connections=(16,),
        web_workers: int = 2) -> dict:
    """Start both servers, alternate the measurements, report medians and ratios."""
    ports = servers(stack, web_workers)
    url = f"http://127.0.0.1:{ports['tinbao']}{PATH}"

    def fresh(c: int, n: int):
        reports = _reports(stack, int(MAX_RPS * seconds), seed=100 * c + n)
        return write_signed(reports, url, stack.env["TWILIO_AUTH_TOKEN"],
                            stack.workdir / f"status-{c}-{n}.txt")

    out: dict = {"web_workers": web_workers, "rounds": rounds, "seconds": seconds}
    out.update(interleaved(ports, fresh, connections, rounds, seconds, PATH))
    out["delivered"] = _delivered(stack)  # the reports were applied, not only answered
    return out


def _delivered(stack: Stack) -> int:
    engine = make_engine(stack.database_url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).where(
            OutboundMessage.__table__.c.status == "delivered")).scalar_one()
    engine.dispose()
    return count


def _reports(stack: Stack, count: int, seed: int) -> list[dict[str, str]]:
    """Callbacks for count / 2.2 fresh messages: sent, delivered, and a tenth of the
    "delivered" repeated (Twilio retries a callback it saw no answer to in time)."""
    rng = random.Random(seed)
    messages = _outbox(stack, int(count / 2.2) + 1, seed)
    reports: list[dict[str, str]] = []
    for sid, to in messages:
        reports.append(_form(stack, sid, to, "sent"))
        reports.append(_form(stack, sid, to, "delivered"))
        if rng.random() < 0.1:
            reports.append(_form(stack, sid, to, "delivered"))
    return reports[:count]


def _form(stack: Stack, sid: str, to: str, status: str) -> dict[str, str]:
    form = {"SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "To": to,
            "MessageSid": sid, "AccountSid": stack.env["TWILIO_ACCOUNT_SID"],
            "From": stack.env["TWILIO_FROM_NUMBER"], "ApiVersion": "2010-04-01"}
    if status == "delivered":
        form["RawDlrDoneDate"] = "2612061310"
    return form


def _outbox(stack: Stack, count: int, seed: int) -> list[tuple[str, str]]:
    """`count` dispatch SMS handed to Twilio (status "sending": the worker's record of the
    send may come after the first report); returns (sid, officer number)."""
    now = utcnow()
    sids = [(new_sid(), f"+8491{n % 100000:05d}{seed % 100:02d}") for n in range(count)]
    rows = [{"idempotency_key": f"bench-{sid}", "recipient_kind": "officer", "address": "x",
             "body": "TB 123456 hang cam Xa Tan Lap: co nguoi la mat o thon 3. Tra loi OK 123456",
             "purpose": "dispatch", "channel": "sms", "provider": "twilio", "provider_id": sid,
             "status": "sending", "attempts": 1, "segments": 1, "created_at": now,
             "updated_at": now} for sid, _ in sids]
    engine = make_engine(stack.database_url)
    with engine.begin() as conn:
        conn.execute(insert(OutboundMessage.__table__), rows)
    engine.dispose()
    return sids
