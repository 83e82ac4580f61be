"""A local HTTP server answering like Kannel's /cgi-bin/sendsms (for provider error paths).

The end-to-end tests use a real Kannel; this stands in where a test needs answers a healthy
Kannel does not give on demand (a 503, a dropped connection) or must inspect each request.
"""

import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCEPTED = (202, "0: Accepted for delivery")


class FakeKannel:
    """Scripted answers for GET /cgi-bin/sendsms; records every request's parameters."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.script: list[tuple[int, str]] = []
        self.on_send: Callable[[dict[str, str]], None] | None = None  # runs before answering
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                status, text = fake._answer(self.path)
                payload = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                """Quiet: no line per request."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/sendsms"

    def answer(self, *responses: tuple[int, str]) -> None:
        """Queue the next answers; when none is queued the message is accepted."""
        self.script.extend(responses)

    def _answer(self, path: str) -> tuple[int, str]:
        parts = urllib.parse.urlsplit(path)
        params = dict(urllib.parse.parse_qsl(parts.query))
        if self.on_send:
            self.on_send(params)
        with self._lock:
            self.requests.append(params)
            if parts.path != "/cgi-bin/sendsms":
                return 404, "Unknown service"
            return self.script.pop(0) if self.script else ACCEPTED

    def start(self) -> None:
        """Serve in a background thread."""
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def stop(self) -> None:
        """Shut the server down."""
        self.server.shutdown()
        self.server.server_close()


def fill_dlr_url(dlr_url: str, status: str, answer: str = "") -> str:
    """The URL Kannel calls for a delivery report: its %d and %A escapes filled in."""
    return dlr_url.replace("%d", status).replace("%A", urllib.parse.quote_plus(answer))
