"""Quick start for real: `tinbao up` starts Redis, web, worker and scheduler; a tip sent with
`tinbao sms send` is in `tinbao outbox` within two seconds; Ctrl-C stops every process."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import _free_port
from tests.privacy import REPORTERS, assert_no_reporter_numbers, assert_text_clean

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def demo(tmp_path, request):
    """`tinbao up` in a fresh instance folder, as a newcomer would run it (with the extra
    environment a test's `demo_env` mark names)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "DATABASE_URL", "TWILIO_AUTH_TOKEN", "PORT", "SMS_REPLY")}
    env.update(TINBAO_INSTANCE=str(tmp_path / "instance"), PYTHONUNBUFFERED="1")
    marker = request.node.get_closest_marker("demo_env")
    env.update(marker.kwargs if marker else {})
    log = open(tmp_path / "demo.log", "w")
    proc = subprocess.Popen([str(BIN / "tinbao"), "up", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while "Send a tip" not in (tmp_path / "demo.log").read_text():
        assert proc.poll() is None, (tmp_path / "demo.log").read_text()
        assert time.monotonic() < deadline, "demo did not come up"
        time.sleep(0.2)
    yield proc, port, env, tmp_path
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever a failed test left running
    except ProcessLookupError:
        pass
    proc.wait()
    log.close()


def descendants(pid: int) -> list[int]:
    """Every process below `pid`."""
    found, todo = [], [pid]
    while todo:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(todo.pop())],
                             capture_output=True, text=True).stdout
        kids = [int(x) for x in out.split()]
        found += kids
        todo += kids
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def tinbao(env, tmp_path, *args) -> str:
    result = subprocess.run([str(BIN / "tinbao"), *args], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def send_the_example(demo) -> tuple[dict, float, str]:
    """The README's example tip, on the running demo: (env, when it was sent, what it said)."""
    proc, port, env, tmp_path = demo
    env = {**env, "PORT": str(port)}
    assert _up(f"http://127.0.0.1:{port}/healthz")
    sent = time.monotonic()
    return env, sent, tinbao(env, tmp_path, "sms", "send", "--from", REPORTERS[0],
                             "TIN 15865 co nguoi la mat cho hang cam o thon 3")


def test_quick_start_takes_a_tip_to_an_officer_within_two_seconds_and_stops_cleanly(demo):
    proc, port, _, tmp_path = demo
    env, sent, reply = send_the_example(demo)
    assert reply.startswith("Da nhan tin bao ")
    reference = reply.split()[4].rstrip(",")
    while True:
        items = json.loads(tinbao(env, tmp_path, "outbox", "--json"))
        dispatch = [i for i in items if i["recipient"] == "officer"]
        if dispatch and dispatch[0]["status"] == "sent":
            break
        assert time.monotonic() - sent < 2.0, items
        time.sleep(0.05)
    assert dispatch[0]["tip_reference"] == reference
    assert "Xa Hoang Hoa" in dispatch[0]["body"]
    officer = re.search(r'--from (\+\d+) "OK', (tmp_path / "demo.log").read_text()).group(1)
    ack = tinbao(env, tmp_path, "sms", "send", "--from", officer, f"OK {reference}")
    assert ack.startswith(f"Da ghi nhan: ban tiep nhan tin bao {reference}")
    deadline = time.monotonic() + 5
    while not any("da duoc can bo tiep nhan" in i["body"] and i["status"] == "sent"
                  for i in json.loads(tinbao(env, tmp_path, "outbox", "--json"))):
        assert time.monotonic() < deadline, "the reporter never heard of the acknowledgement"
        time.sleep(0.1)
    instance = tmp_path / "instance"
    children = descendants(proc.pid)
    assert len(children) >= 5  # redis, gunicorn master + workers, rq worker, cron
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0
    assert not _listening(port)
    assert not [pid for pid in children if alive(pid)], "processes outlived Ctrl-C"
    log = (tmp_path / "demo.log").read_text()
    assert_text_clean(log, "the demo's log output")
    assert_no_reporter_numbers(f"sqlite:///{instance / 'tinbao.db'}")


@pytest.mark.demo_env(SMS_REPLY="queued")
def test_with_queued_replies_the_demo_answers_by_sms_within_two_seconds(demo):
    proc, port, _, tmp_path = demo
    env, sent, said = send_the_example(demo)
    assert said.startswith("(kept; a worker sends the reply by SMS")
    while True:
        items = json.loads(tinbao(env, tmp_path, "outbox", "--json"))
        receipt = [i for i in items if i["purpose"] == "reply" and i["status"] == "sent"]
        dispatch = [i for i in items if i["recipient"] == "officer" and i["status"] == "sent"]
        if receipt and dispatch:
            break
        assert time.monotonic() - sent < 2.0, items
        time.sleep(0.05)
    assert receipt[0]["recipient"] == "reporter" and receipt[0]["address"] == "(hidden)"
    assert receipt[0]["body"].startswith("Da nhan tin bao ") and "PIN ****" in receipt[0]["body"]
    assert receipt[0]["tip_reference"] == dispatch[0]["tip_reference"]
    health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read())
    assert health["inbox"]["waiting"] == 0 and health["status"] == "ok"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0
    assert_no_reporter_numbers(f"sqlite:///{tmp_path / 'instance' / 'tinbao.db'}")


def test_the_ussd_and_call_tools_walk_the_menus_of_the_running_demo(demo):
    proc, port, env, tmp_path = demo
    env = {**env, "PORT": str(port)}
    assert _up(f"http://127.0.0.1:{port}/healthz")

    def run(*args, answers: str) -> str:
        result = subprocess.run([str(BIN / "tinbao"), *args], env=env, cwd=tmp_path, text=True,
                                input=answers, capture_output=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    ussd = run("ussd", "--from", REPORTERS[1], answers="1\n2\n15865\ntrom xe may o cho\n")
    assert "1 Bao tin" in ussd and "Da nhan tin bao " in ussd
    call = run("call", "--from", REPORTERS[2], answers="1\n2\n15865#\n1\nco nguoi trom bo\n")
    assert "says: Bạn đã bấm mã 1, 5, 8, 6, 5: Xã Hoằng Hóa." in call
    assert "says: Tin báo của bạn đã được ghi nhận." in call and call.endswith("(call ended)\n")
    hung_up = run("call", "--from", REPORTERS[3], answers="1\n5\n")  # then Ctrl-D
    assert hung_up.endswith("(call ended)\n")
    deadline = time.monotonic() + 5
    while True:
        items = json.loads(tinbao(env, tmp_path, "outbox", "--json"))
        sent = [i for i in items if i["recipient"] == "officer" and i["status"] == "sent"]
        if len(sent) == 3:
            break
        assert time.monotonic() < deadline, items
        time.sleep(0.1)
    bodies = sorted(i["body"] for i in sent)
    assert sum("(Tin goi dien)" in b for b in bodies) == 2 and any("Nguoi la mat" in b
                                                                   for b in bodies)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0
    log = (tmp_path / "demo.log").read_text()
    assert_text_clean(log, "the demo's log output")
    assert "POST /webhooks/ussd " in log  # access log lines, but without the query string:
    secret = next(line.split("=", 1)[1] for line in
                  (tmp_path / "instance" / "tinbao.env").read_text().splitlines()
                  if line.startswith("USSD_SECRET="))
    assert secret not in log
    assert_no_reporter_numbers(f"sqlite:///{tmp_path / 'instance' / 'tinbao.db'}")
