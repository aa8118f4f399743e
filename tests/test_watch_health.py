"""What a poll leaves for the operator (issue 17): a detail link refused by the address guard is noted in the
source's health, shown on its admin page and logged, without flagging the source; attachments whose text was
read by OCR are marked in the stored text and named on the admin notice page."""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent / "sources"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from admin_fixtures import ADMIN_TOKEN, make_app  # noqa: E402
from fixture_templates import Rendered, make_docx  # noqa: E402
from fixture_web import ConverterMissing, FixtureWeb, Site, make_attachment  # noqa: E402

from reminder.config import Settings  # noqa: E402
from reminder.db.models import DocumentRow, NoticeRow  # noqa: E402
from reminder.db.source_store import add_source, get_source  # noqa: E402
from reminder.sources import Fetcher, FetchPolicy, SourceSpec  # noqa: E402
from reminder.sources.model import DetailPage  # noqa: E402
from reminder.watch import page_document, poll_one  # noqa: E402
from reminder.zone import TZ  # noqa: E402

NOW = dt.datetime(2025, 5, 6, 10, 0, tzinfo=TZ)
DAY = NOW.date()
LIST = "/xwzx/tzgg/index.html"
DETAIL = "/xwzx/tzgg/202505/t20250506_4417.html"
TITLE = "关于开展2025年度绍兴市专精特新企业培育申报的通知"
BODY = "各区、县（市）经信局：现将2025年度专精特新企业培育申报工作通知如下，具体要求详见附件。"
GUIDE = "2025年度绍兴市专精特新企业培育申报指南\n申报截止时间为2025年6月12日17:00\n逾期不予受理"
PLEDGE = "申报单位承诺书\n本单位承诺所报材料真实有效。"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OCR_LINE = "以下附件为扫描件，文字经 OCR 识别，请核对："


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


def _settings(web: FixtureWeb) -> Settings:
    return Settings(_env_file=None, webhook_allow_hosts=web.allow_hosts())  # type: ignore[call-arg]


def _source(db: Engine, site: Site) -> int:
    spec = SourceSpec(
        "绍兴市经信局通知公告", "绍兴市经济和信息化局", "绍兴市", "municipal", site.url(LIST), trust="auto"
    )
    with Session(db) as session:
        row = add_source(session=session, spec=spec, now=NOW)
        session.commit()
        assert row.id is not None
        return row.id


def _signed_in(db: Engine, tmp_path: Path) -> TestClient:
    client = TestClient(make_app(db, tmp_path), follow_redirects=False)
    response = client.post("/admin/login", data={"token": ADMIN_TOKEN, "operator": "钱七", "next": "/admin"})
    assert response.status_code == 303
    return client


def _alerts(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'role="alert"[^>]*>(.*?)</p>', page, re.S)]


def test_a_detail_link_redirected_to_a_private_address_is_noted_in_the_source_health(
    db: Engine, web: FixtureWeb, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = web.site()
    site.publish_call(LIST, DETAIL, TITLE, DAY, BODY, [])
    site.redirect(DETAIL, "http://169.254.169.254/latest/meta-data/")  # the item bounces to cloud metadata
    settings = _settings(web)
    source_id = _source(db, site)

    with Fetcher(settings, FetchPolicy(delay=0.005, timeout=5.0, retries=0)) as fetcher:
        with caplog.at_level(logging.WARNING, logger="reminder.watch"):
            first = poll_one(db, settings, source_id, NOW, fetcher=fetcher)
        with Session(db) as session:
            after_first = get_source(session=session, source_id=source_id)
            assert after_first is not None
            note_first = after_first.last_error
        with _signed_in(db, tmp_path) as client:
            page = client.get(f"/admin/sources/{source_id}")
        later = poll_one(db, settings, source_id, NOW + dt.timedelta(hours=6), fetcher=fetcher)
        with Session(db) as session:
            after_later = get_source(session=session, source_id=source_id)
            assert after_later is not None
            note_later, flagged_later = after_later.last_error, after_later.flagged
        week = poll_one(db, settings, source_id, NOW + dt.timedelta(days=8), fetcher=fetcher)

    assert first.ok and first.documents == 0 and [u for u, _ in first.problems] == [site.url(DETAIL)]
    assert note_first is not None and note_first.startswith("1 个链接被拒绝"), note_first
    assert site.url(DETAIL) in note_first
    assert after_first.flagged is None and after_first.consecutive_failures == 0, "the source is not failing"
    assert page.status_code == 200
    assert "1 个链接被拒绝" in html.unescape(page.text) and site.url(DETAIL) in html.unescape(page.text)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("refused" in m and site.url(DETAIL) in m for m in warnings), warnings

    assert later.ok and later.problems == () and site.hits.count(DETAIL) == 1, (
        "the refused link is not retried"
    )
    assert note_later == note_first and flagged_later is None, "the note stays for a week after the refusal"
    assert week.ok
    with Session(db) as session:
        source = get_source(session=session, source_id=source_id)
        assert source is not None and source.last_error is None, "a week later the note is gone"


def test_the_document_meta_names_the_attachments_read_by_ocr() -> None:
    spec = SourceSpec(
        "绍兴市经信局通知公告", "绍兴市经济和信息化局", "绍兴市", "municipal", "https://a.example/l.html"
    )
    page = DetailPage("https://a.example/d.html", TITLE, DAY, "绍兴市经济和信息化局", BODY, ())
    texts = [("申报指南.pdf", GUIDE), ("承诺书.docx", PLEDGE)]

    scanned = page_document(page, texts, spec, max_chars=1_000_000, ocr={"申报指南.pdf"})
    plain = page_document(page, texts, spec, max_chars=1_000_000)

    assert scanned.meta["ocr_attachments"] == ["申报指南.pdf"] and scanned.meta["ocr"] is True
    assert "（扫描件，以下文字经 OCR 识别：申报指南.pdf）" in scanned.text
    assert "承诺书.docx）" not in scanned.text
    assert "ocr_attachments" not in plain.meta and "OCR" not in plain.text
    (notice,) = scanned.notices
    assert [d.date for d in notice.deadlines] == [dt.date(2025, 6, 12)]
    assert [a.name for a in notice.attachments] == [a.name for a in plain.notices[0].attachments], (
        "the mark does not change the attachments the notice lists"
    )


def test_attachments_read_by_ocr_are_named_on_the_admin_notice_page(
    db: Engine, web: FixtureWeb, tmp_path: Path
) -> None:
    if importlib.util.find_spec("rapidocr_onnxruntime") is None:
        pytest.skip("OCR 引擎 rapidocr-onnxruntime 未安装 / no OCR engine: a scanned PDF cannot be read")
    try:
        scan = make_attachment("scanned_pdf", GUIDE)
    except (ConverterMissing, subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"无法生成扫描件 PDF / the scanned PDF fixture could not be made: {exc}")
    site = web.site()
    site.publish_call(
        LIST, DETAIL, TITLE, DAY, BODY,
        [("/xwzx/tzgg/202505/P_guide.pdf", "申报指南.pdf", scan),
         ("/xwzx/tzgg/202505/P_pledge.docx", "承诺书.docx", Rendered(make_docx(PLEDGE), DOCX))],
        issuer="绍兴市经济和信息化局",
    )  # fmt: skip
    settings = _settings(web)
    source_id = _source(db, site)

    with Fetcher(settings, FetchPolicy(delay=0.005, timeout=5.0, retries=0)) as fetcher:
        report = poll_one(db, settings, source_id, NOW, fetcher=fetcher)

    assert report.ok and report.notices == 1, report.problems
    with Session(db) as session:
        (notice,) = session.exec(select(NoticeRow)).all()
        document = session.get(DocumentRow, notice.document_id)
        assert document is not None
        assert "（扫描件，以下文字经 OCR 识别：申报指南.pdf）" in document.text
        assert "OCR 识别：承诺书.docx" not in document.text
    with _signed_in(db, tmp_path) as client:
        page = client.get(f"/admin/notices/{notice.id}")
    assert page.status_code == 200
    assert f"{OCR_LINE}申报指南.pdf" in _alerts(page.text)
