"""Discovery of a department's notice columns from its home page, and the "test" preview of a source."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from fixture_templates import GKMLPT, TRS
from fixture_web import FixtureWeb, make_notices

from reminder.sources import Fetcher, Hints, SourceSpec, discover, preview

TODAY = dt.date(2025, 3, 1)


def test_the_notice_column_of_a_home_page_is_proposed_first_with_a_preview(
    web: FixtureWeb, make_fetcher: Callable[..., Fetcher]
) -> None:
    site = web.site(template=TRS, notices=make_notices(12, TODAY))
    other = web.site(template=GKMLPT, notices=make_notices(4, TODAY))
    site.put(
        "/index.html",
        (
            '<div class="nav"><a href="/">首页</a><a href="/jggk/index.html">机构概况</a>'
            '<a href="/zcwj/index.html">政策文件</a><a href="/tzgg/index.html">通知公告</a>'
            f'<a href="{other.list_url()}">项目申报</a><a href="/gone/">公示公告</a></div>'
        ).encode(),
    )
    site.put("/zcwj/index.html", '<p><a href="/zcwj/a.html">青松市科技创新促进条例全文</a></p>'.encode())
    found = discover(site.url("/index.html"), make_fetcher(), today=TODAY)
    assert [c.name for c in found if c.looks_like_list] == ["通知公告", "项目申报"]
    notices = found[0]
    assert notices.url == site.list_url() and notices.preview is not None
    assert len(notices.preview.items) == 10 and notices.preview.next_url == site.url("/tzgg/index_1.html")
    assert {c.name for c in found} == {"通知公告", "项目申报", "政策文件", "公示公告"}
    gone = next(c for c in found if c.name == "公示公告")
    assert gone.preview is None and gone.problem and "404" in gone.problem


def test_preview_shows_what_a_source_would_find_with_its_hints(
    web: FixtureWeb, make_fetcher: Callable[..., Fetcher]
) -> None:
    site = web.site(template=TRS, notices=make_notices(3, TODAY))
    spec = SourceSpec("青松市科技局通知公告", "青松市科学技术局", "青松市", "municipal", site.list_url())
    page = preview(spec, make_fetcher(), today=TODAY)
    assert [i.published for i in page.items] == [n.published for n in site.notices]
    hinted = dataclasses.replace(spec, hints=Hints(items="ul.list li", date="span"))
    assert preview(hinted, make_fetcher(), today=TODAY).items == page.items
