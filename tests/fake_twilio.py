"""A local HTTP server that answers like Twilio's Messages API and serves call recordings
(the only thing we fake)."""

import json
import socket
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTwilio:
    """Scripted answers for POST .../Accounts/{sid}/Messages.json and Calls.json; records them."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict | None]] = []
        self.delay = 0.0  # seconds before each answer (a stalled API)
        self.recordings: dict[str, bytes] = {}  # path of a recording's .mp3 -> audio
        self.on_request = None  # called with each POSTed form before it is answered
        self._lock = threading.Lock()
        self._peer = threading.local()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self):
                super().setup()  # no Nagle: headers and body are separate small writes
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake._peer.port = self.client_address[1]  # this connection's thread only
                if fake.on_request:
                    fake.on_request(form)
                status, body = fake._answer(self.path, form, self.headers.get("Authorization"))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # noqa: N802
                fake.requests.append({"path": self.path, "form": {},
                                      "auth": self.headers.get("Authorization")})
                audio = fake.recordings.get(self.path)
                self.send_response(200 if audio is not None else 404)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Content-Length", str(len(audio or b"")))
                self.end_headers()
                self.wfile.write(audio or b"")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, *responses: tuple[int, dict | None]) -> None:
        """Queue the next answers: (status, None) means a normal 201 created message."""
        self.script.extend(responses)

    def _answer(self, path: str, form: dict, auth: str | None) -> tuple[int, dict]:
        with self._lock:
            status, body = self.script.pop(0) if self.script else (201, None)
            # peer: the client's port, one per connection
            self.requests.append({"path": path, "form": form, "auth": auth, "status": status,
                                  "peer": self._peer.port})
        time.sleep(self.delay)
        if path.endswith("/Calls.json"):
            if status == 201 and body is None:
                body = {"sid": "CA" + uuid.uuid4().hex, "status": "queued", "to": form.get("To"),
                        "from": form.get("From"), "direction": "outbound-api"}
            return status, body
        if not path.endswith("/Messages.json"):
            return 404, {"code": 20404, "message": "The requested resource was not found",
                         "status": 404}
        if status == 201 and body is None:
            sid = "SM" + uuid.uuid4().hex
            account = path.split("/")[3]
            body = {"sid": sid, "account_sid": account, "to": form.get("To"),
                    "from": form.get("From"), "body": form.get("Body"), "status": "queued",
                    "num_segments": "1", "direction": "outbound-api",
                    "api_version": "2010-04-01", "price": None, "error_code": None,
                    "uri": f"{path[:-5]}/{sid}.json"}
        return status, body

    def keep_alive(self, idle_timeout: float | None = None) -> None:
        """Answer in HTTP/1.1 and keep connections open as Twilio does (by default each answer
        closes its connection); an idle connection is closed after `idle_timeout` seconds."""
        self.server.RequestHandlerClass.protocol_version = "HTTP/1.1"
        self.server.RequestHandlerClass.timeout = idle_timeout

    def serve_tls(self, certfile: str, keyfile: str) -> None:
        """Serve HTTPS with this certificate (call before start())."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = self.url.replace("http://", "https://")

    def start(self) -> None:
        """Serve in a background thread."""
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def stop(self) -> None:
        """Shut the server down."""
        self.server.shutdown()
        self.server.server_close()


def twilio_error(status: int, code: int, message: str) -> tuple[int, dict]:
    """An error answer in Twilio's JSON shape."""
    return status, {"code": code, "message": message, "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}"}
