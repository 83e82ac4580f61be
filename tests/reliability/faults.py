"""The production stack under faults: bench/stack.py's processes (gunicorn, RQ workers, the
cron sweeper, a private redis-server, a fresh database, the fake provider), plus what a fault
test needs: kill and restart workers and Redis, route PostgreSQL through a proxy, send tips
and read back what the provider received."""

import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from redis import Redis
from sqlalchemy import func, select

from bench.fake_provider import arrivals
from bench.handoff import start_provider
from bench.stack import ROOT, Stack, free_port, http_ok, wait_for
from db.models import Officer, OutboundMessage, Tip, TipEvent
from db.session import make_engine, reading
from gateway.demo import redis_binary
from gateway.twilio_requests import new_sid, post_signed, sms_form
from tests.privacy import REPORTERS, assert_text_clean
from tests.reliability.proxy import Proxy

ACCEPTED = re.compile(r"Da nhan tin bao (\d{6})")
DISPATCH = re.compile(r"^TIN BAO (\d{6})")


class FaultStack(Stack):
    """A Stack whose processes a test may kill, and whose Redis it may restart on its port."""

    def __init__(self, workdir: Path, backend: str):
        super().__init__(workdir, backend)
        self.redis_port = free_port()
        self.redis_proc: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.proxy: Proxy | None = None
        self.web_port = 0
        self.provider_log = ""
        self.cron: subprocess.Popen | None = None

    def start(self, workers: int = 2, proxy: bool = False, **env: str) -> None:
        """Redis, a fresh database (through a proxy if asked), provider, web, workers, cron."""
        self.start_redis_here()
        url = self.create_database()
        if proxy:
            parts = urlsplit(url)
            self.proxy = Proxy((parts.hostname, parts.port or 5432))
            url = url.replace(parts.netloc, f"{parts.username}@127.0.0.1:{self.proxy.port}")
            self.database_url = url
        provider_url, self.provider_log = start_provider(self)
        self.environment(f"redis://127.0.0.1:{self.redis_port}/0", SMS_PROVIDER="twilio",
                         TWILIO_API_BASE_URL=provider_url, SWEEP_GRACE_SECONDS="3",
                         INBOUND_LIMIT_REPORTER="0", INBOUND_LIMIT_GLOBAL="0",
                         DUPLICATE_SECONDS="0", LOG_LEVEL="INFO", **env)
        self.web_port = free_port()
        self.gunicorn("gateway:create_app()", self.web_port, 2)
        for _ in range(workers):
            self.start_worker()
        self.start_cron()

    def start_cron(self) -> None:
        """The Procfile's `scheduler`: RQ's cron clock enqueuing the sweeper every 15 s."""
        self.cron = self.spawn([sys.executable, "-m", "workers", "cron", "--name",
                                f"cron-{new_sid()}"], "cron")

    def spawn(self, command: list[str], name: str, env: dict | None = None) -> subprocess.Popen:
        """Like Stack.spawn, closing this side of the log file at once (the child keeps it)."""
        with open(self.workdir / f"{name}.log", "a") as log:
            proc = subprocess.Popen(command, env=env or self.env or None, stdout=log,
                                    stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def start_redis_here(self) -> None:
        """redis-server on this stack's fixed port (persistence off: a restart loses all)."""
        self.redis_proc = self.spawn([redis_binary(), "--port", str(self.redis_port), "--bind",
                                      "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                                      str(self.workdir)], "redis")
        client = Redis(port=self.redis_port, socket_connect_timeout=1)
        wait_for(lambda: _ping(client), 10, "redis")
        client.close()

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL a process and everything in its group (an RQ worker and its work horse)."""
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def start_worker(self) -> subprocess.Popen:
        """One more `python -m workers work` (what a process supervisor would restart)."""
        proc = self.spawn([sys.executable, "-m", "workers", "work", "--name",
                           f"w-{new_sid()}"], f"worker-{len(self.workers)}")
        self.workers.append(proc)
        return proc

    def kill_random_worker(self, rng: random.Random) -> None:
        """SIGKILL one live worker at this moment, and start a replacement."""
        alive = [w for w in self.workers if w.poll() is None]
        if alive:
            victim = rng.choice(alive)
            self.kill(victim)
            self.workers.remove(victim)
        self.start_worker()

    def revive_workers(self) -> int:
        """Restart workers and the cron clock if they exited (they stop when Redis goes)."""
        dead = [w for w in self.workers if w.poll() is not None]
        for w in dead:
            self.workers.remove(w)
            self.start_worker()
        if self.cron is not None and self.cron.poll() is not None:
            self.procs.remove(self.cron)
            self.start_cron()
            dead.append(self.cron)
        return len(dead)

    def url(self, path: str = "/webhooks/twilio/sms") -> str:
        """An address of the running gateway."""
        return f"http://127.0.0.1:{self.web_port}{path}"

    def send(self, body: str, sender: str, sid: str | None = None,
             timeout: float = 20) -> tuple[int, str, float]:
        """One signed SMS webhook: (status, reference or '', seconds taken)."""
        form = sms_form(sender, "+84999000111", body, sid or new_sid())
        began = time.monotonic()
        try:
            status, text = post_signed(self.url(), form, self.env["TWILIO_AUTH_TOKEN"], timeout)
        except OSError:
            status, text = 0, ""
        found = ACCEPTED.search(text)
        return status, found.group(1) if found else "", time.monotonic() - began

    def send_many(self, bodies: list[str], threads: int = 8, during=None) -> list:
        """Send tips concurrently from the reporter numbers; `during()` runs between batches."""
        results = []
        with ThreadPoolExecutor(threads) as pool:
            for start in range(0, len(bodies), threads * 4):
                batch = bodies[start:start + threads * 4]
                senders = [REPORTERS[(start + n) % len(REPORTERS)] for n in range(len(batch))]
                results += list(pool.map(self.send, batch, senders))
                if during:
                    during()
        return results

    def dispatches(self) -> Counter:
        """Officer SMS the provider received, per (tip reference, officer's last 4 digits):
        an escalation to the next officer is a new dispatch, not a duplicate."""
        counts: Counter = Counter()
        for item in arrivals(self.provider_log):
            found = DISPATCH.match(item["body"])
            if found:
                counts[(found.group(1), item["to"])] += 1
        return counts

    def wait_dispatched(self, references: set[str], seconds: float) -> Counter:
        """Wait until every reference reached the provider (or time is up)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.revive_workers()
            if references <= {ref for ref, _ in self.dispatches()}:
                break
            time.sleep(0.5)
        return self.dispatches()

    def claims(self) -> dict[tuple[str, str], int]:
        """How many times each dispatch SMS was claimed for sending (its attempts), per
        (tip reference, officer's last 4 digits)."""
        engine = make_engine(self.database_url)
        with reading(engine) as session:
            rows = session.execute(select(Tip.reference, Officer.phone, OutboundMessage.attempts)
                                   .join(OutboundMessage, OutboundMessage.tip_id == Tip.id)
                                   .join(Officer, Officer.id == OutboundMessage.officer_id)
                                   .where(OutboundMessage.purpose == "dispatch")).all()
        engine.dispose()
        return {(ref, phone[-4:]): attempts for ref, phone, attempts in rows}

    def tips(self) -> dict[str, int]:
        """Every stored tip reference and how many 'received' events it has."""
        engine = make_engine(self.database_url)
        with reading(engine) as session:
            rows = session.execute(select(Tip.reference, func.count(TipEvent.id))
                                   .join(TipEvent, TipEvent.tip_id == Tip.id)
                                   .where(TipEvent.kind == "received")
                                   .group_by(Tip.reference)).all()
        engine.dispose()
        return dict(rows)

    def logs_are_clean(self) -> int:
        """No reporter number in any process's output; returns the lines scanned."""
        lines = 0
        for path in self.workdir.glob("*.log"):
            text = path.read_text(errors="replace")
            lines += text.count("\n")
            assert_text_clean(text, path.name)
        return lines

    def healthy(self) -> bool:
        """Whether /healthz answers 200."""
        return http_ok(self.url("/healthz"))

    def close(self) -> None:
        """Stop everything (the proxy last but one: the database is dropped through it)."""
        if self.proxy is not None:
            self.proxy.set("pass")
        super().close()
        if self.proxy is not None:
            self.proxy.close()


def _ping(client: Redis) -> bool:
    try:
        return client.ping()
    except Exception:
        return False
