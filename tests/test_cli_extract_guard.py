"""Issue 16, item 12 (gap): ``reminder extract URL`` fetched without the address guard that ingest uses.

The review's repros, given to the command line: loopback, a decimal IP and a redirect to an internal host.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from reminder.cli import app
from reminder.config import get_settings

runner = CliRunner()
PAGE = "<html><body><h1>关于组织申报2026年度某某专项资金的通知</h1><p>请于2026年4月30日前提交材料。</p></body></html>"


class _Internal(BaseHTTPRequestHandler):
    """An internal service: /go redirects to /secret on 127.0.0.1; /secret must never be fetched."""

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


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("REMINDER_WEBHOOK_ALLOW_HOSTS", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "localhost", "0x7f.1"])
def test_extract_refuses_internal_addresses(env: pytest.MonkeyPatch, internal: int, host: str) -> None:
    result = runner.invoke(app, ["extract", "--json", f"http://{host}:{internal}/secret"])
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and ("不允许" in result.output or "无法" in result.output), result.output
    assert _Internal.hits == [], "nothing was fetched from the internal service"


def test_extract_refuses_a_redirect_to_an_internal_host(env: pytest.MonkeyPatch, internal: int) -> None:
    env.setenv("REMINDER_WEBHOOK_ALLOW_HOSTS", '["localhost"]')  # the first hop only
    get_settings.cache_clear()
    result = runner.invoke(app, ["extract", "--json", f"http://localhost:{internal}/go"])
    assert result.exit_code == 1 and "不允许" in result.output, result.output
    assert _Internal.hits == ["/go"], "the redirect's target was never requested"


def test_an_allowed_host_is_still_extracted(env: pytest.MonkeyPatch, internal: int) -> None:
    env.setenv("REMINDER_WEBHOOK_ALLOW_HOSTS", '["localhost"]')
    get_settings.cache_clear()
    result = runner.invoke(app, ["extract", "--json", f"http://localhost:{internal}/secret"])
    assert result.exit_code == 0, result.output
    assert "2026-04-30" in result.output
