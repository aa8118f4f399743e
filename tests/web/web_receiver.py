"""A real HTTP receiver on 127.0.0.1 for the settings page's "send a test message" button.

It answers every POST with the reply queued for it (default: 企业微信's ``{"errcode": 0}``) and
records what it got, so a test can check both what was sent and what the page reports.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebReceiver:
    """``with WebReceiver() as rx: rx.url("/cgi-bin/webhook/send?key=abc12345")``."""

    #: (status, JSON body) answered next; the last one repeats
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=lambda: [(200, {"errcode": 0, "errmsg": "ok"})])
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> WebReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.received.append(Received(self.path, dict(self.headers), body))
                status, answer = receiver.replies[0] if len(receiver.replies) == 1 else receiver.replies.pop(0)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"
