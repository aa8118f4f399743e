"""Polling sources of the fixture web: the first poll reads back a bounded stretch, later polls stop at the
first known item, unchanged pages cost 304s, edited pages are reported as changed, and a redesigned
list (zero items where there were some) is flagged."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest
from fixture_templates import ART, CARDS, GKMLPT, TRS, Template, make_pdf
from fixture_web import FixtureWeb, Site, make_notices

from reminder.sources import Fetcher, PollResult, SourceSpec, SourceState, poll_source
from reminder.zone import TZ

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)


def _spec(site: Site, **changes: object) -> SourceSpec:
    spec = SourceSpec("青松市科技局通知公告", "青松市科学技术局", "青松市", "municipal", site.list_url())
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]


def _details_hit(site: Site) -> list[str]:
    return [h for h in site.hits if "/t2025" in h or "/t2024" in h]


@pytest.fixture
def site(web: FixtureWeb) -> Site:
    return web.site(template=TRS, notices=make_notices(40, NOW.date()))


def test_the_first_poll_reads_back_only_max_pages(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    result = poll_source(_spec(site, max_pages=2, lookback_days=365), SourceState(), make_fetcher(), NOW)
    assert result.pages_read == 2 and result.items_seen == 10
    assert [i.title for i in result.new_items] == [n.title for n in site.notices[:20]]
    assert len(result.details) == 20 and result.problems == ()
    assert len(result.state.items) == 20 and result.state.polls == 1
    first = result.details[0]
    assert first.title == site.notices[0].title and first.published == NOW.date()
    assert first.issuer == "青松市科学技术局" and "青松科创" in first.body_text
    assert [a.name for a in first.attachments] == ["申报指南.pdf", "申报书模板.docx"]


def test_the_first_poll_reads_back_only_lookback_days(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    result = poll_source(_spec(site, max_pages=5, lookback_days=30), SourceState(), make_fetcher(), NOW)
    # notices are 3 days apart: day 0 … day 30 is eleven notices; page 3 holds only older ones and ends the walk
    assert len(result.new_items) == 11 and result.pages_read == 3
    assert all(i.published and i.published >= NOW.date() - dt.timedelta(days=30) for i in result.new_items)
    assert len(_details_hit(site)) == 11, "older items are remembered, their pages are not fetched"
    assert len(result.state.items) == 30


def _first(site: Site, make_fetcher: Callable[..., Fetcher]) -> tuple[PollResult, Fetcher]:
    fetcher = make_fetcher()
    return poll_source(_spec(site, max_pages=3, lookback_days=365), SourceState(), fetcher, NOW), fetcher


def test_a_later_poll_stops_at_the_first_known_item(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    first, fetcher = _first(site, make_fetcher)
    call = make_notices(1, NOW.date(), first_id=9000)[0].replace(
        title="关于征集2025年度青松市重点研发计划项目的通知"
    )
    site.add_notice(call)
    site.hits.clear()
    later = poll_source(_spec(site, max_pages=3), first.state, fetcher, NOW + dt.timedelta(hours=6))
    assert [i.title for i in later.new_items] == [call.title]
    assert [d.title for d in later.details] == [call.title]
    assert later.pages_read == 1 and "/tzgg/index_1.html" not in site.hits
    assert later.changed == () and later.state.polls == 2


def test_an_unchanged_source_costs_304s_and_finds_nothing(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    first, fetcher = _first(site, make_fetcher)
    site.hits.clear()
    later = poll_source(_spec(site), first.state, fetcher, NOW + dt.timedelta(hours=6))
    assert later.list_not_modified and later.new_items == () and later.changed == ()
    assert later.items_seen is None and not later.template_suspect
    assert later.state.last_item_count == 10
    assert site.hits[0] == "/tzgg/index.html" and len(_details_hit(site)) == 20, (
        "recent pages re-checked (304)"
    )


def test_an_edited_page_is_reported_as_changed_once(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    first, fetcher = _first(site, make_fetcher)
    edited = site.notices[1]
    site.edit_notice(edited.id, body="各有关单位：申报截止日期延长至2025年4月30日，请抓紧提交材料。")
    later = poll_source(_spec(site), first.state, fetcher, NOW + dt.timedelta(hours=6))
    assert later.new_items == ()
    assert [p.url for p in later.changed] == [site.detail_url(edited)]
    assert "2025年4月30日" in later.changed[0].body_text
    again = poll_source(_spec(site), later.state, fetcher, NOW + dt.timedelta(hours=12))
    assert again.changed == ()


def test_a_template_change_yields_no_items_and_is_flagged(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    first, fetcher = _first(site, make_fetcher)
    assert not first.template_suspect
    site.switch_template(CARDS)
    later = poll_source(_spec(site), first.state, fetcher, NOW + dt.timedelta(hours=6))
    assert later.items_seen == 0 and later.new_items == ()
    assert later.template_suspect
    assert later.state.last_item_count == 0


def test_items_robots_txt_forbids_are_reported_once_and_remembered(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    site.robots = "User-agent: *\nDisallow: /tzgg/202502/\n"
    first, fetcher = _first(site, make_fetcher)
    refused = [p for p in first.problems if "robots" in p.reason]
    assert refused and all("/tzgg/202502/" in p.url for p in refused)
    assert not any(h.startswith("/tzgg/202502/") for h in site.hits)
    assert len(first.details) + len(refused) == len(first.new_items)
    later = poll_source(_spec(site), first.state, fetcher, NOW + dt.timedelta(hours=6))
    assert later.new_items == () and not any("robots" in p.reason for p in later.problems)


def test_a_pinned_old_item_above_new_ones_does_not_end_the_walk(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    first, fetcher = _first(site, make_fetcher)
    pinned = site.notices[5]
    call = make_notices(1, NOW.date(), first_id=9100)[0].replace(
        title="关于开展青松市科技型企业入库评价工作的通知"
    )
    site.notices = [pinned, call, *[n for n in site.notices if n.id != pinned.id]]
    later = poll_source(_spec(site), first.state, fetcher, NOW + dt.timedelta(hours=6))
    assert [i.title for i in later.new_items] == [call.title]


@pytest.mark.parametrize(
    ("template", "attachments"), [(TRS, 2), (GKMLPT, 2), (ART, 1)], ids=lambda t: getattr(t, "name", t)
)
def test_each_template_is_polled_with_its_details(
    web: FixtureWeb, make_fetcher: Callable[..., Fetcher], template: Template, attachments: int
) -> None:
    site = web.site(template=template, notices=make_notices(12, NOW.date()))
    result = poll_source(_spec(site, lookback_days=365), SourceState(), make_fetcher(), NOW)
    assert [d.title for d in result.details] == [n.title for n in site.notices]
    assert [d.published for d in result.details] == [n.published for n in site.notices]
    assert all(len(d.attachments) == attachments for d in result.details)
    assert all(d.issuer and d.issuer.startswith("青松市") for d in result.details)


def test_a_list_linking_straight_to_a_file_gives_a_page_whose_attachment_is_the_file(
    web: FixtureWeb, make_fetcher: Callable[..., Fetcher]
) -> None:
    site = web.site(template=TRS, notices=[])
    site.put(
        "/xxgk/list.html",
        '<ul><li><a href="/xxgk/P020250301.pdf">青松市2025年度科技项目申报指南</a><span>2025-03-01</span></li></ul>'.encode(),
    )
    site.put("/xxgk/P020250301.pdf", make_pdf("申报指南"), "application/pdf")
    spec = dataclasses.replace(_spec(site), url=site.url("/xxgk/list.html"))
    result = poll_source(spec, SourceState(), make_fetcher(), NOW)
    (page,) = result.details
    assert page.title == "青松市2025年度科技项目申报指南" and page.issuer == "青松市科学技术局"
    assert [a.url for a in page.attachments] == [site.url("/xxgk/P020250301.pdf")]


def test_a_failing_later_list_page_keeps_what_the_first_pages_gave(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    site.fail_path("/tzgg/index_1.html", 500)
    result = poll_source(
        _spec(site, max_pages=3, lookback_days=365), SourceState(), make_fetcher(retries=0), NOW
    )
    assert result.pages_read == 1 and len(result.new_items) == 10
    assert [p.url for p in result.problems] == [site.url("/tzgg/index_1.html")]
