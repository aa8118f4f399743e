"""Issue 16, item 12: operator URL ingest goes through the webhook address guard, on every hop.

The review's repros: loopback, a decimal IP and a redirect to an internal host were all fetched, and
what came back could be published on the public API.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import Session, select

from reminder.config import get_settings
from reminder.db import NoticeRow
from reminder.ingest import ingest_paths

PAGE = "<html><body><h1>关于组织申报2025年度某某项目的通知</h1><p>请于2025年3月31日前提交申报材料。</p></body></html>"


class _Internal(BaseHTTPRequestHandler):
    """An internal service: /go redirects to /secret on 127.0.0.1; /secret is what must never be fetched."""

    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/go":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/secret")  # type: ignore[attr-defined]
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def internal() -> Iterator[int]:
    _Internal.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Internal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "localhost", "0x7f.1", "[::ffff:127.0.0.1]"])
def test_internal_addresses_are_refused(session: Session, internal: int, host: str) -> None:
    summary = ingest_paths([f"http://{host}:{internal}/secret"], session=session)
    assert summary.documents == 0 and len(summary.failures) == 1
    assert "不允许" in summary.failures[0][1] or "无法" in summary.failures[0][1], summary.failures
    assert _Internal.hits == [], "nothing was fetched from the internal service"
    assert session.exec(select(NoticeRow)).all() == []


def test_a_redirect_to_an_internal_host_is_refused(session: Session, internal: int) -> None:
    allowed = get_settings().model_copy(update={"webhook_allow_hosts": ["localhost"]})  # the first hop only
    summary = ingest_paths([f"http://localhost:{internal}/go"], session=session, settings=allowed)
    assert summary.documents == 0 and "不允许" in summary.failures[0][1], summary.failures
    assert _Internal.hits == ["/go"], "the redirect's target was never requested"
