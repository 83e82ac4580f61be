"""SMS_REPLY=queued: a good Twilio or Kannel SMS is kept below Flask (gateway.intake); every
other request reaches the Flask route, which answers it by its rules (403, 400, 413, ...)."""

import json
import urllib.parse

import pytest
from flask import request, request_started
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder, run_wsgi_app

from db.models import InboxMessage
from gateway.intake import QueuedSms
from gateway.sms_twilio import NO_REPLY
from gateway.twilio_requests import sign, sms_form
from tests.conftest import make_settings
from tests.gateway import test_sms_kannel as kannel
from tests.gateway import test_sms_twilio as twilio
from tests.helpers import BASE, DIALLED, REPORTER, count, rows

PATH = "/webhooks/twilio/sms"


@pytest.fixture
def settings(database_url, redis_url):
    """A deployment whose SMS webhooks leave the answering to the workers."""
    return make_settings(database_url, redis_url, SMS_REPLY="queued", KANNEL_SECRET=kannel.SECRET)


@pytest.fixture
def flask_saw_any():
    """watch(app): the paths of the requests Flask itself handles for that app from now on."""
    watched = []

    def watch(app) -> list[str]:
        seen = []

        def started(sender, **extra):
            seen.append(request.path)

        request_started.connect(started, app)
        watched.append((app, started))
        return seen

    yield watch
    for app, started in watched:
        request_started.disconnect(started, app)


@pytest.fixture
def flask_saw(app, flask_saw_any):
    """The paths of the requests Flask itself handled during the test."""
    return flask_saw_any(app)


def inbox(app) -> list[InboxMessage]:
    return rows(app.extensions["tinbao"].engine, InboxMessage)


def post(client, settings, form, query: str = "", base: str = BASE, **headers):
    """POST the form, signed for base + PATH + query unless headers carry a signature."""
    url = PATH + (f"?{query}" if query else "")
    headers.setdefault("X-Twilio-Signature", sign(base + url, form, settings.twilio_auth_token))
    response = client.post(url, data=form, headers=headers)
    response.get_data()
    response.close()
    return response


def test_only_a_queued_deployment_puts_the_layer_in_front_of_flask(app, settings):
    assert isinstance(app.wsgi_app, QueuedSms)
    from gateway import create_app

    inline = create_app(make_settings(settings.database_url, settings.redis_url))
    assert not isinstance(inline.wsgi_app, QueuedSms)
    inline.extensions["tinbao"].engine.dispose()


def test_a_good_sms_is_kept_without_flask_and_answered_as_flask_answers_it(
        app, client, settings, flask_saw):
    form = sms_form(REPORTER, DIALLED, "TIN 15865 trom cap xe may")
    below = post(client, settings, form)
    assert flask_saw == [] and below.status_code == 200
    [kept] = inbox(app)
    assert kept.provider_id == f"twilio:{form['MessageSid']}" and kept.body == form["Body"]
    assert kept.receiver == DIALLED and kept.reply_provider == "twilio"
    assert app.extensions["tinbao"].keyring.unseal(kept.sender_sealed) == REPORTER
    # the same delivery again, answered by the Flask route itself (the layer's inner app)
    environ = EnvironBuilder(path=PATH, method="POST", data=form, base_url=BASE, headers={
        "X-Twilio-Signature": sign(BASE + PATH, form, settings.twilio_auth_token)}).get_environ()
    body, status, headers = run_wsgi_app(app.wsgi_app.app, environ, buffered=True)
    assert flask_saw == [PATH] and status == "200 OK"
    assert b"".join(body) == below.get_data() == NO_REPLY.encode()
    # Flask-Login's look at the session adds "Vary: Cookie"; this answer varies by nothing
    assert dict(headers.items()) == {**below.headers, "Vary": "Cookie"}
    assert len(inbox(app)) == 1  # the repeated delivery is kept once


@pytest.mark.parametrize("path", twilio.CAPTURED, ids=lambda p: p.stem)
def test_every_captured_twilio_request_is_kept_below_flask_or_answered_by_it(
        path, app, client, settings, flask_saw):
    case = json.loads(path.read_text(encoding="utf-8"))
    headers = twilio._signature(case, settings.twilio_auth_token)
    response = client.post(PATH, data=case["form"], headers=headers)
    assert response.status_code == case["status"]
    assert len(inbox(app)) == (1 if case["stored"] else 0)
    assert flask_saw == ([] if case["stored"] else [PATH])
    if case["stored"]:
        assert response.get_data() == NO_REPLY.encode()
        assert inbox(app)[0].body == case["form"]["Body"]


@pytest.mark.parametrize("path", kannel.CAPTURED, ids=lambda p: p.stem)
def test_every_captured_kannel_request_is_kept_below_flask_or_answered_by_it(
        path, app, client, flask_saw):
    case = json.loads(path.read_text(encoding="utf-8"))
    response = kannel.kannel_get(client, case["query"], case["secret"])
    assert response.status_code == case["status"]
    assert len(inbox(app)) == (1 if case["stored"] else 0)
    assert flask_saw == ([] if case["stored"] else [kannel.PATH])
    if case["stored"]:
        assert response.get_data() == b"" and response.mimetype == "text/plain"
        assert inbox(app)[0].body == case["body"]
        assert inbox(app)[0].provider_id.startswith("kannel:")


def test_kannel_answered_below_flask_as_flask_answers_it(app, client, flask_saw):
    query = kannel.sms_query("TIN 15865 trom bo") + f"&secret={kannel.SECRET}"
    below = kannel.kannel_get(client, query, secret="none")
    environ = EnvironBuilder(path=kannel.PATH, query_string=query, base_url=BASE).get_environ()
    body, status, headers = run_wsgi_app(app.wsgi_app.app, environ, buffered=True)
    assert flask_saw == [kannel.PATH] and status == "200 OK" == below.status
    assert b"".join(body) == below.get_data() == b""
    assert dict(headers.items()) == {**below.headers, "Vary": "Cookie"}
    assert len(inbox(app)) == 1


def test_the_sender_is_woken_after_the_answer(app, client, settings):
    redis = app.extensions["tinbao"].redis
    post(client, settings, sms_form(REPORTER, DIALLED, "TIN 15865 a"))
    [kept] = inbox(app)
    assert redis.exists(f"tinbao:inbox:wake:{kept.lane}")
    assert redis.llen("rq:queue:default") + redis.llen("rq:queue:urgent") >= 1


@pytest.mark.parametrize("case, change, status, kept", [
    ("no signature", {"X-Twilio-Signature": ""}, 403, 0),
    ("a wrong signature", {"X-Twilio-Signature": "AAAA"}, 403, 0),
    ("signed for the URL with its port", {"base": "http://localhost:80"}, 200, 1),
    ("a query string", {"query": "lang=vi"}, 200, 1),
    ("no sender", {"form": {"From": ""}}, 400, 0),
    ("a sid that is not one", {"form": {"MessageSid": "SM'; drop", "SmsSid": ""}}, 400, 0),
    ("a signature algorithm named", {"X-Twilio-Webhooks-Signature-Settings":
                                     "algorithm=HMAC_SHA1"}, 200, 1),
])
def test_any_other_request_is_answered_by_the_flask_route(
        app, client, settings, flask_saw, case, change, status, kept):
    form, change = sms_form(REPORTER, DIALLED, "TIN 15865 trom bo"), dict(change)
    form.update(change.pop("form", {}))
    response = post(client, settings, form, query=change.pop("query", ""),
                    base=change.pop("base", BASE), **change)
    assert flask_saw == [PATH], case
    assert response.status_code == status, case
    assert len(inbox(app)) == kept, case


def test_a_field_given_twice_or_a_body_not_utf8_goes_to_flask(app, client, settings, flask_saw):
    form = sms_form(REPORTER, DIALLED, "TIN 15865 bo")
    pairs = [*form.items(), ("Body", "lan hai")]
    signature = _signed_multi(settings.twilio_auth_token, BASE + PATH, pairs)
    response = client.post(PATH, data=_encode(pairs), headers={
        "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    assert flask_saw == [PATH] and response.status_code == 200
    assert [m.body for m in inbox(app)] == ["TIN 15865 bo"]  # Flask takes the first value
    raw = _encode(sms_form(REPORTER, DIALLED, "x").items()).replace("Body=x", "Body=%FF")
    response = client.post(PATH, data=raw, headers={
        "X-Twilio-Signature": "AAAA", "Content-Type": "application/x-www-form-urlencoded"})
    assert flask_saw == [PATH, PATH] and response.status_code == 403


def test_an_oversized_body_is_refused_by_flask_unread(app, client, settings, flask_saw):
    form = sms_form(REPORTER, DIALLED, "x" * 70_000)
    response = post(client, settings, form)
    assert flask_saw == [PATH] and response.status_code == 413
    assert count(app.extensions["tinbao"].engine, InboxMessage) == 0


def test_https_answers_carry_hsts_and_every_answer_the_security_headers(app, client, settings):
    form = sms_form(REPORTER, DIALLED, "TIN 15865 a")
    signature = sign("https://localhost" + PATH, form, settings.twilio_auth_token)
    response = client.post(PATH, data=form, base_url="https://localhost",
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200 and len(inbox(app)) == 1
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = post(client, settings, sms_form(REPORTER, DIALLED, "TIN 15865 b"))
    assert "Strict-Transport-Security" not in plain.headers
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert response.headers[name] and plain.headers[name]


def test_other_routes_pass_through(client, flask_saw):
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get(PATH).status_code == 405
    assert flask_saw == ["/healthz", PATH]


def _signed_multi(token: str, url: str, pairs) -> str:
    """Twilio's signature of a form with a repeated field (every value, sorted)."""
    return sign(url, MultiDict(pairs), token)


def _encode(pairs) -> str:
    return urllib.parse.urlencode(list(pairs))


def test_the_database_out_is_answered_503_at_once_below_flask_and_by_it(redis_url, flask_saw_any):
    from gateway import create_app

    settings = make_settings("postgresql://postgres@127.0.0.1:1/none", redis_url,
                             SMS_REPLY="queued")
    app = create_app(settings)
    seen = flask_saw_any(app)
    response = post(app.test_client(), settings, sms_form(REPORTER, DIALLED, "TIN 15865 a"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.headers["X-Content-Type-Options"] == "nosniff" and seen == []
    taken_by_flask = post(app.test_client(), settings, sms_form(REPORTER, DIALLED, "TIN 1"),
                          query="via=flask")  # the Flask route says the same
    assert seen == [PATH] and taken_by_flask.status_code == 503
    app.extensions["tinbao"].engine.dispose()
