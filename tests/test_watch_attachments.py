"""The notice page links to the files of the page a call was read from (issue 17), on SQLite and PostgreSQL:
a watched call whose text lists 附件1 and 附件2 and whose page links them and one more file is stored with
each attachment's address (the named ones under the names the text gives, the unnamed one under its link
text), and the public notice page shows each as a link."""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent / "sources"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from admin_fixtures import make_app  # noqa: E402
from fixture_templates import Rendered, make_docx, make_pdf  # noqa: E402
from fixture_web import FixtureWeb, Site  # noqa: E402

from reminder.attachment_links import link_attachments  # noqa: E402
from reminder.config import Settings  # noqa: E402
from reminder.db.models import NoticeRow  # noqa: E402
from reminder.db.source_store import add_source  # noqa: E402
from reminder.model import Attachment  # noqa: E402
from reminder.sources import AttachmentLink, DetailPage, Fetcher, FetchPolicy, SourceSpec  # noqa: E402
from reminder.watch import page_document, poll_one  # noqa: E402
from reminder.zone import TZ  # noqa: E402

NOW = dt.datetime(2025, 3, 10, 10, 0, tzinfo=TZ)
LIST = "/kjj/tzgg/index.html"
DETAIL = "/kjj/tzgg/202503/t20250310_5120.html"
TITLE = "关于组织申报2025年度青松市科技型企业研发补助的通知"
BODY = (
    "各有关企业：现将2025年度科技型企业研发补助申报工作通知如下。申报截止时间为2025年4月18日17:00。"
    "<br>附件：1.《申报指南》<br>2.申报承诺书"
)
GUIDE = "2025年度青松市科技型企业研发补助申报指南\n申报单位须在青松市注册满一年。"
PLEDGE = "申报承诺书\n本单位承诺所填报内容真实有效。"
FORM = "青松市研发投入情况汇总表说明\n按季度填报研发投入。"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GUIDE_PATH = "/kjj/tzgg/202503/P020250310_guide.docx"
PLEDGE_PATH = "/kjj/tzgg/202503/P020250310_pledge.docx"
FORM_PATH = "/kjj/tzgg/202503/P020250310_form.pdf"


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


def _publish(site: Site) -> None:
    site.publish_call(
        LIST, DETAIL, TITLE, NOW.date(), BODY,
        [(GUIDE_PATH, "附件1：申报指南.docx", Rendered(make_docx(GUIDE), DOCX)),
         (PLEDGE_PATH, "2.申报承诺书.docx", Rendered(make_docx(PLEDGE), DOCX)),
         (FORM_PATH, "研发投入汇总表填报说明.pdf", Rendered(make_pdf(FORM), "application/pdf"))],
    )  # fmt: skip


def _poll(db: Engine, web: FixtureWeb, site: Site) -> int:
    settings = Settings(_env_file=None, webhook_allow_hosts=web.allow_hosts())  # type: ignore[call-arg]
    spec = SourceSpec(
        "青松市科技局通知公告", "青松市科学技术局", "青松市", "municipal", site.url(LIST), trust="auto"
    )
    with Session(db) as session:
        row = add_source(session=session, spec=spec, now=NOW)
        session.commit()
        assert row.id is not None
        source_id = row.id
    with Fetcher(settings, FetchPolicy(delay=0.005, timeout=5.0, retries=0)) as fetcher:
        report = poll_one(db, settings, source_id, NOW, fetcher=fetcher)
    assert report.ok and report.notices == 1, report.problems
    (notice_id,) = report.notice_ids
    return notice_id


def _attachments(db: Engine, notice_id: int) -> list[Attachment]:
    with Session(db) as session:
        row = session.get(NoticeRow, notice_id)
        assert row is not None and row.status == "published"
        return [Attachment.from_json(a) for a in row.attachments or ()]


def _links(page: str) -> dict[str, str]:
    """href → link text in the page's 附件 section."""
    m = re.search(r'<section class="attachments" id="attachments">(.*?)</section>', page, re.S)
    assert m, "the notice page has an attachments section"
    return {
        html.unescape(href): html.unescape(text).strip()
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', m.group(1), re.S)
    }


def test_the_stored_notice_carries_the_pages_attachment_links(db: Engine, web: FixtureWeb) -> None:
    site = web.site()
    _publish(site)

    notice_id = _poll(db, web, site)

    attachments = _attachments(db, notice_id)
    by_url = {a.url: a for a in attachments}
    assert set(by_url) == {site.url(GUIDE_PATH), site.url(PLEDGE_PATH), site.url(FORM_PATH)}, attachments
    guide, pledge, form = (by_url[site.url(p)] for p in (GUIDE_PATH, PLEDGE_PATH, FORM_PATH))
    assert (guide.label, guide.name) == ("附件1", "申报指南"), "named as the text names it"
    assert (pledge.label, pledge.name) == ("附件2", "申报承诺书")
    assert form.name == "研发投入汇总表填报说明", "a file the body does not list: named by its 附件 heading"
    assert [a.url for a in attachments][:2] == [site.url(GUIDE_PATH), site.url(PLEDGE_PATH)], (
        "text order first"
    )


def test_the_notice_page_links_to_each_attachment(db: Engine, web: FixtureWeb, tmp_path: Path) -> None:
    site = web.site()
    _publish(site)
    notice_id = _poll(db, web, site)

    with TestClient(make_app(db, tmp_path)) as client:
        page = client.get(f"/notices/{notice_id}")

    assert page.status_code == 200
    links = _links(page.text)
    assert links[site.url(GUIDE_PATH)] == "申报指南"
    assert links[site.url(PLEDGE_PATH)] == "申报承诺书"
    assert links[site.url(FORM_PATH)] == "研发投入汇总表填报说明"
    assert "请在原文中查找" not in page.text, "no attachment is left without its link"


def test_names_match_without_numbering_marks_extensions_or_spaces() -> None:
    base = "https://gxj.qingsong.example.cn/xmsb/"
    named = [
        Attachment("项目申报书", "附件1"),
        Attachment("专项资金 管理办法", "附件2"),
        Attachment("信用承诺书", "附件3"),
        Attachment("项目申报书.doc项目申报书（2025年版）"),  # a file's heading glued to its first line
    ]
    links = [
        AttachmentLink("附件1：《项目申报书》.doc", base + "a1.doc"),
        AttachmentLink("（2）专项资金管理办法.PDF", base + "a2.pdf"),
        AttachmentLink("项目申报书.doc", base + "a1.doc"),  # the same file linked twice
        AttachmentLink("申报系统操作手册.pdf", base + "a4.pdf"),
    ]

    linked = link_attachments(named, links)

    assert [(a.label, a.name, a.url) for a in linked] == [
        ("附件1", "项目申报书", base + "a1.doc"),
        ("附件2", "专项资金 管理办法", base + "a2.pdf"),
        ("附件3", "信用承诺书", None),
        (None, "申报系统操作手册.pdf", base + "a4.pdf"),
    ]


def test_each_attachment_heading_stays_a_line_of_its_own() -> None:
    """The cleaner re-joins wrapped lines: the 附件 heading must not be glued to its file's first line."""
    page = DetailPage(
        "https://kjj.qingsong.example.cn/tzgg/t1.html", TITLE, NOW.date(), "青松市科学技术局", BODY,
        (AttachmentLink("研发投入汇总表填报说明.pdf", "https://kjj.qingsong.example.cn/tzgg/P1.pdf"),),
    )  # fmt: skip
    spec = SourceSpec("青松市科技局通知公告", "青松市科学技术局", "青松市", "municipal", page.url)

    doc = page_document(page, [("研发投入汇总表填报说明.pdf", FORM)], spec, max_chars=1_000_000)

    lines = doc.text.splitlines()
    assert "附件：研发投入汇总表填报说明.pdf" in lines, doc.text
    assert FORM.splitlines()[0] in lines
    (form,) = [a for n in doc.notices for a in n.attachments if a.url and a.url.endswith("P1.pdf")]
    assert form.name == "研发投入汇总表填报说明"
