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
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from admin_fixtures import ADMIN_TOKEN, APPLICATION_QUOTE, NOTICE, TITLE
from queued_sends import wait_for_result
from sqlalchemy.engine import Engine

import reminder
from reminder.config import Settings
from reminder.db.engine import make_engine, session_scope
from reminder.db.migrate import upgrade
from reminder.ingest import ingest_paths
from reminder.model import TZ
from reminder.web import create_app

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (dev extra)"
)

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
    assert "2025年4月15日 周二 17:00" in corrected.locator(".current").inner_text()
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
    result = page.locator("#test-result")  # queued at once; the page reloads itself (no script)
    assert "结果稍后显示" in result.inner_text() or "已送达" in result.inner_text()
    page.locator("#test-result.ok").wait_for(timeout=20_000)
    assert result.locator(".status-code").inner_text() == "202"
    assert "已送达" in result.inner_text() and "测试接收端" in result.locator(".channel-name").inner_text()
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


# ── issue 12: links from messages, /docs offline, phones, accessibility ───────────────────


def _register(service: Service, name: str) -> tuple[int, str]:
    """A company stored directly (the registration page has its own test and rate limits): (id, token)."""
    from reminder.companies.profiles import register_company
    from reminder.web.company.pages import issue_token
    from reminder.workflow import company_changed

    with session_scope(service.engine) as session:
        data = {"name": name, "region": "浙江省杭州市西湖区", "headcount": 80, "legal_person": "是"}
        company = register_company(session=session, data=data, now=NOW)
        token = issue_token(session, company)
        company_changed(session=session, company_id=company.id or 0, now=NOW, settings=service.settings)
        return company.id or 0, token


def test_a_reminder_link_opens_in_a_fresh_browser_and_shows_the_verdicts(
    page: Any, chromium: Any, service: Service, receiver: Receiver, tmp_path: Path
) -> None:
    import httpx

    company_id, token = _register(service, "杭州链接测试科技有限公司")
    auth = {"Authorization": f"Bearer {token}"}
    added = httpx.post(
        f"{service.url}/api/companies/{company_id}/channels",
        json={"kind": "webhook", "target": f"http://127.0.0.1:{receiver.port}/view", "name": "接收端"},
        headers=auth,
        timeout=30,
    )
    assert added.status_code == 201, added.text
    before = len(receiver.received)
    tested = httpx.post(
        f"{service.url}/api/companies/{company_id}/channels/{added.json()['id']}/test",
        headers=auth,
        timeout=30,
    )
    assert tested.status_code == 202, tested.text  # queued; the lane sends it at once
    with httpx.Client(base_url=service.url, timeout=30) as http:
        assert wait_for_result(http, tested.headers["location"], auth)["status"] == "sent"
    assert len(receiver.received) == before + 1, tested.text
    body = receiver.received[-1]["body"].decode().replace("\\/", "/")
    assert token not in body
    link = re.search(r"http://127\.0\.0\.1:\d+/v/\d+\?token=[0-9a-f]+", body)
    assert link, body

    phone = chromium.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})  # no cookie
    try:
        viewer = phone.new_page()
        viewer.goto(link.group(0))
        assert "只读查看页" in viewer.inner_text("main")
        assert viewer.locator("section.verdict h2").count() == 3
        assert viewer.locator("form").count() == 0
        viewer.screenshot(path=str(tmp_path / "view-link-375.png"), full_page=True)
    finally:
        phone.close()


def test_api_docs_render_their_operations_offline(page: Any, service: Service, tmp_path: Path) -> None:
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(service.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{service.url}/docs")
    playwright_api.expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/companies" in p for p in paths), paths
    assert outside == []
    page.screenshot(path=str(tmp_path / "docs.png"))


def _enterprise_pages(service: Service, company_id: int, token: str, view: str) -> dict[str, str]:
    base = service.url
    return {
        "home": f"{base}/",
        "register": f"{base}/register",
        "company": f"{base}/c/{company_id}",
        "profile": f"{base}/c/{company_id}/profile",
        "notifications": f"{base}/c/{company_id}/notifications",
        "view": view,
        "denied": f"{base}/c/{company_id}?token=wrong",
    }


def _view_link(page: Any) -> str:
    return str(page.input_value("#view-link input"))


@pytest.mark.parametrize("width", [375, 1280])
def test_enterprise_pages_fit_the_screen_and_have_large_tap_targets(
    chromium: Any, service: Service, tmp_path: Path, width: int
) -> None:
    company_id, token = _register(service, f"杭州屏幕{width}测试科技有限公司")
    context = chromium.new_context(locale="en-US", viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{service.url}/c/{company_id}?token={token}")
        view = _view_link(page)
        problems: dict[str, Any] = {}
        for name, url in _enterprise_pages(service, company_id, token, view).items():
            page.goto(url)
            page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems[f"{name}: horizontal scroll"] = overflow
            if width == 375:
                small = page.evaluate(_SMALL_TARGETS)
                if small:
                    problems[f"{name}: tap targets < 44px"] = small
        assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
    finally:
        context.close()


#: visible links, buttons and inputs whose box is under 44 px high (links inside running text excepted)
_SMALL_TARGETS = """
() => Array.from(document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea, summary'))
  .filter(el => el.offsetParent !== null)
  .filter(el => !(el.tagName === 'A' && el.closest('p, li, td, blockquote') && !el.classList.contains('button')))
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.height < 44 || (r.width < 44 && el.tagName !== 'INPUT'))
  .map(([el, r]) => `${el.tagName.toLowerCase()} ${(el.innerText || el.name || '').slice(0, 20)} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


def test_enterprise_pages_have_no_serious_accessibility_violations(chromium: Any, service: Service) -> None:
    from axe_playwright_python.base import AXE_SCRIPT

    company_id, token = _register(service, "杭州无障碍测试科技有限公司")
    context = chromium.new_context(locale="zh-CN", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{service.url}/c/{company_id}?token={token}")
        view = _view_link(page)
        found: dict[str, list[str]] = {}
        for name, url in _enterprise_pages(service, company_id, token, view).items():
            page.goto(url)
            page.evaluate(AXE_SCRIPT)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [
                f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
                for v in result["violations"]
                if v["impact"] in {"serious", "critical"}
            ]
            if serious:
                found[name] = serious
        assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())
    finally:
        context.close()


def _codes() -> set[str]:
    """Every ASCII code a page must not show: field names, operators, deadline kinds, verdicts, booleans."""
    from reminder.fields import condition_fields, ops
    from reminder.model import DEADLINE_KINDS

    return {*condition_fields(), *ops(), *DEADLINE_KINDS, "eligible", "possibly_eligible", "not_eligible",
            "True", "False", "None", "null", "REMINDER_"}  # fmt: skip


def _visible_codes(text: str, codes: set[str]) -> set[str]:
    words = set(re.findall(r"[A-Za-z_]+|[<>=!]=?|==", text))
    return {c for c in codes if c in words or (c.endswith("_") and c in text)}


def test_no_ascii_code_is_visible_on_enterprise_or_operator_pages(
    page: Any, service: Service, tmp_path: Path
) -> None:
    codes = _codes()
    company_id, token = _register(service, "杭州代码扫描测试科技有限公司")
    page.goto(f"{service.url}/c/{company_id}?token={token}")
    urls = list(_enterprise_pages(service, company_id, token, _view_link(page)).values())
    found: dict[str, set[str]] = {}
    for url in urls:
        page.goto(url)
        for details in page.locator("details").all():
            details.evaluate("d => d.open = true")
        text = page.inner_text("body")
        shown = _visible_codes(text, codes)
        for hint in page.locator(
            ".field .hint"
        ).all_inner_texts():  # input hints show the typed form (如 2018-05-20)
            text = text.replace(hint, "")
        shown |= set(re.findall(r"\b20\d\d-\d\d-\d\d\b", text))  # every shown date in Chinese form
        if shown:
            found[url] = shown

    # the operator's pages, authenticated by header (the login flow has its own test)
    page.set_extra_http_headers({"Authorization": f"Bearer {ADMIN_TOKEN}"})
    admin = [f"{service.url}/admin", f"{service.url}/admin/notices", f"{service.url}/admin/ingest"]
    page.goto(f"{service.url}/admin/notices")
    admin += [str(h) for h in page.locator("table.notices a").evaluate_all("els => els.map(e => e.href)")]
    assert len(admin) > 3, admin
    for url in admin:
        page.goto(url)
        assert "/admin/login" not in page.url, url
        text = page.inner_text("body")
        assert (
            str(SAMPLES) not in text and str(service.settings.data_dir) not in text
        )  # file names, not paths
        shown = _visible_codes(text, codes)
        if shown:
            found[url] = shown
    assert not found, "\n".join(f"{k}: {sorted(v)}" for k, v in found.items())
