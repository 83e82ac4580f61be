"""Starting and stopping the production stack for a benchmark: Redis, a fresh database,
gunicorn (the Procfile's settings), RQ workers and a fake Twilio API, all on loopback."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
ANALYZE_EVERY = 20.0  # seconds; standing in for autovacuum where the server has it off
# autovacuum's own rule (autovacuum_analyze_threshold 50, autovacuum_analyze_scale_factor 0.1)
DUE_FOR_ANALYZE = """SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)"""


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, what: str) -> None:
    """Poll until check() is true."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up")
        time.sleep(0.05)


def http_ok(url: str) -> bool:
    """Whether GET url answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


class Stack:
    """Processes of one benchmark run; everything is stopped by close()."""

    def __init__(self, workdir: Path, backend: str = "postgresql"):
        self.workdir = workdir
        self.backend = backend
        self.procs: list[subprocess.Popen] = []
        self.env: dict[str, str] = {}
        self.database_url = ""
        self._pg_admin = None
        self._pg_name = ""
        self._stop = threading.Event()
        self._analyzer: threading.Thread | None = None

    def start_redis(self) -> str:
        """A private redis-server (persistence off: the benchmark measures the app)."""
        from gateway.demo import redis_binary

        port = free_port()
        self.spawn([redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", str(self.workdir)], "redis")
        url = f"redis://127.0.0.1:{port}/0"
        from redis import Redis

        client = Redis.from_url(url)
        wait_for(lambda: _ping(client), 10, "redis")
        return url

    def create_database(self) -> str:
        """A fresh database, migrated, with the directory and demo officers."""
        from db import demo, directory, migrate
        from db.session import make_engine

        if self.backend == "postgresql":
            server = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
            self._pg_name = f"tinbao_bench_{uuid.uuid4().hex[:8]}"
            self._pg_admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://"),
                                           isolation_level="AUTOCOMMIT")
            with self._pg_admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self._pg_name}"'))
            url = server.rsplit("/", 1)[0] + "/" + self._pg_name
        else:
            url = f"sqlite:///{self.workdir / 'bench.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        directory.load(engine)
        demo.seed_officers(engine)
        engine.dispose()
        self.database_url = url
        if self.backend == "postgresql":
            self._autovacuum_stand_in(url)
        return url

    def _autovacuum_stand_in(self, url: str) -> None:
        """If the server runs no autovacuum, ANALYZE what autovacuum would: every ANALYZE_EVERY
        seconds, the tables changed by more than 50 rows + 10% since they were last analyzed.

        A production server analyzes its tables as they grow (autovacuum is on by default) and
        each ANALYZE makes cached plans be chosen again. Without it (this machine's server),
        the plans psycopg's prepared statements settle on while the tables are empty, scans of
        the whole table, stay for a connection's life and the figures sink as the tables grow.
        """
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"),
                               isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if conn.exec_driver_sql("SHOW autovacuum").scalar_one() == "on":
                engine.dispose()
                return

        def analyze() -> None:
            while not self._stop.wait(ANALYZE_EVERY):
                with engine.connect() as conn:
                    for (table,) in conn.exec_driver_sql(DUE_FOR_ANALYZE).fetchall():
                        conn.exec_driver_sql(f'ANALYZE "{table}"')
            engine.dispose()

        self._analyzer = threading.Thread(target=analyze, name="analyze", daemon=True)
        self._analyzer.start()

    def environment(self, redis_url: str, **extra: str) -> dict[str, str]:
        """The environment every tinbao process of this run gets."""
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url, "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_urlsafe(24), "PSEUDONYM_KEY": secrets.token_urlsafe(24),
            "REPLY_ADDRESS_KEY": _fernet_key(), "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_FROM_NUMBER": "+15005550006",
            "SMS_PROVIDER": "outbox", "DEFAULT_PROVINCE": "38", "LOG_LEVEL": "WARNING",
            # the limits are checked as in production, set high enough for the benchmark's load
            "INBOUND_LIMIT_GLOBAL": "10000000/1m", "INBOUND_LIMIT_REPORTER": "1000/10m",
            "PYTHONPATH": str(ROOT), **extra,
        }
        return self.env

    def gunicorn(self, app: str, port: int, workers: int = 2, extra_env: dict | None = None
                 ) -> subprocess.Popen:
        """gunicorn as the Procfile runs it (sync workers), on loopback."""
        proc = self.spawn([sys.executable, "-m", "gunicorn", "--workers", str(workers),
                           "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
                          "gunicorn", {**self.env, **(extra_env or {})})
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/healthz"), 30, f"gunicorn {app}")
        return proc

    def spawn(self, command: list[str], name: str, env: dict | None = None) -> subprocess.Popen:
        """Start a process whose output goes to workdir/<name>.log."""
        with open(self.workdir / f"{name}.log", "a") as log:  # the child keeps its own copy
            proc = subprocess.Popen(command, env=env or self.env or None, stdout=log,
                                    stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        """Stop one process group (TERM, then KILL)."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def close(self) -> None:
        """Stop everything and drop the benchmark database."""
        self._stop.set()
        if self._analyzer is not None:
            self._analyzer.join()  # before the database is dropped under it
        for proc in list(reversed(self.procs)):
            self.stop(proc)
        if self._pg_admin is not None:
            with self._pg_admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)'))
            self._pg_admin.dispose()


def _ping(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


def _fernet_key() -> str:
    from db.privacy import new_reply_key

    return new_reply_key()


@contextmanager
def stack(workdir: Path, backend: str = "postgresql"):
    """A Stack that is always closed."""
    s = Stack(workdir, backend)
    try:
        yield s
    finally:
        s.close()
