"""Ingest with the real loaders and extractor, into every backend; URLs from a loopback HTTP server."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import docx
import pytest
from sqlmodel import Session, func, select

from reminder.config import Settings, get_settings
from reminder.db import DocumentRow, NoticeChange, NoticeRow, list_changes, list_open_notices
from reminder.extract import extract
from reminder.ingest import ingest_paths
from reminder.model import TZ

SAMPLES = Path(__file__).resolve().parents[2] / "reminder" / "samples" / "notices"
PAGES = Path(__file__).resolve().parent / "pages"
COMPILATION = SAMPLES / "003_ea2ee469bcb46e87.txt"
NEWS = SAMPLES / "000_29efa1d661e0c9cf.txt"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)

#: path → (status, content type, body)
ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/art/2025/3/10/notice.html": (200, "text/html; charset=utf-8", (PAGES / "notice.html").read_bytes()),
    "/art/2025/3/12/news.html": (200, "text/html; charset=utf-8", (PAGES / "news.html").read_bytes()),
    "/images/logo.png": (200, "image/png", PNG),
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        status, ctype, body = ROUTES.get(
            self.path, (404, "text/html; charset=utf-8", "<h1>404 页面不存在</h1>".encode())
        )
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _local_site() -> Settings:
    """The test site is on loopback, which URL ingest refuses unless the operator allows it (issue 16)."""
    return get_settings().model_copy(update={"webhook_allow_hosts": ["127.0.0.1"]})


def _count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def _write_docx(path: Path, html: str, *, title: str) -> None:
    """A Word file holding the paragraphs of an HTML notice page, about ``title`` instead."""
    document = docx.Document()
    for paragraph in re.findall(r"<(?:h1|p)[^>]*>(.*?)</(?:h1|p)>", html):
        document.add_paragraph(paragraph.replace("市级企业技术中心", title))
    document.save(str(path))


def _expected(*paths: Path) -> tuple[int, int]:
    """(notices, deadlines) the extractor finds in these files: what ingest must store."""
    docs = [extract(p) for p in paths]
    return sum(len(d.notices) for d in docs), sum(len(n.deadlines) for d in docs for n in d.notices)


def test_same_file_twice_second_is_a_no_op(session, tmp_path) -> None:
    path = shutil.copy(COMPILATION, tmp_path / "compilation.txt")
    first = ingest_paths([path], session=session)
    assert (first.documents, first.duplicates, first.failures) == (1, 0, ())
    assert (first.notices, first.deadlines) == _expected(COMPILATION)
    rows = _count(session, NoticeRow)

    again = ingest_paths([path], session=session)
    assert (again.documents, again.notices, again.duplicates, again.failures) == (0, 0, 1, ())
    assert (_count(session, DocumentRow), _count(session, NoticeRow)) == (1, rows)


def test_modified_version_updates_the_notice_and_records_the_change(session, tmp_path) -> None:
    path = tmp_path / "compilation.txt"
    text = COMPILATION.read_text(encoding="utf-8")
    assert text.count("9 月 15 日") == 2, "the sample states the 2023-09-15 cutoff twice"
    path.write_text(text, encoding="utf-8")
    ingest_paths([path], session=session)
    notices = _count(session, NoticeRow)

    path.write_text(text.replace("9 月 15 日", "9 月 30 日"), encoding="utf-8")
    summary = ingest_paths([path], session=session)

    assert (summary.documents, summary.changes, summary.failures) == (1, 1, ())
    assert _count(session, NoticeRow) == notices, "the new version updates notices, it adds none"
    [change] = list_changes(session=session)
    assert (change.what, change.old["date"], change.new["date"]) == (
        "deadline_changed",
        "2023-09-15",
        "2023-09-30",
    )
    notice = session.get(NoticeRow, change.notice_id)
    assert "科技型中小企业评价" in notice.title
    assert notice.document_id == summary.results[0][1].document_id


def test_directory_is_walked_and_summarised(session, tmp_path) -> None:
    folder = tmp_path / "downloads"
    (folder / "省级" / "html").mkdir(parents=True)
    (folder / ".cache").mkdir()
    for sample in SAMPLES.glob("*.txt"):
        shutil.copy(sample, folder / sample.name)
    shutil.copy(PAGES / "notice.html", folder / "省级" / "html" / "notice.HTM")
    shutil.copy(COMPILATION, folder / ".cache" / "copy.txt")
    _write_docx(
        folder / "省级" / "通知.docx",
        (PAGES / "notice.html").read_text(encoding="utf-8"),
        title="省级企业技术中心",
    )
    (folder / "logo.png").write_bytes(PNG)
    (folder / "~$草稿.docx").write_bytes(b"lock")
    seen: list[tuple[int, int, str]] = []

    summary = ingest_paths([folder], session=session, progress=lambda *a: seen.append(a))

    notice_files = [f for f in sorted(SAMPLES.glob("*.txt")) if not f.name.startswith(("000", "001", "004"))]
    assert summary.documents == 4
    assert (summary.notices, summary.deadlines) == _expected(
        *notice_files, PAGES / "notice.html", folder / "省级" / "通知.docx"
    )
    assert summary.failures == (), "news and policy texts are skipped, not failures"
    assert sorted(Path(s).name for s, _ in summary.skipped) == [
        "000_29efa1d661e0c9cf.txt",
        "001_7904c6894067e886.txt",
        "004_c8166205ebf78c1f.txt",
    ]
    assert all(
        "not a notice" in reason or "not an application notice" in reason for _, reason in summary.skipped
    )
    assert [(done, total) for done, total, _ in seen] == [(i, 7) for i in range(1, 8)]


def test_urls_are_fetched_and_failures_explained(session, site) -> None:
    urls = {
        "notice": f"{site}/art/2025/3/10/notice.html",
        "missing": f"{site}/art/2025/3/11/gone.html",
        "image": f"{site}/images/logo.png",
        "news": f"{site}/art/2025/3/12/news.html",
    }
    summary = ingest_paths(urls.values(), session=session, settings=_local_site())

    assert (summary.documents, summary.notices, summary.deadlines) == (1, 1, 2)
    reasons = dict(summary.failures)
    assert set(reasons) == {urls["missing"], urls["image"], urls["news"]}
    assert "HTTP 404" in reasons[urls["missing"]]
    assert "image is damaged" in reasons[urls["image"]]  # images are OCR'd (issue 17); this one is cut short
    assert "not an application notice" in reasons[urls["news"]]
    [notice] = session.exec(select(NoticeRow)).all()
    assert notice.title == "关于组织申报2025年度市级企业技术中心的通知"
    assert session.get(DocumentRow, notice.document_id).source == urls["notice"]


def test_drafts_wait_for_an_operator(session, site) -> None:
    ingest_paths(
        [f"{site}/art/2025/3/10/notice.html"], session=session, status="draft", settings=_local_site()
    )
    [notice] = session.exec(select(NoticeRow)).all()
    before_cutoff = dt.datetime(2025, 3, 15, 9, 0, tzinfo=TZ)
    assert notice.status == "draft"
    assert list_open_notices(session=session, now=before_cutoff) == []
    assert [n.id for n in list_open_notices(session=session, now=before_cutoff, include_drafts=True)] == [
        notice.id
    ]


def test_missing_and_oversized_inputs_are_reported(session, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REMINDER_MAX_INPUT_BYTES", "4096")
    (tmp_path / "empty").mkdir()
    summary = ingest_paths(
        [tmp_path / "nope.txt", tmp_path / "empty", COMPILATION, NEWS.parent / "missing.pdf"], session=session
    )
    reasons = {Path(s).name: r for s, r in summary.failures}
    assert "file not found" in reasons["nope.txt"] and "file not found" in reasons["missing.pdf"]
    assert "目录中没有可读取的文件" in reasons["empty"] and ".ofd" in reasons["empty"]
    assert "too large" in reasons[COMPILATION.name]
    assert summary.documents == 0 and _count(session, DocumentRow) == 0


def test_ingest_instant_is_stamped(session, tmp_path) -> None:
    now = dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.UTC)
    path = shutil.copy(COMPILATION, tmp_path / "a.txt")
    ingest_paths([path], session=session, now=now)
    text = COMPILATION.read_text(encoding="utf-8").replace("9 月 15 日", "9 月 16 日")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    ingest_paths([path], session=session, now=now + dt.timedelta(hours=1))
    assert [c.changed_at for c in session.exec(select(NoticeChange)).all()] == [now + dt.timedelta(hours=1)]
