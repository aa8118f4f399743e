"""Detail pages of the fixture templates: meta tags (GBK and UTF-8), 附件 links, pages without meta tags,
links straight to a file, and per-site hints."""

from __future__ import annotations

import datetime as dt

import pytest
from fixture_templates import ART, GKMLPT, TRS, Template
from fixture_web import make_notices

from reminder.sources import AttachmentLink, Hints, SourceError, read_detail

NOTICE = make_notices(1, dt.date(2025, 3, 1))[0]


def _read(template: Template, host: str, **kwargs: object) -> object:
    path = template.detail_path(NOTICE)
    page = template.render(path, [NOTICE])
    assert page is not None
    return read_detail(page.body, f"http://{host}{path}", **kwargs)  # type: ignore[arg-type]


def test_a_gbk_page_with_meta_tags() -> None:
    page = _read(TRS, "127.0.0.2")
    assert page.title == NOTICE.title and page.published == NOTICE.published  # type: ignore[attr-defined]
    assert page.issuer == "青松市科学技术局" and page.column == "通知公告"  # type: ignore[attr-defined]
    assert "青松科创" in page.body_text and "网站地图" not in page.body_text  # type: ignore[attr-defined]
    stem = f"http://127.0.0.2/tzgg/202503/P020250301{NOTICE.id}"
    assert page.attachments == (  # type: ignore[attr-defined]
        AttachmentLink("申报指南.pdf", stem + ".pdf"),
        AttachmentLink("申报书模板.docx", stem + ".docx"),
    )


def test_links_named_fujian_are_attachments_whatever_their_address() -> None:
    page = _read(GKMLPT, "127.0.0.3")
    assert [a.name for a in page.attachments] == ["附件1：申报书模板.docx", "附件2：汇总表"]  # type: ignore[attr-defined]
    assert page.attachments[1].url == f"http://127.0.0.3/gkmlpt/attach?id={NOTICE.id}"  # type: ignore[attr-defined]


def test_a_page_without_meta_tags_is_read_from_its_heading_and_source_line() -> None:
    page = _read(ART, "127.0.0.4", default_issuer="青松市人民政府")
    assert page.title == NOTICE.title and page.published == NOTICE.published  # type: ignore[attr-defined]
    assert page.issuer == "青松市经济和信息化局"  # type: ignore[attr-defined]
    assert [a.name for a in page.attachments] == ["项目申报表.pdf"]  # type: ignore[attr-defined]
    assert page.body_text.startswith(NOTICE.body)  # type: ignore[attr-defined]


def test_the_source_issuer_stands_in_when_the_page_names_none() -> None:
    html = "<html><head><title>关于申报专项资金的通知_青松市</title></head><body><p>正文内容较短。</p></body></html>"
    page = read_detail(html.encode(), "http://127.0.0.5/a.html", default_issuer="青松市科学技术局")
    assert page.title == "关于申报专项资金的通知" and page.issuer == "青松市科学技术局"
    assert page.published is None


def test_hints_name_the_body_and_the_attachments() -> None:
    html = (
        '<html><body><h1>关于申报专项资金的通知</h1><div class="x-body"><p>各单位：请按要求申报本年度专项资金项目。</p></div>'
        '<div class="x-files"><a href="/f?id=1">申报书</a></div><a href="/other.pdf">无关文件.pdf</a></body></html>'
    )
    hints = Hints(body="div.x-body", attachments="div.x-files a")
    page = read_detail(html.encode(), "http://127.0.0.5/a.html", hints=hints)
    assert page.body_text == "各单位：请按要求申报本年度专项资金项目。"
    assert page.attachments == (AttachmentLink("申报书", "http://127.0.0.5/f?id=1"),)


def test_an_invalid_hint_selector_is_refused_when_the_hints_are_made() -> None:
    with pytest.raises(SourceError) as caught:
        Hints(body="div[[")
    assert "CSS 选择器无效" in str(caught.value)
