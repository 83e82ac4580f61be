"""Benchmark 1: the signed SMS webhook against a bare Flask endpoint (the ceiling), interleaved
in one run, at concurrency 16 and 64; then latency at a fixed 200 requests/s."""

import itertools
import statistics
from collections.abc import Callable
from pathlib import Path

from bench.load import PATH, paced, sms_mix, write_signed, wrk
from bench.stack import Stack, free_port

MAX_RPS = 3000  # requests prepared per second of a run, so no run replays a MessageSid


def run(stack: Stack, rounds: int, seconds: float, connections=(16, 64), rate: float = 200,
        paced_seconds: float = 10, web_workers: int = 2) -> dict:
    """Start both servers, alternate the measurements, report medians and ratios."""
    app_port, bare_port = servers(stack, web_workers)
    url = f"http://127.0.0.1:{app_port}{PATH}"
    seeds = itertools.count()

    def fresh(count: int):
        seed = next(seeds)
        return write_signed(sms_mix(count, seed), url, stack.env["TWILIO_AUTH_TOKEN"],
                            stack.workdir / f"sms-{seed}.txt")

    out: dict = {"web_workers": web_workers, "rounds": rounds, "seconds": seconds}
    out.update(interleaved(app_port, bare_port, lambda c, n: fresh(int(MAX_RPS * seconds)),
                           connections, rounds, seconds))
    at_rate = paced(f"http://127.0.0.1:{app_port}", fresh(int(rate * paced_seconds)), rate,
                    paced_seconds)
    out[f"paced_{int(rate)}rps"] = at_rate.as_dict()
    return out


def servers(stack: Stack, web_workers: int) -> tuple[int, int]:
    """tinbao and the ceiling under the same gunicorn settings; returns their ports."""
    app_port, bare_port = free_port(), free_port()
    stack.gunicorn("gateway:create_app()", app_port, web_workers)
    stack.gunicorn("bench.ceiling_app:create_app()", bare_port, web_workers)
    return app_port, bare_port


def interleaved(app_port: int, bare_port: int, requests_for: Callable[[int, int], Path],
                connections, rounds: int, seconds: float, path: str = PATH) -> dict:
    """Per concurrency, `rounds` of the ceiling then tinbao on the same fresh requests
    (`requests_for(connections, round)`): medians and ratios (benchmarks 1 and 8)."""
    out = {}
    for c in connections:
        bare, app = [], []
        for n in range(rounds):  # interleaved: ceiling, tinbao, ceiling, tinbao...
            requests = requests_for(c, n)
            bare.append(wrk(f"http://127.0.0.1:{bare_port}", requests, c, seconds, path=path))
            app.append(wrk(f"http://127.0.0.1:{app_port}", requests, c, seconds, path=path))
        out[f"c{c}"] = _compare(bare, app)
    return out


def _compare(bare: list, app: list) -> dict:
    """Medians and the ratio of a ceiling's runs and tinbao's (benchmarks 1 and 8)."""
    med = lambda runs, attr: statistics.median(getattr(r, attr) for r in runs)  # noqa: E731
    return {
        "ceiling_rps": med(bare, "rps"), "tinbao_rps": med(app, "rps"),
        "ratio": med(app, "rps") / med(bare, "rps"),
        "ceiling_p50_ms": med(bare, "p50"), "ceiling_p99_ms": med(bare, "p99"),
        "tinbao_p50_ms": med(app, "p50"), "tinbao_p99_ms": med(app, "p99"),
        "tinbao_errors": sum(r.errors for r in app),
        "runs": {"ceiling": [r.as_dict() for r in bare], "tinbao": [r.as_dict() for r in app]},
    }
