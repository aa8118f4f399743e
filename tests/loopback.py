"""A plain HTTP receiver on 127.0.0.1 for the dispatcher and web tests: records every request, fails on demand.

    with Loopback() as rx:
        url = rx.url("/hooks/a")
        rx.fail_next(2, 500)         # the next two requests get HTTP 500, then 200 again
        rx.fail_always(503)          # every request gets 503 until rx.heal()
        rx.fail_always(200, {"errcode": 93000, "errmsg": "invalid webhook url"})  # a refusing robot
        ...
        rx.ids()                     # webhook-ids in arrival order (repeats included)
        rx.received[0].json()        # what was sent

A normal answer is 200 with 企业微信's ``{"errcode": 0, "errmsg": "ok"}``, which every channel accepts.
It checks nothing about the body (``notify/receiver.py`` plays the real platforms); it answers fast,
from a thread per request, so the sender's own behaviour is what the tests see.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Loopback", "Received"]

#: the body of a normal answer
OK: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
#: the body of a scripted failure unless one is given
FAILED: dict[str, Any] = {"error": "scripted"}

_Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    webhook_id: str | None
    headers: dict[str, str]
    body: bytes
    #: the status answered
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    #: headers and body go out in two writes: without TCP_NODELAY the body waits for a delayed ACK (40 ms)
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        rx = self.server.loopback
        if rx.delay:
            time.sleep(rx.delay)
        status, answer, extra = rx._answer()
        rx._record(Received(self.path, self.headers.get("webhook-id"), dict(self.headers), body, status))
        reply = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    loopback: Loopback

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (a killed dispatcher) is expected here: no traceback on stderr."""


class Loopback:
    """The receiver; a context manager that serves in a background thread.

    Args:
        delay: seconds to wait before answering each request (to keep requests in flight).
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._script: deque[_Answer] = deque()
        self._always: _Answer | None = None
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.loopback = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback", daemon=True)

    def __enter__(self) -> Loopback:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/hooks/a") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def fail_next(
        self, n: int, status: int = 500, body: dict[str, Any] | None = None, **headers: str
    ) -> None:
        """Answer the next ``n`` requests with ``status`` (and headers, e.g. Retry_After="120")."""
        answer = (
            status,
            FAILED if body is None else body,
            {k.replace("_", "-"): v for k, v in headers.items()},
        )
        with self._lock:
            self._script.extend([answer] * n)

    def fail_always(self, status: int = 503, body: dict[str, Any] | None = None) -> None:
        """Answer every request with ``status`` and ``body`` until :meth:`heal`."""
        with self._lock:
            self._always = (status, FAILED if body is None else body, {})

    def heal(self) -> None:
        with self._lock:
            self._always = None
            self._script.clear()

    def _answer(self) -> _Answer:
        with self._lock:
            if self._script:
                return self._script.popleft()
            return self._always or (200, OK, {})

    def _record(self, received: Received) -> None:
        with self._lock:
            self._received.append(received)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def ids(self) -> list[str | None]:
        """Every request's webhook-id, in arrival order, repeats included."""
        return [r.webhook_id for r in self.received]

    def counts(self) -> Counter[str | None]:
        return Counter(self.ids())
