"""A local Twilio Messages API for benchmarks: answers 201 at once and logs, per message, the
moment it arrived and the tip reference in its body (`python -m bench.fake_provider PORT FILE`)."""

import json
import os
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

REFERENCE = re.compile(r"\b(\d{6})\b")


def arrivals(log_path: str) -> Iterator[dict]:
    """The messages logged so far. A line the server is still writing has no newline yet and
    is left for the next read."""
    with open(log_path) as log:
        for line in log:
            if line.endswith("\n"):
                yield json.loads(line)


def serve(port: int, log_path: str) -> None:
    """Serve until killed; one JSON line per request in log_path, each written whole (one
    write(2) under a lock, so lines from concurrent requests never interleave)."""
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Headers and body go out in separate writes: without this, Nagle's algorithm
            # and the client's delayed ACK add 40 ms to every answer.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self):  # noqa: N802
            arrived = time.time()
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            found = REFERENCE.search(form.get("Body", ""))
            line = json.dumps({"t": arrived, "ref": found.group(1) if found else None,
                               "to": form.get("To", "")[-4:], "body": form.get("Body", "")})
            with lock:
                os.write(log, (line + "\n").encode())
            sid = "SM" + uuid.uuid4().hex
            body = json.dumps({"sid": sid, "status": "queued"}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            """Quiet: no line per request."""

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
