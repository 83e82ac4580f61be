"""A real Kannel for end-to-end tests: Debian's bearerbox and smsbox on free loopback ports with
a generated kannel.conf, and Kannel's own fakesmsc playing the carrier's SMSC (and the phones).

fakesmsc is run interactively: each line written to its stdin is one SMS from a phone, and
every SMS Kannel delivers is printed as `Got message N: <from to type data>`.
"""

import re
import secrets
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from gateway.demo import _die_with_parent
from tests.conftest import _free_port

DEBIAN_PATHS = {"bearerbox": "/usr/sbin/bearerbox", "smsbox": "/usr/sbin/smsbox",
                "fakesmsc": "/usr/lib/kannel/test/fakesmsc"}
GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (text|data|ucs-2) (.*)>$")
QUERY = "id=%I&from=%p&to=%P&text=%b&coding=%c&charset=%C&smsc=%i"
CONF = """
group = core
admin-port = {admin}
admin-interface = 127.0.0.1
admin-password = {admin_password}
smsbox-port = {boxes}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{workdir}/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fakesmsc
port = {smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {boxes}
sendsms-port = {sendsms}
sendsms-interface = 127.0.0.1
log-file = "{workdir}/smsbox.log"
log-level = 1
reply-couldnotfetch = "COULD NOT FETCH"

group = sendsms-user
username = tinbao
password = {password}
max-messages = 3
concatenation = true
user-allow-ip = 127.0.0.1

group = sms-service
keyword = forged
catch-all = true
get-url = "{forged_url}"
omit-empty = true

group = sms-service
keyword = default
get-url = "{service_url}"
max-messages = 3
concatenation = true
omit-empty = true
"""


def binary(name: str) -> str | None:
    """Where a Kannel program is installed (PATH first, then Debian's locations)."""
    found = shutil.which(name)
    return found or (DEBIAN_PATHS[name] if Path(DEBIAN_PATHS[name]).exists() else None)


def missing() -> list[str]:
    """Kannel programs that are not installed."""
    return [name for name in DEBIAN_PATHS if binary(name) is None]


@dataclass(frozen=True)
class Delivered:
    """One SMS Kannel handed to the fake SMSC, and when it arrived (time.monotonic)."""

    sender: str
    receiver: str
    text: str
    at: float


class Kannel:
    """bearerbox + smsbox + fakesmsc, calling tinbao at `web_port` with `secret`."""

    def __init__(self, workdir: Path, web_port: int):
        self.workdir = workdir
        self.web_port = web_port
        self.secret = secrets.token_hex(16)
        self.password = secrets.token_hex(8)
        self.admin_password = secrets.token_hex(8)
        self.admin, self.boxes, self.smsc, self.sendsms = (_free_port() for _ in range(4))
        self.delivered: list[Delivered] = []
        self._procs: list[subprocess.Popen] = []
        self._fakesmsc: subprocess.Popen | None = None

    @property
    def sendsms_url(self) -> str:
        """smsbox's sendsms interface."""
        return f"http://127.0.0.1:{self.sendsms}/cgi-bin/sendsms"

    def service_url(self, secret: str) -> str:
        """The get-url of an sms-service calling tinbao with this secret (HTTP Basic auth)."""
        return f"http://kannel:{secret}@127.0.0.1:{self.web_port}/webhooks/kannel/sms?{QUERY}"

    def conf(self) -> str:
        """kannel.conf: the fake SMSC, a catch-all service and a `forged` one (wrong secret)."""
        return CONF.format(workdir=self.workdir, admin=self.admin, boxes=self.boxes,
                           admin_password=self.admin_password, smsc=self.smsc,
                           sendsms=self.sendsms, password=self.password,
                           service_url=self.service_url(self.secret),
                           forged_url=self.service_url("0" * len(self.secret)))

    def start(self, timeout: float = 20) -> None:
        """Start the three processes and wait until smsbox and fakesmsc are connected."""
        self._boot(self.conf(), timeout)
        self._fakesmsc = self._spawn(binary("fakesmsc"), "-H", "127.0.0.1", "-r", str(self.smsc),
                                     "-i", "0", "-v", "0", stdin=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        threading.Thread(target=self._read_fakesmsc, daemon=True).start()
        self._wait(self._connected, timeout, "smsbox and fakesmsc connected to bearerbox")

    def boot_guide(self, guide: str, timeout: float = 20) -> str:
        """Run bearerbox and smsbox on the guide's kannel.conf blocks (moved to this Kannel's
        ports and folder); returns bearerbox's status once smsbox is connected."""
        conf = "\n".join(re.findall(r"```conf\n(.*?)```", guide, re.S))
        for old, new in (("13000", self.admin), ("13001", self.boxes), ("13013", self.sendsms),
                         ("127.0.0.1:5000", f"127.0.0.1:{self.web_port}"),
                         ("CHANGE-ADMIN-PASSWORD", self.admin_password),
                         ("/var/log/kannel", self.workdir), ("/var/lib/kannel", self.workdir)):
            conf = conf.replace(old, str(new))
        self._boot(conf, timeout)
        self._wait(lambda: "on-line" in (self.status() or ""), timeout, "smsbox connected")
        return self.status()

    def _boot(self, conf: str, timeout: float) -> None:
        path = self.workdir / "kannel.conf"
        path.write_text(conf)
        bearerbox = self._spawn(binary("bearerbox"), "-v", "1", str(path))
        self._wait(lambda: self.status() is not None or bearerbox.poll() is not None, timeout,
                   "bearerbox")
        assert bearerbox.poll() is None, f"bearerbox refused {path}: see {self.workdir}"
        self._spawn(binary("smsbox"), "-v", "1", str(path))

    def status(self) -> str | None:
        """bearerbox's status page, or None while it does not answer."""
        url = f"http://127.0.0.1:{self.admin}/status.txt?password={self.admin_password}"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return response.read().decode()
        except OSError:
            return None

    def _connected(self) -> bool:
        status = self.status() or ""
        return "smsbox:" in status and "on-line" in status and "(online" in status

    def inject(self, sender: str, receiver: str, text: str, ucs2: bool = False) -> float:
        """A phone sends an SMS (UCS-2 as handsets send Vietnamese); returns when it was sent."""
        if ucs2:
            line = f"{sender} {receiver} ucs2 {urllib.parse.quote(text.encode('utf-16-be'))}"
        else:
            line = f"{sender} {receiver} text {text}"
        self._write(line)
        return time.monotonic()

    def wait_for(self, receiver: str, contains: str, timeout: float = 10) -> Delivered:
        """The first SMS delivered to `receiver` whose text contains `contains`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for sms in list(self.delivered):
                if sms.receiver == receiver and contains in sms.text:
                    return sms
            self._write("")  # wakes fakesmsc from its 1 s stdin wait so it reads at once
            time.sleep(0.02)
        raise AssertionError(f"no SMS with {contains!r} arrived; got {self.delivered}")

    def stop(self) -> None:
        """Stop every process this Kannel started (fakesmsc, smsbox, then bearerbox)."""
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for pipe in (proc.stdin, proc.stderr):
                if pipe is not None:
                    pipe.close()

    def _spawn(self, program: str, *args: str, **options) -> subprocess.Popen:
        options.setdefault("stderr", subprocess.DEVNULL)
        proc = subprocess.Popen([program, *args], stdout=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent, **options)
        self._procs.append(proc)
        return proc

    def _write(self, line: str) -> None:
        self._fakesmsc.stdin.write(line.encode() + b"\n")
        self._fakesmsc.stdin.flush()

    def _read_fakesmsc(self) -> None:
        for raw in self._fakesmsc.stderr:
            match = GOT.search(raw.decode("utf-8", "replace").rstrip("\n"))
            if match:
                sender, receiver, kind, data = match.groups()
                self.delivered.append(Delivered(sender, receiver, _decode(kind, data),
                                                time.monotonic()))

    @staticmethod
    def _wait(ready, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            assert time.monotonic() < deadline, f"Kannel: {what} did not come up"
            time.sleep(0.05)


def _decode(kind: str, data: str) -> str:
    """fakesmsc's rendering of an SMS: plain text, URL-encoded bytes, or URL-encoded UCS-2."""
    if kind == "text":
        return data
    raw = urllib.parse.unquote_to_bytes(data.replace("+", " "))
    return raw.decode("utf-16-be" if kind == "ucs-2" else "utf-8", "replace")
