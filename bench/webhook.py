"""Benchmark 1: the signed SMS webhook against a bare Flask endpoint (the ceiling), interleaved
in one run, at concurrency 16 and 64; then latency at a fixed 200 requests/s.

Two yardsticks run between them (bench.reference_app): the issue's naive reference (one
SQLModel insert and one RQ enqueue) and the lean floor (signature, pseudonym, one raw durable
insert, one list push); and tinbao with SMS_REPLY=queued (the webhook keeps the message, a
worker answers it by SMS), whose workers' drain rate is measured at the end."""

import itertools
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from redis import Redis
from sqlalchemy import func, select

from bench import reference_app
from bench.handoff import start_workers
from bench.load import PATH, paced, sms_mix, write_signed, wrk
from bench.stack import Stack, free_port
from db.inbox import LANES
from db.models import InboxMessage
from db.session import make_engine
from workers.queues import wake_inbox

MAX_RPS = 3000  # requests prepared per second of a run, so no run replays a MessageSid
REFERENCES = {"naive": "bench.reference_app:create_naive()",
              "lean": "bench.reference_app:create_lean()"}
QUEUED = "queued"  # tinbao with SMS_REPLY=queued: the webhook keeps, a worker answers


def run(stack: Stack, rounds: int, seconds: float, connections=(16, 64), rate: float = 200,
        paced_seconds: float = 10, web_workers: int = 2, drain_seconds: float = 20) -> dict:
    """Start the five servers, alternate the measurements, report medians and ratios; then
    how fast the workers answer what the queued webhook kept."""
    ports = servers(stack, web_workers, REFERENCES)
    url = f"http://127.0.0.1:{ports['tinbao']}{PATH}"
    seeds = itertools.count()

    def fresh(count: int):
        seed = next(seeds)
        return write_signed(sms_mix(count, seed), url, stack.env["TWILIO_AUTH_TOKEN"],
                            stack.workdir / f"sms-{seed}.txt")

    out: dict = {"web_workers": web_workers, "rounds": rounds, "seconds": seconds}
    out.update(interleaved(ports, lambda c, n: fresh(int(MAX_RPS * seconds)), connections,
                           rounds, seconds))
    for name, key in (("tinbao", "paced"), (QUEUED, "queued_paced")):
        at_rate = paced(f"http://127.0.0.1:{ports[name]}", fresh(int(rate * paced_seconds)),
                        rate, paced_seconds)
        out[f"{key}_{int(rate)}rps"] = at_rate.as_dict()
    out["references_kept"] = reference_app.kept(stack.database_url)
    out["queued_drain"] = drain(stack, out["c16"]["tinbao_rps"], drain_seconds)
    return out


def drain(stack: Stack, inline_rps: float, seconds: float, workers: int = 2) -> dict:
    """How fast `workers` production workers take the messages the queued webhook kept (each
    into its conversation, its reply sent to the fake provider, the dispatches it files queued
    and run as well), against the inline webhook's requests/s: the queued mode's sustained
    rate. Redis is emptied first, then every lane woken."""
    redis = Redis.from_url(stack.env["REDIS_URL"])
    redis.flushdb()
    engine = make_engine(stack.database_url)
    with engine.connect() as conn:
        kept = conn.execute(select(func.count()).select_from(InboxMessage)).scalar()
    for lane in range(LANES):  # woken as the webhook wakes them
        wake_inbox(redis, lane)
    procs = start_workers(stack, workers)
    started, waiting = time.monotonic(), kept
    first = None
    while time.monotonic() - started < seconds + 30 and waiting:
        time.sleep(0.5)
        with engine.connect() as conn:
            now_waiting = conn.execute(select(func.count()).select_from(InboxMessage)).scalar()
        if first is None and now_waiting < waiting:
            first = (time.monotonic(), now_waiting)  # the workers have started taking
        waiting = now_waiting
        if first and time.monotonic() - first[0] >= seconds:
            break
    taken_rate = (first[1] - waiting) / (time.monotonic() - first[0]) if first else 0.0
    for proc in procs:
        stack.stop(proc)
    engine.dispose()
    redis.close()
    return {"kept": kept, "left": waiting, "workers": workers,
            "messages_per_s": taken_rate,
            "to_inline_webhook": taken_rate / inline_rps if inline_rps else 0.0}


def servers(stack: Stack, web_workers: int, references: dict[str, str] | None = None
            ) -> dict[str, int]:
    """The ceiling, any references (and then tinbao with SMS_REPLY=queued) and tinbao under the
    same gunicorn settings; their ports by name. The others check signatures against tinbao's
    URL (BENCH_SIGNED_URL; PUBLIC_BASE_URL for the queued tinbao)."""
    names = ("ceiling", *(references or {}), *([QUEUED] if references else []), "tinbao")
    ports = {name: free_port() for name in names}
    env = {"BENCH_SIGNED_URL": f"http://127.0.0.1:{ports['tinbao']}{PATH}"}
    stack.gunicorn("bench.ceiling_app:create_app()", ports["ceiling"], web_workers)
    if references:
        reference_app.prepare(stack.database_url)
    for name, app in (references or {}).items():
        stack.gunicorn(app, ports[name], web_workers, env)
    if QUEUED in ports:
        stack.gunicorn("gateway:create_app()", ports[QUEUED], web_workers,
                       {"SMS_REPLY": "queued",
                        "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['tinbao']}"})
    stack.gunicorn("gateway:create_app()", ports["tinbao"], web_workers)
    return ports


def interleaved(ports: dict[str, int], requests_for: Callable[[int, int], Path], connections,
                rounds: int, seconds: float, path: str = PATH) -> dict:
    """Per concurrency, `rounds` of every server in turn (the ceiling first, tinbao last) on the
    same fresh requests (`requests_for(connections, round)`): medians and ratios to the ceiling
    (benchmarks 1 and 8)."""
    out = {}
    for c in connections:
        runs: dict[str, list] = {name: [] for name in ports}
        for n in range(rounds):  # interleaved: ceiling, ..., tinbao, ceiling, ..., tinbao
            requests = requests_for(c, n)
            for name, port in ports.items():
                runs[name].append(wrk(f"http://127.0.0.1:{port}", requests, c, seconds,
                                      path=path))
        out[f"c{c}"] = _compare(runs)
    return out


def _compare(runs: dict[str, list]) -> dict:
    """Medians of each server's runs, and each one's ratio to the ceiling's (tinbao's is
    `ratio`; a reference's `<name>_ratio`, with tinbao's to it as `tinbao_to_<name>`)."""
    med = lambda name, attr: statistics.median(getattr(r, attr) for r in runs[name])  # noqa: E731
    out = {
        "ceiling_rps": med("ceiling", "rps"), "tinbao_rps": med("tinbao", "rps"),
        "ratio": med("tinbao", "rps") / med("ceiling", "rps"),
        "ceiling_p50_ms": med("ceiling", "p50"), "ceiling_p99_ms": med("ceiling", "p99"),
        "tinbao_p50_ms": med("tinbao", "p50"), "tinbao_p99_ms": med("tinbao", "p99"),
        "tinbao_errors": sum(r.errors for r in runs["tinbao"]),
    }
    for name in runs.keys() - {"ceiling", "tinbao"}:
        out.update({f"{name}_rps": med(name, "rps"),
                    f"{name}_ratio": med(name, "rps") / med("ceiling", "rps"),
                    f"tinbao_to_{name}": med("tinbao", "rps") / med(name, "rps"),
                    f"{name}_errors": sum(r.errors for r in runs[name])})
    out["runs"] = {name: [r.as_dict() for r in rs] for name, rs in runs.items()}
    return out
