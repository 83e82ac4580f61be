"""Benchmark 5: resident memory of one web worker and one RQ worker over 10,000 tips, sampled
at the half and at the end (flat means no growth in the second half)."""

import contextlib
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from rq import Queue

from bench.handoff import start_workers
from bench.load import _post, write_signed
from bench.stack import Stack, free_port
from gateway.twilio_requests import new_sid, sms_form
from workers.queues import QUEUES, connect


def rss_mb(pid: int) -> float:
    """Resident set size of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """Direct child processes."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):  # gone, or a kernel thread
                if int((entry / "stat").read_text().split(") ")[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def send_all(base: str, requests: Path, connections: int = 8) -> None:
    """Send every request exactly once."""
    lines = requests.read_text().splitlines()
    split = urllib.parse.urlsplit(base)

    def client(offset: int) -> None:
        for line in lines[offset::connections]:
            body, signature = line.split("\t")
            _post(split.hostname, split.port, body, signature)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def drained(stack: Stack, timeout: float = 300) -> None:
    """Wait until the workers have emptied the queues."""
    redis = connect(stack.env["REDIS_URL"])
    deadline = time.monotonic() + timeout
    while any(Queue(q, connection=redis).count for q in QUEUES) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1)


def run(stack: Stack, tips: int = 10000) -> dict:
    """One gunicorn worker and one RQ worker; RSS after half and after all tips."""
    port = free_port()
    master = stack.gunicorn("gateway:create_app()", port, workers=1)
    start_workers(stack, 1)
    worker_proc = stack.procs[-1]
    url = f"http://127.0.0.1:{port}/webhooks/twilio/sms"
    forms = [sms_form(f"+8497{n:07d}", "+84999000111", f"TIN 15865 co nguoi la mat o thon {n}",
                      new_sid()) for n in range(tips)]
    half = tips // 2
    samples = {}
    for name, part in (("half", forms[:half]), ("end", forms[half:])):
        requests = write_signed(part, url, stack.env["TWILIO_AUTH_TOKEN"],
                                stack.workdir / f"memory-{name}.txt")
        send_all(f"http://127.0.0.1:{port}", requests)
        drained(stack)
        web = children(master.pid)[0]
        samples[name] = {"web_mb": rss_mb(web), "worker_mb": rss_mb(worker_proc.pid)}
    return {"tips": tips, **{f"{k}_{n}": v for n, s in samples.items() for k, v in s.items()},
            "web_growth_mb": samples["end"]["web_mb"] - samples["half"]["web_mb"],
            "worker_growth_mb": samples["end"]["worker_mb"] - samples["half"]["worker_mb"],
            "python": sys.version.split()[0]}
