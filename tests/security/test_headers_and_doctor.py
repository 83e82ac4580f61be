"""App-wide security headers, injection strings stored literally, secrets only from the
environment, and `tinbao doctor` naming every insecure setting."""

import ast
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from redis import Redis

from db.doctor import database_findings
from db.models import InboundMessage, Tip
from db.session import make_engine
from gateway import create_app
from gateway.cli import cli
from tests.conftest import _free_port, deployment_env, make_settings
from tests.helpers import reply_of, rows, sms
from tests.summary import record

ROOT = Path(__file__).parents[2]
PAGES = ["/healthz", "/webhooks/twilio/sms", "/r/nothing", "/no/such/page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer" and headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # plain http, no https base URL


def test_hsts_is_sent_over_https_and_behind_an_https_public_url(database_url, redis_url, officers,
                                                                client):
    assert "max-age=" in client.get("/healthz", base_url="https://localhost"
                                    ).headers["Strict-Transport-Security"]
    app = create_app(make_settings(database_url, redis_url,
                                   PUBLIC_BASE_URL="https://tips.example.vn"))
    assert "includeSubDomains" in app.test_client().get("/healthz"
                                                        ).headers["Strict-Transport-Security"]
    app.extensions["tinbao"].engine.dispose()


INJECTIONS = [
    "TIN 15865 '; DROP TABLE tip; -- trom xe",
    'TIN 15865 <script>alert("x")</script> trom bo',
    "TIN 15865 \" OR 1=1; SELECT * FROM reporter -- <img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_stored_literally_and_answered_as_xml(client, settings, app, text):
    response = sms(client, settings, text)
    assert response.status_code == 200 and reply_of(response).startswith("Da nhan tin bao")
    assert "<script>" not in response.get_data(as_text=True)  # escaped inside the TwiML
    engine = app.extensions["tinbao"].engine
    [tip] = rows(engine, Tip)
    [kept] = rows(engine, InboundMessage)
    assert kept.body == text and tip.details in text
    record("attacks_rejected")


def test_no_secret_is_written_in_the_source():
    """Secrets come only from the environment: no name like *secret*, *token*, *key* or
    *password* is given a literal string in the code (Settings.from_env reads them)."""
    secretive = re.compile(r"secret|token|key|password", re.I)
    for package in ("flows", "db", "workers", "gateway"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
                        node.value, ast.Constant) and isinstance(node.value.value, str):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names = [ast.unparse(t) for t in targets]
                    assert not (any(secretive.search(n) for n in names)
                                and len(node.value.value) >= 8), (path, names)


def _doctor(env: dict) -> tuple[int, str]:
    """`tinbao doctor` in this environment (and only this one): exit code and output."""
    cleared = {name: None for name in os.environ if name not in env}
    outcome = CliRunner().invoke(cli, ["doctor"], env={**cleared, **env})
    return outcome.exit_code, outcome.output


def test_doctor_lists_every_insecure_setting(database_url):
    env = {**deployment_env("postgresql://db.example.vn/tinbao", "redis://127.0.0.1:1/0"),
           "TINBAO_DEMO": "1", "SECRET_KEY": "changeme", "TWILIO_AUTH_TOKEN": "",
           "TWILIO_ACCOUNT_SID": "", "SMS_PROVIDER": "twilio", "USSD_SECRET": "",
           "PUBLIC_BASE_URL": "http://tips.example.vn", "INBOUND_LIMIT_GLOBAL": "0"}
    code, output = _doctor(env)
    assert code == 1
    for expected in ("TWILIO_AUTH_TOKEN is not set", "demo mode (TINBAO_DEMO=1) in production",
                     "PUBLIC_BASE_URL is not https", "TWILIO_ACCOUNT_SID is not set",
                     "USSD_SECRET is not set", "an inbound rate limit is off",
                     "could not read Redis's configuration"):
        assert expected in output, output
    demo_ok = {**env, "TINBAO_DEMO": "0"}
    assert "SECRET_KEY is a placeholder" in _doctor(demo_ok)[1]


def test_doctor_checks_that_queued_replies_can_be_sent(database_url, redis_url):
    env = deployment_env(database_url, redis_url, SMS_REPLY="queued", KANNEL_SECRET="k" * 24)
    output = _doctor(env)[1]
    assert "SMS_REPLY=queued with SMS_PROVIDER=outbox" in output
    assert "answered through KANNEL_SENDSMS_URL, which is not set" in output
    output = _doctor({**env, "SMS_PROVIDER": "twilio", "KANNEL_SECRET": ""})[1]
    assert "SMS_REPLY=queued" not in output
    assert "SMS_REPLY=queued" not in _doctor({**env, "SMS_REPLY": "inline"})[1]


def test_doctor_asks_redis_about_persistence_and_eviction(database_url, redis_url):
    env = deployment_env(database_url, redis_url, PUBLIC_BASE_URL="https://tips.example.vn")
    code, output = _doctor(env)
    assert code == 1 and "Redis without persistence" in output  # the test Redis keeps nothing
    client = Redis.from_url(redis_url)
    policy = client.config_get("maxmemory-policy")["maxmemory-policy"]
    try:
        client.config_set("appendonly", "yes")
        client.config_set("maxmemory-policy", "allkeys-lru")
        output = _doctor(env)[1]
        assert "Redis without persistence" not in output
        assert "maxmemory-policy is allkeys-lru" in output
    finally:
        client.config_set("appendonly", "no")
        client.config_set("maxmemory-policy", policy)
        client.close()


def test_doctor_passes_a_sound_deployment(database_url, redis_url):
    sound = deployment_env(database_url.replace("sqlite", "postgresql"), redis_url,
                           PUBLIC_BASE_URL="https://tips.example.vn", KANNEL_SECRET="k" * 24,
                           SECRET_KEY="s" * 40)
    unreachable = {**sound, "REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0"}
    code, output = _doctor(unreachable)
    assert code == 0, output
    warnings = 1 + (_autovacuum(database_url) == "off")  # this machine's server: see below
    assert output.splitlines()[-1] == f"0 error(s), {warnings} warning(s)"


def _autovacuum(database_url: str) -> str | None:
    if not database_url.startswith("postgresql"):
        return None
    engine = make_engine(database_url)
    with engine.connect() as connection:
        value = connection.exec_driver_sql("SHOW autovacuum").scalar_one()
    engine.dispose()
    return value


def test_doctor_warns_when_postgresql_runs_without_autovacuum(database_url, redis_url):
    assert [f.message[:30] for f in database_findings({"autovacuum": "off"})] == [
        "PostgreSQL autovacuum is off: "]
    assert database_findings({"autovacuum": "on"}) == database_findings(None) == []
    env = deployment_env(database_url, redis_url, PUBLIC_BASE_URL="https://tips.example.vn")
    said = "PostgreSQL autovacuum is off" in _doctor(env)[1]
    assert said == (_autovacuum(database_url) == "off")  # asked of the real server
