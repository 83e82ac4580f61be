"""Test helpers: signed Twilio requests, an in-process RQ worker, reading replies and rows."""

import re
from html import unescape

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from db.session import transaction
from gateway.twilio_requests import sign, sms_form
from tests.privacy import REPORTERS
from workers.queues import QUEUES

REPORTER = REPORTERS[0]
DIALLED = "+84999000111"
BASE = "http://localhost"


def post_twilio(client, path: str, form: dict, token: str, base: str = BASE, **headers):
    """POST a form to the test client signed the way Twilio signs it."""
    signature = sign(base + path, form, token)
    response = client.post(path, data=form, headers={"X-Twilio-Signature": signature, **headers})
    response.get_data()
    response.close()  # as a WSGI server does after sending: runs call_on_close hooks
    return response


def sms(client, settings, body: str, sender: str = REPORTER, sid: str | None = None):
    """Send one signed inbound SMS to the webhook; returns the response."""
    form = sms_form(sender, DIALLED, body, sid=sid)
    return post_twilio(client, "/webhooks/twilio/sms", form, settings.twilio_auth_token)


def reply_of(response) -> str:
    """The text of the TwiML <Message> replies."""
    xml = response.get_data(as_text=True)
    return "\n".join(unescape(m) for m in re.findall(r"<Message>(.*?)</Message>", xml, re.S))


def run_worker(redis, scheduler: bool = False, max_jobs: int | None = None) -> None:
    """Drain every queue with a real RQ worker in burst mode (in this process), or run
    `max_jobs` jobs, each from the first non-empty queue; with `scheduler`, RQ's scheduler
    first moves the jobs whose time has come onto the queues."""
    queues = [Queue(name, connection=redis) for name in QUEUES]
    SimpleWorker(queues, connection=redis).work(burst=True, with_scheduler=scheduler,
                                                max_jobs=max_jobs)


def rows(engine, model, *where):
    """All rows of a model matching conditions."""
    with transaction(engine) as session:
        return list(session.execute(select(model).where(*where)).scalars())


def count(engine, model, *where) -> int:
    """How many rows of a model match."""
    with transaction(engine) as session:
        query = select(func.count()).select_from(model)
        return session.execute(query.where(*where) if where else query).scalar_one()
