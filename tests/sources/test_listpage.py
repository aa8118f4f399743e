"""List pages of the three fixture CMS templates (GBK and UTF-8), paging, navigation, and per-site hints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fixture_templates import ART, CARDS, GKMLPT, TRS, Template
from fixture_web import FixtureWeb, make_notices

from reminder.sources import Fetcher, Hints, ListPage, read_list

NOTICES = make_notices(25, dt.date(2025, 3, 1))


def _read(web: FixtureWeb, make_fetcher: Callable[..., Fetcher], template: Template) -> list[ListPage]:
    """Every list page of a site, following next_url as a poll would."""
    site = web.site(template=template, notices=list(NOTICES))
    fetcher = make_fetcher()
    pages: list[ListPage] = []
    url: str | None = site.list_url()
    while url is not None and len(pages) < 10:
        result = fetcher.fetch(url)
        pages.append(read_list(result.content, result.final_url, charset=result.charset))
        url = pages[-1].next_url
    return pages


@pytest.mark.parametrize("template", [TRS, GKMLPT, ART], ids=lambda t: t.name)
def test_every_item_of_every_page_is_found_with_its_date(
    web: FixtureWeb, make_fetcher: Callable[..., Fetcher], template: Template
) -> None:
    pages = _read(web, make_fetcher, template)
    assert [len(p.items) for p in pages] == [10, 10, 5]
    items = [i for p in pages for i in p.items]
    assert [i.title for i in items] == [n.title for n in NOTICES]
    assert [i.published for i in items] == [n.published for n in NOTICES]
    site = web.sites[0]
    assert [i.url for i in items] == [site.detail_url(n) for n in NOTICES]


def test_trs_titles_cut_on_the_list_are_read_whole_from_the_title_attribute() -> None:
    html = TRS.render("/tzgg/index.html", NOTICES)
    assert html is not None and "…" in html.body.decode("gbk")
    page = read_list(html.body, "http://127.0.0.2/tzgg/index.html")
    assert page.items[0].title == NOTICES[0].title


def test_gbk_pages_are_read_by_their_meta_charset() -> None:
    html = TRS.render("/tzgg/index.html", NOTICES)
    assert html is not None and html.content_type == "text/html"
    with pytest.raises(UnicodeDecodeError):
        html.body.decode("utf-8")
    page = read_list(html.body, "http://127.0.0.2/tzgg/index.html")
    assert "青松科创" in page.items[0].title


def test_navigation_and_footer_links_are_no_items_even_with_a_date() -> None:
    html = GKMLPT.render("/gkmlpt/index.html", NOTICES)
    assert html is not None
    page = read_list(html.body, "http://127.0.0.3/gkmlpt/index.html")
    assert all("/zwgk/" not in i.url and "sitemap" not in i.url for i in page.items)
    assert len(page.items) == 10


@pytest.mark.parametrize(
    ("template", "first", "second"),
    [
        (TRS, "/tzgg/index.html", "/tzgg/index_1.html"),  # createPageHTML script
        (GKMLPT, "/gkmlpt/index.html", "/gkmlpt/index_2.html"),  # 下一页 link
        (ART, "/col/col1229/iList.jsp?cat_id=1229", "/col/col1229/iList.jsp?cat_id=1229&page=2"),  # numbers
    ],
    ids=["trs-script", "gkmlpt-next-link", "art-numbered"],
)
def test_the_next_page_is_found_and_the_last_page_has_none(
    template: Template, first: str, second: str
) -> None:
    base = "http://127.0.0.9"
    page = template.render(first, NOTICES)
    assert page is not None
    assert read_list(page.body, base + first).next_url == base + second
    last = template.render(template.list_path(2), NOTICES)
    assert last is not None
    assert read_list(last.body, base + template.list_path(2)).next_url is None


def test_a_bare_month_day_takes_its_year_from_the_item_address() -> None:
    notices = make_notices(3, dt.date(2024, 12, 30))
    page = ART.render(ART.list_path(0), notices)
    assert page is not None and b"[12-30]" in page.body
    items = read_list(page.body, "http://127.0.0.4" + ART.list_path(0)).items
    assert [i.published for i in items] == [n.published for n in notices]


def test_a_bare_month_day_without_context_is_placed_before_the_poll_day() -> None:
    html = '<ul><li><a href="/a/1.html">关于征集年度重点项目的通知</a><span>[12-20]</span></li></ul>'
    page = read_list(html.encode(), "http://127.0.0.5/list.html", today=dt.date(2026, 1, 5))
    assert page.items[0].published == dt.date(2025, 12, 20)


def test_other_date_forms_next_to_links() -> None:
    html = (
        "<ul>"
        '<li><a href="/a/1.html">关于申报第一批专项资金的通知</a> 2025/3/1</li>'
        '<li><a href="/a/2.html">关于申报第二批专项资金的通知</a> (2025.02.20)</li>'
        '<li><a href="/a/3.html"><span>关于申报第三批专项资金的通知</span><em>2025-02-10</em></a></li>'
        '<li><a href="/a/4.html">没有日期的链接不算通知条目</a></li>'
        '<li><a href="/a/1.html">关于申报第一批专项资金的通知</a> 2025/3/1</li>'
        "</ul>"
    )
    items = read_list(html.encode(), "http://127.0.0.5/list.html").items
    assert [(i.url.rsplit("/", 1)[1], i.published) for i in items] == [
        ("1.html", dt.date(2025, 3, 1)),
        ("2.html", dt.date(2025, 2, 20)),
        ("3.html", dt.date(2025, 2, 10)),
    ]
    assert items[2].title == "关于申报第三批专项资金的通知"


def test_a_redesigned_site_without_dates_yields_no_items_until_hints_are_given() -> None:
    page = CARDS.render("/tzgg/index.html", NOTICES)
    assert page is not None
    url = "http://127.0.0.2/tzgg/index.html"
    assert read_list(page.body, url).items == ()
    hinted = read_list(page.body, url, hints=Hints(items="div.card", title="a"))
    assert [i.title for i in hinted.items] == [n.title for n in NOTICES[:10]]
    assert all(i.published is None for i in hinted.items)


def test_hints_pick_items_dates_and_next_page_the_generic_reader_would_miss() -> None:
    html = (
        '<div class="bar"><b class="when">发布于 2025-03-02</b><a class="t" href="/x/9.html">通知九</a></div>'
        '<div class="bar"><b class="when">发布于 2025-03-01</b><a class="t" href="/x/8.html">通知八</a></div>'
        '<p class="pg"><a href="/x/list?start=20">后面的</a></p>'
    )
    hints = Hints(items="div.bar", title="a.t", date="b.when", next_page="p.pg a")
    page = read_list(html.encode(), "http://127.0.0.5/x/list", hints=hints)
    assert [(i.title, i.published) for i in page.items] == [
        ("通知九", dt.date(2025, 3, 2)),
        ("通知八", dt.date(2025, 3, 1)),
    ]
    assert page.next_url == "http://127.0.0.5/x/list?start=20"


def test_the_page_meta_charset_outranks_a_wrong_header_and_undeclared_gbk_is_detected() -> None:
    row = '<li><a href="/a/1.html">关于组织申报青松市科技小巨人企业的通知</a><span>2025-03-01</span></li>'
    declared = f'<html><head><meta charset="gbk"></head><body><ul>{row}</ul></body></html>'.encode("gbk")
    page = read_list(declared, "http://127.0.0.5/list.html", charset="utf-8")
    assert page.items[0].title == "关于组织申报青松市科技小巨人企业的通知"
    body = "".join(row.replace("1.html", f"{k}.html") for k in range(8))
    bare = f"<html><body><p>青松市科学技术局通知公告栏目</p><ul>{body}</ul></body></html>".encode("gbk")
    page = read_list(bare, "http://127.0.0.5/list.html")
    assert page.items[0].title == "关于组织申报青松市科技小巨人企业的通知"
