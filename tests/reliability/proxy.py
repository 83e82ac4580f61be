"""A TCP proxy between tinbao and PostgreSQL that a test controls: pass traffic, refuse new
connections, drop the open ones, or stall (accept and never answer). The server itself is
never touched: other engineers share it."""

import contextlib
import socket
import threading


class Proxy:
    """Listens on a loopback port and forwards to `target` while mode is 'pass'."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.mode = "pass"
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.refused = 0
        self._lock = threading.Lock()
        self._open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def set(self, mode: str) -> None:
        """'pass', 'refuse' (new connections are reset), 'drop' (also close the open ones),
        or 'stall' (the open ones are closed, new ones accepted and left unanswered)."""
        self.mode = "refuse" if mode == "drop" else mode
        if mode in ("drop", "stall"):
            with self._lock:
                for conn in self.connections:
                    _close(conn)
                self.connections.clear()

    def close(self) -> None:
        """Stop listening and close everything."""
        self._open = False
        self.set("drop")
        _close(self.listener)

    def _accept(self) -> None:
        while self._open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.mode == "refuse":
                self.refused += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00"
                                  b"\x00\x00\x00\x00")  # RST, as a dead server's host would
                _close(client)
                continue
            with self._lock:
                self.connections.append(client)
            if self.mode == "stall":
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self.connections.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        with contextlib.suppress(OSError):  # either side closed: the other is closed below
            while data := source.recv(65536):
                sink.sendall(data)
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading it
    with contextlib.suppress(OSError):
        sock.close()
