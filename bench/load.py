"""Load for the webhook benchmarks: pre-signed realistic Twilio requests, replayed by wrk at
full speed or by a paced open-loop client at a fixed rate."""

import http.client
import json
import random
import shutil
import statistics
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import tips
from gateway.twilio_requests import new_sid, sign, sms_form

LUA = Path(__file__).with_name("requests.lua")
PATH = "/webhooks/twilio/sms"


@dataclass
class Result:
    """One load run: throughput and latency (milliseconds)."""

    rps: float
    p50: float
    p90: float
    p99: float
    errors: int
    requests: int

    def as_dict(self) -> dict:
        """JSON-ready."""
        return self.__dict__.copy()


def sms_mix(count: int, seed: int = 7) -> list[dict[str, str]]:
    """Inbound SMS forms: half one-shot tips from new senders, half conversation steps
    ("TIN" then the category answer from the same sender)."""
    rng = random.Random(seed)
    corpus = tips()
    forms = []
    for i in range(count // 4 + 1):
        for n, body in ((2 * i, rng.choice(corpus)), (2 * i + 1, None)):
            sender = f"+849{seed % 100:02d}{n:06d}"
            if body is not None:
                forms.append(sms_form(sender, "+84999000111", f"TIN 15865 {body}", new_sid()))
            else:
                forms.append(sms_form(sender, "+84999000111", "TIN", new_sid()))
                forms.append(sms_form(sender, "+84999000111", str(rng.randint(1, 7)), new_sid()))
    return forms[:count]


def write_signed(forms: list[dict], url: str, token: str, path: Path) -> Path:
    """One line per request: the urlencoded body, a tab, the signature for `url`."""
    with path.open("w") as out:
        for form in forms:
            out.write(f"{urllib.parse.urlencode(form)}\t{sign(url, form, token)}\n")
    return path


def wrk(base: str, requests: Path, connections: int, seconds: float, threads: int = 2,
        path: str = PATH) -> Result:
    """Closed-loop load at full speed with wrk; latency from wrk's histogram."""
    if shutil.which("wrk") is None:
        return closed_loop(base, requests, connections, seconds, path)
    done = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "-s", str(LUA), base, "--", str(requests), str(threads), path],
        capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"wrk against {base} exited {done.returncode}: "
                           f"{(done.stderr or done.stdout).strip()[-500:]}")
    out = done.stdout
    data = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    return Result(rps=data["requests"] / (data["duration_us"] / 1e6), p50=data["p50_us"] / 1e3,
                  p90=data["p90_us"] / 1e3, p99=data["p99_us"] / 1e3,
                  errors=data["errors"] + data["non2xx"], requests=data["requests"])


def closed_loop(base: str, requests: Path, connections: int, seconds: float,
                path: str = PATH) -> Result:
    """A Python stand-in for wrk (slower: only for smoke runs where wrk is missing)."""
    lines = requests.read_text().splitlines()
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            body, signature = lines[i % len(lines)].split("\t")
            took, ok = _post(host, port, body, signature, path=path)
            with lock:
                latencies.append(took)
                errors[0] += not ok
            i += connections

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return _summarise(latencies, errors[0], time.monotonic() - started)


def paced(base: str, requests: Path, rate: float, seconds: float,
          on_reply=None) -> Result:
    """Open-loop load at a fixed rate; latency counted from each request's scheduled time."""
    lines = requests.read_text().splitlines()
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    total = int(rate * seconds)
    start = time.monotonic() + 0.2
    latencies: list[float] = [0.0] * total
    oks = [True] * total

    def fire(n: int) -> None:
        due = start + n / rate
        time.sleep(max(0.0, due - time.monotonic()))
        body, signature = lines[n % len(lines)].split("\t")
        took, ok, reply = _post(host, port, body, signature, with_body=True)
        latencies[n] = (time.monotonic() - due) * 1000
        oks[n] = ok
        if on_reply:
            on_reply(n, reply, time.time())

    threads = []
    for n in range(total):
        t = threading.Thread(target=fire, args=(n,))
        t.start()
        threads.append(t)
        if len(threads) > 200:
            threads.pop(0).join()
    for t in threads:
        t.join()
    return _summarise(latencies, oks.count(False), seconds)


def _post(host, port, body: str, signature: str, with_body: bool = False, path: str = PATH):
    began = time.monotonic()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                          "X-Twilio-Signature": signature})
        response = conn.getresponse()
        text = response.read().decode()
        conn.close()
        ok = 200 <= response.status < 300
    except OSError:
        ok, text = False, ""
    took = (time.monotonic() - began) * 1000
    return (took, ok, text) if with_body else (took, ok)


def _summarise(latencies: list[float], errors: int, seconds: float) -> Result:
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    return Result(rps=len(latencies) / seconds, p50=statistics.median(ordered), p90=pct(90),
                  p99=pct(99), errors=errors, requests=len(latencies))
