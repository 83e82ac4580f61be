"""Benchmark 2: tip → officer hand-off latency, from the webhook's answer to the moment the
(fake, local) provider receives the officer's SMS, at a fixed rate of new tips."""

import re
import statistics
import sys
import time

from redis import Redis
from rq import Worker

from bench.fake_provider import arrivals
from bench.load import paced, write_signed
from bench.stack import Stack, free_port, http_ok, wait_for
from gateway.twilio_requests import new_sid, sms_form

ACCEPTED = re.compile(r"tin bao (\d{6})")


def start_provider(stack: Stack) -> tuple[str, str]:
    """The fake Twilio API in its own process; returns (base URL, arrival log path)."""
    port = free_port()
    log = stack.workdir / f"provider-{port}.jsonl"
    stack.spawn([sys.executable, "-m", "bench.fake_provider", str(port), str(log)], "provider")
    wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/"), 10, "fake provider")
    return f"http://127.0.0.1:{port}", str(log)


def start_workers(stack: Stack, count: int, mode: str = "work") -> list:
    """`count` production worker processes (the Procfile's `worker`); returns them."""
    return [stack.spawn([sys.executable, "-m", "workers", mode, "--name",
                         f"bench-{n}-{new_sid()}"], f"worker-{n}") for n in range(count)]


def _wait_for_workers(stack: Stack, count: int) -> None:
    """Until `count` workers have registered with Redis (imports done, connections open)."""
    redis = Redis.from_url(stack.env["REDIS_URL"])
    wait_for(lambda: Worker.count(connection=redis) >= count, 60, "workers")
    redis.close()


def run(stack: Stack, rate: float = 50, seconds: float = 60, workers: int = 2,
        web_workers: int = 2, queued: bool = False) -> dict:
    """Paced one-shot tips; latency per tip matched by its reference. `queued`: the webhook
    runs with SMS_REPLY=queued (its answer holds no reference: each tip is matched through the
    reply the worker sends to its sender), and how long the reply took is measured too."""
    port = free_port()
    stack.gunicorn("gateway:create_app()", port, web_workers,
                   {"SMS_REPLY": "queued"} if queued else None)
    start_workers(stack, workers)
    _wait_for_workers(stack, workers)  # the hand-off, not the workers' start, is measured
    forms = [sms_form(f"+8498{n:07d}", "+84999000111",
                      f"TIN 15865 co nguoi la mat cho hang cam o thon {n % 20}", new_sid())
             for n in range(int(rate * seconds))]
    requests = write_signed(forms, f"http://127.0.0.1:{port}/webhooks/twilio/sms",
                            stack.env["TWILIO_AUTH_TOKEN"], stack.workdir / "handoff.txt")
    accepted: dict[str, float] = {}
    answered: dict[str, float] = {}  # queued: the webhook's answer, by the sender's last digits

    def on_reply(n: int, body: str, at: float) -> None:
        found = ACCEPTED.search(body)
        if found:
            accepted[found.group(1)] = at
        elif queued and "<Response" in body:
            answered[f"{n:04d}"[-4:]] = at

    web = paced(f"http://127.0.0.1:{port}", requests, rate, seconds, on_reply)
    log = stack.env["BENCH_PROVIDER_LOG"]
    replied: dict[str, float] = {}
    if queued:  # the reply names the tip: from then on it is followed by its reference
        accepted, replied = _replies(log, answered, 60)
    arrived = _wait_for(log, set(accepted), 60)
    latencies = [(arrived[r] - accepted[r]) * 1000 for r in accepted if r in arrived]
    # The notices queue behind every dispatch (the low queue): how far behind, once all is sent
    noticed = _wait_for(log, set(accepted), 300, dispatch=False)
    behind = [(noticed[r] - accepted[r]) * 1000 for r in accepted if r in noticed]
    return {
        "rate": rate, "seconds": seconds, "workers": workers, "tips": len(forms),
        "accepted": len(accepted), "dispatched": len(latencies),
        "lost": len(accepted) - len(latencies), **_percentiles(latencies),
        "webhook_p50_ms": web.p50, "webhook_p99_ms": web.p99, "webhook_errors": web.errors,
        "notices_sent": len(behind),
        **{f"notice_{k}": v for k, v in _percentiles(behind).items()},
        **({"replies": len(replied), **{f"reply_{k}": v for k, v in _percentiles(
            [(replied[r] - accepted[r]) * 1000 for r in replied]).items()}} if queued else {}),
    }


def _replies(log_path: str, answered: dict[str, float], seconds: float
             ) -> tuple[dict[str, float], dict[str, float]]:
    """Queued: ({reference: the webhook's answer}, {reference: the reply's arrival}), from the
    receipts the workers sent to the senders (the fake provider logs the last four digits)."""
    deadline = time.monotonic() + seconds
    replied: dict[str, tuple[str, float]] = {}
    while time.monotonic() < deadline and len(replied) < len(answered):
        for item in arrivals(log_path):
            if ACCEPTED.search(item["body"]) and item["to"] in answered:
                replied.setdefault(item["to"], (item["ref"], item["t"]))
        time.sleep(0.5)
    return ({ref: answered[to] for to, (ref, _) in replied.items()},
            {ref: at for ref, at in replied.values()})


def _wait_for(log_path: str, refs: set[str], seconds: float, dispatch: bool = True
              ) -> dict[str, float]:
    """Arrival times of the officer dispatches (or the reporters' "sent to your commune"
    notices) for these references."""
    deadline = time.monotonic() + seconds
    arrived: dict[str, float] = {}
    while time.monotonic() < deadline:
        arrived = {}
        for item in arrivals(log_path):
            wanted = (item["body"].startswith("TIN BAO") if dispatch
                      else "da duoc chuyen den" in item["body"])
            if wanted and item["ref"] in refs:
                arrived.setdefault(item["ref"], item["t"])
        if refs <= set(arrived):
            break
        time.sleep(0.5)
    return arrived


def _percentiles(latencies: list[float]) -> dict:
    ordered = sorted(latencies) or [float("nan")]
    return {"p50_ms": statistics.median(ordered), "p90_ms": ordered[int(0.9 * (len(ordered) - 1))],
            "p99_ms": ordered[int(0.99 * (len(ordered) - 1))], "max_ms": ordered[-1]}
