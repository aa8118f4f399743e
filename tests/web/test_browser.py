"""Browser tests: Debian's chromium, driven by Playwright, against the real server.

The server is uvicorn in a thread on a free 127.0.0.1 port, on a temporary SQLite database holding the
bundled sample notices, its clock at 2025-03-01 09:00 (when the 2025 sample calls are
open). A local HTTP receiver stands in for a company's webhook. Screenshots of every step are saved
under each test's tmp_path. Skips, saying why, where no chromium is installed (``make test`` installs
it with apt-get; Playwright never downloads a browser).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from admin_fixtures import ADMIN_TOKEN, APPLICATION_QUOTE, NOTICE, TITLE
from sqlalchemy.engine import Engine

import reminder
from reminder.config import Settings
from reminder.db.engine import make_engine, session_scope
from reminder.db.migrate import upgrade
from reminder.ingest import ingest_paths
from reminder.model import TZ
from reminder.web import create_app

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (dev extra)")

CHROMIUM = Path("/usr/bin/chromium")
SAMPLES = Path(reminder.__file__).parent / "samples" / "notices"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: the sample 2025 calls are open then
NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Debian's chromium is not installed at {CHROMIUM} (`make test` installs it with apt-get when it can)",
)



@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 answering 202 with a JSON body, recording every POST."""

    received: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            reply = json.dumps({"accepted": True}).encode()
            self.send_response(202)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.port = int(server.server_address[1])
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@dataclass(frozen=True)
class Service:
    url: str
    engine: Engine
    settings: Settings


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The real server (uvicorn in a thread) with the bundled sample notices loaded."""
    import uvicorn

    data = tmp_path_factory.mktemp("browser-service")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    settings = Settings(
        admin_token=ADMIN_TOKEN,
        data_dir=data,
        base_url=f"http://127.0.0.1:{port}",
        webhook_allow_hosts=["127.0.0.1"],
        webhook_allow_http=True,
        webhook_timeout=5.0,
    )
    engine = make_engine(f"sqlite:///{data / 'reminder.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        loaded = ingest_paths([SAMPLES], session=session, settings=settings, now=NOW)
    assert loaded.notices > 0, loaded
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "uvicorn did not start"
    yield Service(f"http://127.0.0.1:{port}", engine, settings)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    engine.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, tmp_path: Path) -> Iterator[Any]:
    context = chromium.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


class Shots:
    """Numbered full-page screenshots under the test's tmp_path."""

    def __init__(self, page: Any, directory: Path) -> None:
        self.page, self.directory, self.n = page, directory / "screenshots", 0
        self.directory.mkdir()

    def __call__(self, name: str) -> Path:
        self.n += 1
        path = self.directory / f"{self.n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        return path


# ── the operator ───────────────────────────────────────────────────────────────────────────


def test_operator_uploads_corrects_and_publishes(page: Any, service: Service, tmp_path: Path) -> None:
    shot = Shots(page, tmp_path)
    page.goto(f"{service.url}/admin")
    assert "/admin/login" in page.url
    page.fill("#token", ADMIN_TOKEN)
    page.fill("#operator", "浏览器测试员")
    shot("login")
    page.click("form.admin-login button[type=submit]")
    page.wait_for_url(f"{service.url}/admin")
    assert page.inner_text("h1") == "运营看板"
    shot("dashboard")

    notice = tmp_path / "jishu-zhongxin.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    page.click("text=导入通知")
    page.set_input_files("#files", str(notice))
    page.click("form.ingest button[type=submit]")
    summary = page.locator("#summary")
    assert "新文档 1 个" in summary.inner_text()
    shot("ingested")
    page.click(f"#summary a:has-text('{TITLE}')")

    playwright_api.expect(page.locator("#status")).to_have_text("草稿", timeout=30_000)
    assert page.locator("mark.deadline").all_inner_texts() == ["2025年4月10日17:00", "2025年4月20日"]
    assert "职工总数不超过500人" in page.locator("mark.condition").all_inner_texts()
    shot("review")

    row = page.locator("table.deadlines tr", has_text=APPLICATION_QUOTE)
    row.locator("input[name=date]").fill("2025-04-15")
    row.locator("input[name=note]").fill("以申报系统为准")
    with page.expect_navigation():
        row.locator("button:has-text('更正')").click()
    assert "已保存更正" in page.inner_text("main")
    corrected = page.locator("table.deadlines tr", has_text=APPLICATION_QUOTE)
    assert "2025-04-15 17:00" in corrected.locator(".current").inner_text()
    history = page.locator("table.history").inner_text()
    assert "浏览器测试员" in history and "以申报系统为准" in history
    shot("corrected")

    with page.expect_navigation():
        page.click("#publish")
    playwright_api.expect(page.locator("#status")).to_have_text("已发布", timeout=30_000)
    shot("published")
    page.goto(f"{service.url}/admin/notices?status=published")
    assert TITLE in page.inner_text("table.notices")
    shot("published-list")


# ── the enterprise ─────────────────────────────────────────────────────────────────────────


def test_enterprise_registers_sets_a_webhook_tests_it_and_downloads_its_calendar(
    page: Any, service: Service, receiver: Receiver, tmp_path: Path
) -> None:
    shot = Shots(page, tmp_path)
    page.goto(f"{service.url}/register")
    page.fill("#name", "杭州浏览器测试科技有限公司")
    page.fill("#region", "浙江省杭州市西湖区")
    page.fill("#headcount", "-5")
    page.click("form.profile button[type=submit]")
    assert page.locator("#field-headcount .error").is_visible()  # inline error, in Chinese
    shot("register-error")
    page.fill("#headcount", "120")
    page.click("form.profile button[type=submit]")
    link = page.input_value("#management-link")
    assert link.startswith(f"{service.url}/c/") and "token=" in link
    shot("management-link")

    page.goto(link)
    company_page = page.url
    assert "token=" not in company_page  # the token went into a cookie
    titles = page.locator("section.verdict h3").all_inner_texts()
    assert titles, page.inner_text("main")
    shot("matches")

    page.click("text=提醒设置")
    page.select_option("#kind", "webhook")
    page.fill("#channel-name", "测试接收端")
    page.fill("#target", f"http://127.0.0.1:{receiver.port}/hook")
    page.click("#add-channel button[type=submit]")
    channel = page.locator("table.channels tr", has_text="测试接收端")
    assert channel.count() == 1
    shot("channel-added")
    before = len(receiver.received)
    channel.locator("button:has-text('发送测试消息')").click()
    result = page.locator("#test-result")
    assert result.locator(".status-code").inner_text() == "202"
    assert "已送达" in result.inner_text()
    assert len(receiver.received) == before + 1 and receiver.received[-1]["path"] == "/hook"
    shot("test-message")

    page.goto(company_page)
    with page.expect_download() as download_info:
        page.click("text=订阅日历（iCal）")
    download = download_info.value
    saved = tmp_path / "calendar.ics"
    download.save_as(str(saved))
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR") and "END:VCALENDAR" in text
    shot("after-download")
