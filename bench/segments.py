"""Benchmark 6: SMS cost — segments of every message a tip causes (receipt, dispatch, notices,
acknowledgement, resolution) over the 200-tip corpus, through the real app and worker code."""

import collections

from rq import Queue, SimpleWorker

from bench.corpus import tips as corpus
from bench.stack import Stack
from db.models import Officer, OutboundMessage, Tip
from db.session import reading
from db.settings import Settings
from flows.text import segments
from gateway import create_app
from gateway.twilio_requests import new_sid, sign, sms_form
from workers import runtime
from workers.providers.outbox import OutboxProvider
from workers.queues import QUEUES

PATH = "/webhooks/twilio/sms"


def run(stack: Stack, tips: int = 200) -> dict:
    """Counts of messages per number of segments, by purpose."""
    settings = Settings.from_env({**stack.env, "SMS_PROVIDER": "outbox"})
    app = create_app(settings)
    client = app.test_client()
    rt = runtime.init(settings, provider=OutboxProvider())
    officer = _officer(rt.engine)
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for n, text in enumerate(corpus()[:tips]):
        reply = _sms(client, settings, f"+8496{n:07d}", f"TIN 15865 {text}")
        counts["receipt (reply)"][segments(reply)] += 1
        _drain(rt)
        reference = reply.split("tin bao ")[1][:6]
        for command in (f"OK {reference}", f"XONG {reference} KT"):
            counts["officer confirmation (reply)"][segments(
                _sms(client, settings, officer, command))] += 1
        _drain(rt)
    with reading(rt.engine) as session:
        for msg in session.execute(OutboundMessage.__table__.select()).all():
            counts[msg.purpose][segments(msg.body)] += 1
        tips_filed = session.execute(Tip.__table__.select()).all()
    app.extensions["tinbao"].engine.dispose()
    rt.engine.dispose()
    total = sum(sum(c.values()) for c in counts.values())
    over = sum(v for c in counts.values() for k, v in c.items() if k > 1)
    return {"tips": len(tips_filed), "messages": total, "multi_segment": over,
            "by_purpose": {p: dict(c) for p, c in counts.items()}}


def _sms(client, settings, sender: str, body: str) -> str:
    form = sms_form(sender, "+84999000111", body, new_sid())
    response = client.post(PATH, data=form, headers={
        "X-Twilio-Signature": sign("http://localhost" + PATH, form, settings.twilio_auth_token)})
    text = response.get_data(as_text=True)
    response.close()
    return text.split("<Message>")[1].split("</Message>")[0] if "<Message>" in text else ""


def _drain(rt) -> None:
    queues = [Queue(name, connection=rt.redis) for name in QUEUES]
    SimpleWorker(queues, connection=rt.redis).work(burst=True, logging_level="WARNING")


def _officer(engine) -> str:
    with reading(engine) as session:
        return session.execute(
            Officer.__table__.select().where(Officer.commune_code == 15865)).first().phone
