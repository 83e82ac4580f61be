"""Benchmark 1: the signed SMS webhook against a bare Flask endpoint (the ceiling), interleaved
in one run, at concurrency 16 and 64; then latency at a fixed 200 requests/s.

Two yardsticks run between them (bench.reference_app): the issue's naive reference (one
SQLModel insert and one RQ enqueue) and the lean floor (signature, pseudonym, one raw durable
insert, one list push)."""

import itertools
import statistics
from collections.abc import Callable
from pathlib import Path

from bench import reference_app
from bench.load import PATH, paced, sms_mix, write_signed, wrk
from bench.stack import Stack, free_port

MAX_RPS = 3000  # requests prepared per second of a run, so no run replays a MessageSid
REFERENCES = {"naive": "bench.reference_app:create_naive()",
              "lean": "bench.reference_app:create_lean()"}


def run(stack: Stack, rounds: int, seconds: float, connections=(16, 64), rate: float = 200,
        paced_seconds: float = 10, web_workers: int = 2) -> dict:
    """Start the four servers, alternate the measurements, report medians and ratios."""
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
    at_rate = paced(f"http://127.0.0.1:{ports['tinbao']}", fresh(int(rate * paced_seconds)), rate,
                    paced_seconds)
    out[f"paced_{int(rate)}rps"] = at_rate.as_dict()
    out["references_kept"] = reference_app.kept(stack.database_url)
    return out


def servers(stack: Stack, web_workers: int, references: dict[str, str] | None = None
            ) -> dict[str, int]:
    """The ceiling, any references and tinbao under the same gunicorn settings; their ports by
    name. The references check signatures against tinbao's URL (BENCH_SIGNED_URL)."""
    ports = {name: free_port() for name in ("ceiling", *(references or {}), "tinbao")}
    env = {"BENCH_SIGNED_URL": f"http://127.0.0.1:{ports['tinbao']}{PATH}"}
    stack.gunicorn("bench.ceiling_app:create_app()", ports["ceiling"], web_workers)
    if references:
        reference_app.prepare(stack.database_url)
    for name, app in (references or {}).items():
        stack.gunicorn(app, ports[name], web_workers, env)
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
