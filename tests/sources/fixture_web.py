"""A local "government web" for the source-watching tests: sites on distinct loopback hosts 127.0.0.2….

    with FixtureWeb() as web:
        site = web.site(template=TRS, notices=make_notices(25, dt.date(2025, 3, 1)))
        site.url("/tzgg/index.html")          # http://127.0.0.2:PORT/tzgg/index.html
        site.robots = "User-agent: *\\nDisallow: /private/\\n"
        site.fail_next(2, 429, {"Retry-After": "1"}); site.fail_path("/x", 500)
        site.redirect("/go", "http://169.254.169.254/latest/meta-data/")
        site.put("/big.pdf", b"%PDF-" + b"0" * 10_000, "application/pdf")
        site.latency = 0.05                    # keep requests in flight (max_in_flight is measured)
        site.add_notice(...); site.edit_notice(id, body=...); site.switch_template(OTHER)
        web.allow_hosts()                     # ["127.0.0.2", …]: the explicit allow-list for Settings
        site.publish_call("/tzgg/index.html", "/tzgg/202503/t20250301_1.html", title, day, body,
                          [("/tzgg/202503/P1.doc", "申报指南.doc", make_attachment("doc", text))])

Every page carries an ETag and a Last-Modified (when its content was first served) and answers 304
to a matching If-None-Match, or, without one, to an If-Modified-Since not older than that.
``site.hits`` lists the paths requested, in order.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hashlib
import html
import io
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fixture_templates import TRS, Notice, Rendered, Template, make_docx

__all__ = [
    "FixtureWeb",
    "Site",
    "Notice",
    "make_notices",
    "ATTACHMENT_FORMATS",
    "ConverterMissing",
    "make_attachment",
]


def make_notices(count: int, newest: dt.date, *, step_days: int = 3, first_id: int = 1000) -> list[Notice]:
    """``count`` invented notices, newest first, ``step_days`` apart."""
    return [
        Notice(
            id=first_id + count - i,
            title=f"关于组织申报{(newest - dt.timedelta(days=i * step_days)).year}年度第{count - i}批青松科创项目的通知",
            published=newest - dt.timedelta(days=i * step_days),
            body=f"各有关单位：现组织第{count - i}批青松科创项目申报，请于截止日期前通过系统提交材料。",
        )
        for i in range(count)
    ]


@dataclass
class Site:
    """One host of the fixture web; everything it serves is computed per request from its state."""

    host: str
    template: Template = TRS
    notices: list[Notice] = field(default_factory=list)
    port: int = 0
    robots: str | None = None
    #: seconds each request waits before answering
    latency: float = 0.0
    hits: list[str] = field(default_factory=list)
    #: the User-Agent of each request, in order
    agents: list[str] = field(default_factory=list)
    max_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _script: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    _extra: dict[str, Rendered] = field(default_factory=dict)
    _redirects: dict[str, str] = field(default_factory=dict)
    _first_served: dict[str, float] = field(default_factory=dict)
    _failing: dict[str, int] = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def list_url(self) -> str:
        return self.url(self.template.list_path(0))

    def put(
        self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self._extra[path] = Rendered(
            body, content_type, tuple((k.replace("_", "-"), v) for k, v in headers.items())
        )

    def redirect(self, path: str, location: str) -> None:
        self._redirects[path] = location

    def fail_next(self, n: int, status: int, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self._script.extend([(status, headers or {})] * n)

    def fail_path(self, path: str, status: int) -> None:
        """Answer every request of ``path`` with ``status``."""
        self._failing[path] = status

    def heal_path(self, path: str) -> None:
        """Serve ``path`` normally again after :meth:`fail_path`."""
        self._failing.pop(path, None)

    def add_notice(self, notice: Notice) -> None:
        self.notices.insert(0, notice)

    def edit_notice(self, notice_id: int, **changes: Any) -> None:
        self.notices = [n if n.id != notice_id else n.replace(**changes) for n in self.notices]

    def switch_template(self, template: Template) -> None:
        self.template = template

    def publish_call(
        self,
        list_path: str,
        detail_path: str,
        title: str,
        day: dt.date,
        body: str,
        attachments: list[tuple[str, str, Rendered]],
        *,
        issuer: str = "青松市科学技术局",
    ) -> None:
        """A UTF-8 list page with one dated item and its detail page (meta tags, attachment links).

        ``attachments``: (path, link text, file) each, served at ``path``.
        """
        item = f'<li><a href="{detail_path}">{title}</a><span>{day.isoformat()}</span></li>'
        self.put(
            list_path,
            '<html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
            f'<ul class="list">{item}</ul></body></html>'.encode(),
        )
        links = "".join(f'<a href="{path}">{name}</a>' for path, name, _ in attachments)
        self.put(
            detail_path,
            '<html><head><meta charset="utf-8">'
            f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{day} 09:30">'
            f'<meta name="ContentSource" content="{issuer}"><title>{title}</title></head><body>'
            f'<div class="article"><h2>{title}</h2><div class="TRS_Editor"><p>{body}</p></div>'
            f'<div class="fj">{links}</div></div></body></html>'.encode(),
        )
        for path, _, file in attachments:
            self._extra[path] = file

    def detail_url(self, notice: Notice) -> str:
        return self.url(self.template.detail_path(notice))

    def _page(self, path: str) -> Rendered | None:
        if path == "/robots.txt":
            return Rendered(self.robots.encode(), "text/plain") if self.robots is not None else None
        if path in self._extra:
            return self._extra[path]
        return self.template.render(path, self.notices)

    def _born(self, etag: str) -> float:
        """When this content was first served: its Last-Modified."""
        with self._lock:
            return self._first_served.setdefault(etag, time.time())

    def _enter(self, path: str, agent: str) -> tuple[int, dict[str, str]] | None:
        with self._lock:
            self.hits.append(path)
            self.agents.append(agent)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return self._script.popleft() if self._script else None

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        site = self.server.site
        scripted = site._enter(self.path, self.headers.get("User-Agent", ""))
        try:
            if site.latency:
                time.sleep(site.latency)
            self._answer(site, scripted)
        finally:
            site._leave()

    def _answer(self, site: Site, scripted: tuple[int, dict[str, str]] | None) -> None:
        if scripted is not None:
            self._send(scripted[0], b"busy", "text/plain", scripted[1])
        elif self.path in site._failing:
            self._send(site._failing[self.path], b"failing", "text/plain", {})
        elif self.path in site._redirects:
            self._send(302, b"", "text/plain", {"Location": site._redirects[self.path]})
        elif (page := site._page(self.path)) is None:
            self._send(404, "页面不存在".encode(), "text/plain; charset=utf-8", {})
        else:
            etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
            modified = site._born(etag)
            validators = {"ETag": etag, "Last-Modified": email.utils.formatdate(modified, usegmt=True)}
            validators.update(page.headers)
            since = self.headers.get("If-Modified-Since")
            if self.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in self.headers
                and since
                and email.utils.parsedate_to_datetime(since).timestamp() >= int(modified)
            ):
                self._send(304, b"", None, validators)
            else:
                self._send(200, page.body, page.content_type, validators)

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if status != 304 else 0))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    site: Site

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that timed out and went away is expected here."""


class FixtureWeb:
    """Sites on 127.0.0.2, 127.0.0.3, … each on its own port, served until the block ends."""

    def __init__(self) -> None:
        self.sites: list[Site] = []
        self._servers: list[tuple[_Server, threading.Thread]] = []

    def site(self, **kwargs: Any) -> Site:
        site = Site(host=f"127.0.0.{len(self.sites) + 2}", **kwargs)
        server = _Server((site.host, 0), _Handler)
        server.site = site
        site.port = int(server.server_address[1])
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        self.sites.append(site)
        self._servers.append((server, thread))
        return site

    def allow_hosts(self) -> list[str]:
        """The explicit allow-list admitting exactly these loopback hosts (not 127.0.0.1)."""
        return [site.host for site in self.sites]

    def __enter__(self) -> FixtureWeb:
        return self

    def __exit__(self, *exc: object) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join()


# ── attachments in the formats that need a converter, a table reader, an OFD reader or OCR ────────────

#: format → (file suffix, Content-Type a government site typically sends)
ATTACHMENT_FORMATS: dict[str, tuple[str, str]] = {
    "doc": (".doc", "application/msword"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ofd": (".ofd", "application/ofd"),
    "scanned_pdf": (".pdf", "application/pdf"),
}
#: the CJK font the scanned page is drawn with (Debian's fonts-wqy-microhei)
SCAN_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
_OFD_NS = "http://www.ofdspec.org/2016"


class ConverterMissing(RuntimeError):
    """The tool that makes this fixture file is not installed here (the message says which)."""


def make_attachment(fmt: str, text: str) -> Rendered:
    """An attachment in ``fmt`` (a key of ATTACHMENT_FORMATS) whose content reads ``text`` (one line each).

    Raises:
        ConverterMissing: soffice (DOC) or the CJK font (scanned PDF) is absent.
    """
    makers = {"doc": _make_doc, "xlsx": _make_xlsx, "ofd": _make_ofd, "scanned_pdf": _make_scanned_pdf}
    return Rendered(makers[fmt](text), ATTACHMENT_FORMATS[fmt][1])


@functools.lru_cache(maxsize=32)
def _make_doc(text: str) -> bytes:
    """A Word 97 .doc: a python-docx DOCX converted by LibreOffice (``soffice --headless --convert-to doc``)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ConverterMissing("LibreOffice (soffice) 未安装：无法生成 DOC 附件 / soffice not installed")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "guide.docx"
        source.write_bytes(make_docx(text))
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "doc",
             "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        return (Path(tmp) / "guide.doc").read_bytes()


@functools.lru_cache(maxsize=32)
def _make_xlsx(text: str) -> bytes:
    """A two-column table 事项 | 说明: a line "label：text" becomes a row (label, text), any other line one cell."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "申报要求"
    sheet.append(["事项", "说明"])
    for line in text.splitlines():
        sheet.append(line.split("：", 1) if "：" in line else [line])
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


@functools.lru_cache(maxsize=32)
def _make_ofd(text: str) -> bytes:
    """A minimal GB/T 33190 package: OFD.xml → Doc_0/Document.xml → one page, a TextObject per line."""
    objects = "".join(
        f'<ofd:TextObject ID="{10 + i}" Font="1" Size="5" Boundary="20 {30 + 10 * i} 170 8">'
        f'<ofd:TextCode X="0" Y="5">{html.escape(line)}</ofd:TextCode></ofd:TextObject>'
        for i, line in enumerate(text.splitlines())
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<ofd:OFD xmlns:ofd="{_OFD_NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
            "<ofd:Title>申报通知</ofd:Title></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
            "</ofd:DocBody></ofd:OFD>",
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f'<ofd:Document xmlns:ofd="{_OFD_NS}"><ofd:CommonData><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>'
            '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
            "</ofd:Document>",
        )
        archive.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f'<ofd:Page xmlns:ofd="{_OFD_NS}"><ofd:Content><ofd:Layer ID="2">{objects}</ofd:Layer>'
            "</ofd:Content></ofd:Page>",
        )
    return buf.getvalue()


@functools.lru_cache(maxsize=32)
def _make_scanned_pdf(text: str) -> bytes:
    """A PDF holding only a picture of ``text`` (black on white, as a scanner makes it): no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    if not Path(SCAN_FONT).exists():
        raise ConverterMissing(f"中文字体 {SCAN_FONT} 不存在：无法生成扫描件 / CJK font missing")
    font = ImageFont.truetype(SCAN_FONT, 36)
    lines = text.splitlines()
    page = Image.new("RGB", (1654, 2339), "white")  # A4 at 200 dpi
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((120, 160 + 70 * i), line, fill="black", font=font)
    buf = io.BytesIO()
    page.save(buf, format="PDF", resolution=200.0)
    return buf.getvalue()
