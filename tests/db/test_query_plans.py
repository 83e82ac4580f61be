"""Every statement of the main paths finds its rows through an index: none reads a whole table
that grows with traffic. A sequential scan costs nothing at a hundred rows and everything at ten
million, so it never shows in a functional test; here the database's own planner is asked.

The traffic is real (SMS tips and conversations, a duplicate delivery, an officer's replies and
questions, delivery reports, a USSD session, a call with its late recording, the reporter's
status query, the sweeper); every statement it ran is explained again with its own values.
PostgreSQL plans with sequential scans disabled, so a Seq Scan left in a plan means no index can
serve it; SQLite's query plan names a bare SCAN for the same thing.
"""

import re
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from db.models import OutboundMessage, Tip
from tests.gateway.conftest import officer_of
from tests.helpers import post_twilio, reply_of, rows, run_worker, sms
from tests.phone import Call, UssdSession, recording_url
from tests.privacy import REPORTERS
from workers.sweep import sweep

# Tables that grow with every message; the directory, officers and users stay small.
GROWING = {"auditlog", "flowsession", "inboundmessage", "outboundmessage", "reporter", "tip",
           "tipevent"}
# Transaction control, settings and the drivers' own probes: nothing to plan.
SKIP = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SET|SAVEPOINT|RELEASE|PRAGMA|SHOW|SELECT 1\b|"
                  r"SELECT pg_|SELECT current_)", re.I)


class Recorder:
    """Every (statement, parameters) any engine runs while it records."""

    def __init__(self):
        self.seen: dict[str, object] = {}
        self.on = True

    def __call__(self, _conn, _cursor, statement, parameters, _context, executemany):
        if self.on and not executemany and not SKIP.match(statement):
            self.seen.setdefault(statement, parameters)

    @contextmanager
    def paused(self):
        """The test's own reads are not the application's."""
        self.on = False
        try:
            yield
        finally:
            self.on = True


@contextmanager
def recording():
    recorder = Recorder()
    event.listen(Engine, "before_cursor_execute", recorder)
    try:
        yield recorder
    finally:
        event.remove(Engine, "before_cursor_execute", recorder)


def traffic(client, settings, rt, recorder: Recorder) -> None:
    """One of everything the hot paths do."""
    filed = reply_of(sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song",
                         sid="SM" + "a" * 32))
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song", sid="SM" + "a" * 32)
    for text in ("TIN", "1", "15865", "xe may lay trom luc 2 gio sang"):
        sms(client, settings, text, sender=REPORTERS[1])
    run_worker(rt.redis)
    with recorder.paused():
        tip = rows(rt.engine, Tip)[0]
        dispatch = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "dispatch")[0]
        officer = officer_of(rt.engine, 15865)
    post_twilio(client, "/webhooks/twilio/status",
                {"MessageSid": dispatch.provider_id, "MessageStatus": "delivered",
                 "AccountSid": settings.twilio_account_sid}, settings.twilio_auth_token)
    for text in (f"OK {tip.reference}", f"HOI {tip.reference} xe mau gi?"):
        sms(client, settings, text, sender=officer.phone)
    run_worker(rt.redis)
    sms(client, settings, "xe wave mau do")
    pin = filed.split("PIN ")[1][:4] if "PIN " in filed else "0000"
    sms(client, settings, f"TT {tip.reference} {pin}")
    ussd = UssdSession(client, settings, phone=REPORTERS[2])
    for answer in (None, "1", "1", "15865", "co nguoi la"):
        ussd.send(answer)
    call = Call(client, settings, caller=REPORTERS[3])
    call.start()
    for digits in ("1", "2", "15865", "1"):
        call.press(digits)
    call.hang_up()
    call.record(recording_url(settings), digits="hangup")
    call.recording_ready(recording_url(settings))
    run_worker(rt.redis)
    with recorder.paused():
        # REPORTERS[1]'s tip: the same case, as it turns out
        [second] = rows(rt.engine, Tip, Tip.details == "xe may lay trom luc 2 gio sang")
    for text in (f"TRUNG {second.reference} {tip.reference}", f"XONG {tip.reference} KT"):
        sms(client, settings, text, sender=officer.phone)
    run_worker(rt.redis)
    with recorder.paused():
        assert rows(rt.engine, Tip, Tip.id == second.id)[0].duplicate_of_id == tip.id
    sweep()


def full_scans(engine, statement: str, parameters) -> list[str]:
    """The growing tables a statement would read whole."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            [[plan]] = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement,
                                            parameters or {}).fetchall()
            conn.rollback()
            return [n["Relation Name"] for n in _nodes(plan[0]["Plan"])
                    if n.get("Relation Name") in GROWING and _whole(n)]
        details = [row[-1] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters or ())]
        conn.rollback()
    return [m.group(1) for d in details if (m := re.fullmatch(r"SCAN (\w+)", d))
            and m.group(1) in GROWING]


def _whole(node: dict) -> bool:
    """A scan that reads the table or one of its indexes from end to end."""
    if node["Node Type"] == "Seq Scan":
        return True
    return "Index" in node["Node Type"] and "Index Cond" not in node


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def test_no_statement_of_the_main_paths_reads_a_growing_table_whole(client, settings, rt):
    with recording() as recorder:
        traffic(client, settings, rt, recorder)
    seen = recorder.seen
    assert len(seen) > 30  # the traffic ran (each path adds its own statements)
    for path in ("INSERT INTO tip ", "INSERT INTO inboundmessage ", "INSERT INTO outboundmessage ",
                 "UPDATE outboundmessage SET status", "UPDATE tip SET "):
        assert any(stmt.startswith(path) for stmt in seen), path
    scans = {stmt: tables for stmt, params in seen.items()
             if (tables := full_scans(rt.engine, stmt, params))}
    assert scans == {}, "\n\n".join(f"{t}: {s}" for s, t in scans.items())


def test_the_checker_sees_a_full_scan(rt):
    """A lookup by a column no index covers (a message's text) is caught on either backend."""
    postgresql = rt.engine.dialect.name == "postgresql"
    sql = "SELECT id FROM outboundmessage WHERE body = " + ("%(p)s" if postgresql else "?")
    assert full_scans(rt.engine, sql, {"p": "x"} if postgresql else ("x",)) == ["outboundmessage"]
