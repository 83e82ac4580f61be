"""Two yardsticks for benchmark 1, between the bare ceiling and tinbao, on the same database,
Redis and gunicorn settings, each with its connections made once per process:

- `create_naive`: the issue's reference, one SQLModel insert and one plain RQ enqueue per
  request, then a fixed answer (no signature, no flow).
- `create_lean`: the least a webhook can do and keep tinbao's rules for a message: check the
  Twilio signature, pseudonymize and encrypt the sender, keep the message in one durable
  statement through the raw driver (autocommit, duplicates ignored), push its id on a Redis
  list, answer. No reporter, conversation, limits or reply: what one message must cost before
  any conversation is kept.
"""

import hashlib
import hmac
import os
import sqlite3

import psycopg
from cryptography.fernet import Fernet
from flask import Flask, Response, abort, request
from redis import Redis
from rq import Queue
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, create_engine
from twilio.request_validator import RequestValidator

from bench.ceiling_app import TWIML

NAIVE_TABLE, LEAN_TABLE = "bench_naive_inbound", "bench_lean_inbound"
LEAN_SCHEMA = (f"CREATE TABLE IF NOT EXISTS {LEAN_TABLE} (id {{serial}} PRIMARY KEY, "
               "sid VARCHAR(64) UNIQUE NOT NULL, pseudonym VARCHAR(64) NOT NULL, "
               "reply_sealed TEXT NOT NULL, body TEXT NOT NULL)")
LEAN_INSERT = (f"INSERT INTO {LEAN_TABLE} (sid, pseudonym, reply_sealed, body) "
               "VALUES ({p}, {p}, {p}, {p}) ON CONFLICT (sid) DO NOTHING RETURNING id")


class _Own(SQLModel, registry=registry()):
    """Models of the naive reference, kept out of tinbao's SQLModel.metadata (its migrations
    must match tinbao's models alone)."""


class BenchInbound(_Own, table=True):
    """One message kept by the naive reference."""

    __tablename__ = NAIVE_TABLE
    id: int | None = Field(default=None, primary_key=True)
    sid: str = Field(max_length=64)
    sender: str = Field(max_length=40)
    body: str


def noop(inbound_id: int) -> None:
    """The job the naive reference enqueues (the benchmark runs no worker for it)."""


def create_naive() -> Flask:
    """The naive reference app; creates its table if it is missing (the benchmark has made it
    already: see prepare)."""
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    _Own.metadata.create_all(engine)
    queue = Queue("bench-naive", connection=Redis.from_url(os.environ["REDIS_URL"]))
    app = _app()

    @app.post("/webhooks/twilio/sms")
    def sms():
        form = request.form
        row = BenchInbound(sid=form.get("MessageSid", ""), sender=form.get("From", ""),
                           body=form.get("Body", ""))
        with Session(engine) as session:
            session.add(row)
            session.commit()
            session.refresh(row)
        queue.enqueue(noop, row.id)
        return Response(TWIML, mimetype="application/xml")

    return app


def create_lean() -> Flask:
    """The lean reference app; creates its table if it is missing. BENCH_SIGNED_URL is the URL
    the benchmark's requests are signed for (tinbao's)."""
    url = os.environ["DATABASE_URL"]
    connect, insert = _lean_database(url)
    connect().close()  # the table exists before the first request
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    signed_url = os.environ["BENCH_SIGNED_URL"]
    pseudonym_key = os.environ["PSEUDONYM_KEY"].encode()
    sealer = Fernet(os.environ["REPLY_ADDRESS_KEY"].encode())
    redis = Redis.from_url(os.environ["REDIS_URL"])
    held: list = []  # this process's connection, made at its first request (after the fork)
    app = _app()

    @app.post("/webhooks/twilio/sms")
    def sms():
        form = request.form
        expected = validator.compute_signature(signed_url, form)
        if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        sender = form.get("From", "")
        pseudonym = hmac.new(pseudonym_key, sender.encode(), hashlib.sha256).hexdigest()
        if not held:
            held.append(connect())
        row = held[0].execute(insert, (form.get("MessageSid", ""), pseudonym,
                                       sealer.encrypt(sender.encode()).decode(),
                                       form.get("Body", ""))).fetchone()
        if row:  # a repeated delivery is kept once and queued once
            redis.rpush("bench-lean", row[0])
        return Response(TWIML, mimetype="application/xml")

    return app


def _lean_database(url: str):
    """(connect, insert statement) for the lean reference: psycopg or sqlite3, autocommit, with
    the settings tinbao's own engine uses on SQLite."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")

        def connect_sqlite():
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
                conn.execute(f"PRAGMA {pragma}")
            conn.execute(LEAN_SCHEMA.format(serial="INTEGER"))
            return conn

        return connect_sqlite, LEAN_INSERT.format(p="?")

    def connect_pg():
        conn = psycopg.connect(url, autocommit=True)
        conn.execute(LEAN_SCHEMA.format(serial="BIGSERIAL"))
        return conn

    return connect_pg, LEAN_INSERT.format(p="%s")


def prepare(database_url: str) -> None:
    """Create both references' tables once, before their servers start: each gunicorn worker
    builds its app, and two workers creating the same missing table at once can fail one of
    them, which stops that server after its first worker has already answered /healthz."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        _Own.metadata.create_all(engine)
    finally:
        engine.dispose()
    connect, _ = _lean_database(database_url)
    connect().close()


def kept(database_url: str) -> dict[str, int]:
    """The messages each reference kept: they did the work they stand for, not only answer."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return {name: conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
                    for name, table in (("naive", NAIVE_TABLE), ("lean", LEAN_TABLE))}
    finally:
        engine.dispose()


def _app() -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app
