"""The CMS templates of the fixture web (invented sites, invented notices; see fixture_web.py).

TRS     GBK, /tzgg/index.html, index_1.html … (createPageHTML script), t20250301_1001.html details
        with ArticleTitle/PubDate/ContentSource meta, .TRS_Editor body, PDF and DOCX attachments
GKMLPT  UTF-8, table rows dated 2025年3月1日, 下一页 links, #zoomcon body, 附件 links
ART     UTF-8, /col/col1229/iList.jsp?cat_id=1229&page=N (numbered pager), art/YYYY/M/D/art_… items
        dated [03-01], details without meta tags (h1, 发布时间/来源 line, .article-content)
CARDS   the TRS site after a redesign: the same list address, items without dates (0 items found)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

import docx
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

__all__ = ["Notice", "Rendered", "Template", "TRS", "GKMLPT", "ART", "CARDS", "make_pdf", "make_docx"]

NAV = (
    '<div class="nav"><ul><li><a href="/">首页</a></li>'
    '<li><a href="/zwgk/index.html">政务公开专栏介绍页面</a><span>2024-01-02</span></li></ul></div>'
)
FOOTER = '<div class="footer"><a href="/sitemap.html">网站地图说明页面</a> 2024-01-01 青松市人民政府 版权所有</div>'


@dataclass(frozen=True)
class Notice:
    id: int
    title: str
    published: dt.date
    body: str
    issuer: str = "青松市科学技术局"

    def replace(self, **changes: object) -> Notice:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


@functools.lru_cache(maxsize=256)
def make_pdf(text: str) -> bytes:
    buf = io.BytesIO()
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(buf)
    pdf.setFont("STSong-Light", 11)
    pdf.drawString(40, 800, text)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


@functools.lru_cache(maxsize=256)
def make_docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


_PDF = "application/pdf"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Template:
    """A CMS: where its list pages and details live and how they look."""

    name = "base"
    per_page = 10
    encoding = "utf-8"
    #: the Content-Type of HTML pages (TRS sends none with a charset: the page's <meta> says it)
    html_type = "text/html; charset=utf-8"

    def list_path(self, k: int) -> str:
        raise NotImplementedError

    def detail_path(self, n: Notice) -> str:
        raise NotImplementedError

    def list_html(self, k: int, pages: int, notices: list[Notice]) -> str:
        raise NotImplementedError

    def detail_html(self, n: Notice) -> str:
        raise NotImplementedError

    def attachments(self, n: Notice) -> dict[str, Callable[[], Rendered]]:
        """Attachment path → how to make it (made only when asked for)."""
        return {}

    def render(self, path: str, notices: list[Notice]) -> Rendered | None:
        chunks = [notices[i : i + self.per_page] for i in range(0, len(notices), self.per_page)] or [[]]
        for k, chunk in enumerate(chunks):
            if path == self.list_path(k):
                return self._html(self.list_html(k, len(chunks), chunk))
        for n in notices:
            if path == self.detail_path(n):
                return self._html(self.detail_html(n))
        for n in notices:
            make = self.attachments(n).get(path)
            if make is not None:
                return make()
        return None

    def _html(self, html: str) -> Rendered:
        return Rendered(html.encode(self.encoding), self.html_type)


def _page(head: str, body: str, charset: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"{head}</head><body>{NAV}{body}{FOOTER}</body></html>"
    )


def _meta(n: Notice) -> str:
    return (
        f'<meta name="SiteName" content="青松市人民政府"><meta name="ColumnName" content="通知公告">'
        f'<meta name="ArticleTitle" content="{n.title}"><meta name="PubDate" content="{n.published} 09:30">'
        f'<meta name="ContentSource" content="{n.issuer}"><title>{n.title}_青松市人民政府</title>'
    )


class _TRS(Template):
    name = "trs"
    encoding = "gbk"
    html_type = "text/html"

    def list_path(self, k: int) -> str:
        return "/tzgg/index.html" if k == 0 else f"/tzgg/index_{k}.html"

    def detail_path(self, n: Notice) -> str:
        return f"/tzgg/{n.published:%Y%m}/t{n.published:%Y%m%d}_{n.id}.html"

    def list_html(self, k: int, pages: int, notices: list[Notice]) -> str:
        rows = "".join(
            f'<li><a href=".{self.detail_path(n)[5:]}" title="{n.title}" target="_blank">{n.title[:14]}…</a>'
            f"<span>{n.published:%Y-%m-%d}</span></li>"
            for n in notices
        )
        pager = f'<script>createPageHTML({pages}, {k}, "index", "html");</script>'
        return _page("<title>通知公告</title>", f'<ul class="list">{rows}</ul>{pager}', "gb2312")

    def detail_html(self, n: Notice) -> str:
        stem = f"./P0{n.published:%Y%m%d}{n.id}"
        body = (
            f'<div class="article"><h2>{n.title}</h2><div class="TRS_Editor"><p>{n.body}</p>'
            f"<p>联系人：林老师，电话：0591-0000000。</p></div>"
            f'<div class="fj"><a href="{stem}.pdf">申报指南.pdf</a><a href="{stem}.docx">申报书模板.docx</a></div></div>'
        )
        return _page(_meta(n), body, "gb2312")

    def attachments(self, n: Notice) -> dict[str, Callable[[], Rendered]]:
        stem = f"/tzgg/{n.published:%Y%m}/P0{n.published:%Y%m%d}{n.id}"
        return {
            f"{stem}.pdf": lambda: Rendered(make_pdf(f"申报指南 {n.id}"), _PDF),
            f"{stem}.docx": lambda: Rendered(make_docx(f"申报书模板 {n.id}"), _DOCX),
        }


class _GKMLPT(Template):
    name = "gkmlpt"

    def list_path(self, k: int) -> str:
        return "/gkmlpt/index.html" if k == 0 else f"/gkmlpt/index_{k + 1}.html"

    def detail_path(self, n: Notice) -> str:
        return f"/gkmlpt/content/1/{n.id}/post_{n.id}.html"

    def list_html(self, k: int, pages: int, notices: list[Notice]) -> str:
        rows = "".join(
            f'<tr><td class="first"><a href="{self.detail_path(n)}">{n.title}</a></td>'
            f"<td>{n.published.year}年{n.published.month}月{n.published.day}日</td></tr>"
            for n in notices
        )
        nxt = f'<a href="{self.list_path(k + 1)}">下一页</a>' if k + 1 < pages else "<span>下一页</span>"
        pager = f'<div class="page"><a href="{self.list_path(0)}">首页</a>{nxt}</div>'
        return _page("<title>政府信息公开</title>", f"<table>{rows}</table>{pager}", "utf-8")

    def detail_html(self, n: Notice) -> str:
        body = (
            f'<h1 class="title">{n.title}</h1><div class="article-content" id="zoomcon"><p>{n.body}</p>'
            f'<p><a href="/attachment/0/{n.id}/{n.id}.docx">附件1：申报书模板.docx</a></p>'
            f'<p><a href="/gkmlpt/attach?id={n.id}">附件2：汇总表</a></p></div>'
        )
        return _page(_meta(n), body, "utf-8")

    def attachments(self, n: Notice) -> dict[str, Callable[[], Rendered]]:
        return {
            f"/attachment/0/{n.id}/{n.id}.docx": lambda: Rendered(make_docx(f"申报书模板 {n.id}"), _DOCX),
            f"/gkmlpt/attach?id={n.id}": lambda: Rendered(make_docx(f"汇总表 {n.id}"), _DOCX),
        }


class _ART(Template):
    name = "art"

    def list_path(self, k: int) -> str:
        return "/col/col1229/iList.jsp?cat_id=1229" + (f"&page={k + 1}" if k else "")

    def detail_path(self, n: Notice) -> str:
        p = n.published
        return f"/art/{p.year}/{p.month}/{p.day}/art_1229_{n.id}.html"

    def list_html(self, k: int, pages: int, notices: list[Notice]) -> str:
        rows = "".join(
            f'<li><a href="{self.detail_path(n)}" target="_blank">{n.title}</a>'
            f'<span class="bt-data-time">[{n.published:%m-%d}]</span></li>'
            for n in notices
        )
        numbers = "".join(
            f'<a href="iList.jsp?cat_id=1229&amp;page={i + 1}">{i + 1}</a>' for i in range(pages)
        )
        last = f'<a href="iList.jsp?cat_id=1229&amp;page={pages}">尾页</a>'
        return _page(
            "<title>通知公告</title>", f'<ul class="lm-list">{rows}</ul><div>{numbers}{last}</div>', "utf-8"
        )

    def detail_html(self, n: Notice) -> str:
        body = (
            f'<h1>{n.title}</h1><div class="info">发布时间：{n.published:%Y-%m-%d}　来源：青松市经济和信息化局</div>'
            f'<div class="article-content"><p>{n.body}</p><p>特此通知。</p>'
            f'<a href="/module/download/downfile.jsp?classid=0&amp;filename={n.id}.pdf">项目申报表.pdf</a></div>'
        )
        return _page(f"<title>{n.title}</title>", body, "utf-8")

    def attachments(self, n: Notice) -> dict[str, Callable[[], Rendered]]:
        path = f"/module/download/downfile.jsp?classid=0&filename={n.id}.pdf"
        return {path: lambda: Rendered(make_pdf(f"项目申报表 {n.id}"), _PDF)}


class _CARDS(_TRS):
    """The TRS site redesigned: same address, items as cards without any date."""

    name = "cards"

    def list_html(self, k: int, pages: int, notices: list[Notice]) -> str:
        cards = "".join(
            f'<div class="card"><a href=".{self.detail_path(n)[5:]}">{n.title}</a></div>' for n in notices
        )
        return _page("<title>通知公告</title>", cards, "gb2312")


TRS: Template = _TRS()
GKMLPT: Template = _GKMLPT()
ART: Template = _ART()
CARDS: Template = _CARDS()
