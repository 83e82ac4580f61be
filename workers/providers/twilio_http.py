"""The twilio client's transport: one kept-alive HTTP/1.1 connection to the API host.

requests and urllib3 cost ~0.4 ms of CPU per API call (session merging, adapters, pool
bookkeeping, hooks); a worker sends every SMS through here, to one host, one call at a time,
so a plain http.client connection kept open does the same job for a fraction of that.
"""

import base64
import http.client
import logging
import os
import select
import ssl
import threading
from urllib.parse import urlencode, urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response

log = logging.getLogger(__name__)
TransportError = (OSError, http.client.HTTPException)  # refused, reset, timed out, bad answer


class KeptAliveClient(HttpClient):
    """A twilio HttpClient for one API base URL (http or https), reusing its connection.

    A connection the server closed while idle is noticed before the next request and replaced
    (as urllib3 does), so no request is sent into a dead socket; a failure during a request is
    raised, never retried here: the provider's own retry policy decides.
    """

    def __init__(self, base_url: str, timeout: float, ca_bundle: str | None = None):
        super().__init__(logger=log, is_async=False, timeout=timeout)
        base = urlsplit(base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            raise ValueError("the API base URL must be http(s)://host[:port]")
        self.scheme, self.netloc = base.scheme, base.netloc
        self.host = base.hostname
        self.port = base.port or (443 if base.scheme == "https" else 80)
        self.ca_bundle = ca_bundle  # None: the system's trusted roots
        self._context: ssl.SSLContext | None = None
        self._connection: http.client.HTTPConnection | None = None
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def request(self, method, uri, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False) -> Response:
        """Send one request on the kept connection; raises OSError / HTTPException on failure."""
        url = urlsplit(uri)
        if (url.scheme, url.netloc) != (self.scheme, self.netloc):
            raise ValueError("this client talks to its API host only")
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        if params:
            target += ("&" if "?" in target else "?") + urlencode(params, doseq=True)
        body = urlencode(data, doseq=True).encode() if data else None
        sent = {"Host": self.netloc, **(headers or {})}
        if auth:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            sent["Authorization"] = f"Basic {token}"
        if body is not None:
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        with self._lock:
            return self._exchange(method.upper(), target, body, sent, timeout or self.timeout)

    def _exchange(self, method: str, target: str, body: bytes | None, headers: dict,
                  timeout: float | None) -> Response:
        connection = self._open(timeout)
        try:
            connection.request(method, target, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
        except BaseException:
            self.close()  # half a request or answer on the wire: never reuse this socket
            raise
        if answer.will_close:
            self.close()
        return Response(answer.status, text, dict(answer.getheaders()))

    def _open(self, timeout: float | None) -> http.client.HTTPConnection:
        """The kept connection if it is still good, else a new one."""
        if self._pid != os.getpid():  # a forked child must not share its parent's socket
            self._connection, self._pid = None, os.getpid()
        connection = self._connection
        if connection is not None and (connection.sock is None or _dropped(connection.sock)):
            self.close()
            connection = None
        if connection is None:
            if self.scheme == "https":
                connection = http.client.HTTPSConnection(self.host, self.port, timeout=timeout,
                                                         context=self._tls())
            else:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
            self._connection = connection
        elif connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _tls(self) -> ssl.SSLContext:
        """Verifies the API's certificate (against the CA bundle when one is configured)."""
        if self._context is None:
            self._context = ssl.create_default_context(cafile=self.ca_bundle)
        return self._context

    def close(self) -> None:
        """Drop the kept connection (the next request opens a new one)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __del__(self) -> None:
        self.close()  # a provider dropped with its connection open closes it


def _dropped(sock) -> bool:
    """Whether an idle connection was closed (or written to) by the server: it is readable.

    poll where there is one: select() refuses file descriptors above 1023.
    """
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
