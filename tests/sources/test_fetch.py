"""The polite, guarded fetcher against the fixture web: robots.txt, 304, one request per host at a time,
retries, Retry-After, timeouts, size limits and the webhooks' address guard (redirects checked hop by hop)."""

from __future__ import annotations

import datetime as dt
import gzip
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from fixture_templates import TRS
from fixture_web import FixtureWeb, Site, make_notices
from internal_site import InternalSite, internal_site

from reminder.config import Settings
from reminder.errors import UnsafeTarget
from reminder.sources import (
    Fetcher,
    FetchError,
    FetchPolicy,
    FetchTooLarge,
    RetryLater,
    RobotsDisallowed,
    Validators,
)

NOTICES = make_notices(12, dt.date(2025, 3, 1))


@pytest.fixture
def site(web: FixtureWeb) -> Site:
    return web.site(template=TRS, notices=list(NOTICES))


@pytest.fixture
def internal() -> Iterator[InternalSite]:
    with internal_site("<html><body><p>内部服务页面，不应被抓取。</p></body></html>") as found:
        yield found


def test_a_page_is_fetched_with_our_user_agent_and_its_validators(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    result = make_fetcher().fetch(site.list_url())
    assert result.status == 200 and not result.not_modified
    assert "青松科创".encode("gbk") in result.content
    assert result.etag and result.last_modified
    assert site.agents[-1].startswith("reminder/") and "+http" in site.agents[-1]


def test_an_unchanged_page_costs_a_304(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    fetcher = make_fetcher()
    first = fetcher.fetch(site.list_url())
    again = fetcher.fetch(site.list_url(), first.validators)
    assert again.not_modified and again.status == 304 and again.content == b""
    site.add_notice(make_notices(1, dt.date(2025, 3, 5), first_id=5000)[0])
    changed = fetcher.fetch(site.list_url(), first.validators)
    assert changed.status == 200 and changed.etag != first.etag


def test_robots_txt_is_honoured_and_read_once(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    site.robots = "User-agent: *\nDisallow: /private/\n"
    site.put("/private/list.html", "<p>内部</p>".encode())
    fetcher = make_fetcher()
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(site.url("/private/list.html"))
    fetcher.fetch(site.list_url())
    fetcher.fetch(site.url("/tzgg/index_1.html"))
    assert "/private/list.html" not in site.hits
    assert site.hits.count("/robots.txt") == 1


def test_a_missing_robots_txt_allows_everything(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    assert make_fetcher().fetch(site.list_url()).status == 200
    assert site.hits == ["/robots.txt", "/tzgg/index.html"]


def test_one_request_at_a_time_per_host_with_the_delay_between(
    web: FixtureWeb, make_fetcher: Callable[..., Fetcher]
) -> None:
    a = web.site(template=TRS, notices=list(NOTICES))
    b = web.site(template=TRS, notices=list(NOTICES))
    for s in (a, b):
        s.latency = 0.03
    fetcher = make_fetcher(delay=0.05)
    urls = [s.detail_url(n) for n in NOTICES[:6] for s in (a, b)]
    threads = [threading.Thread(target=fetcher.fetch, args=(u,)) for u in urls]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert a.max_in_flight == 1 and b.max_in_flight == 1, "measured max concurrent requests per host"
    assert len(a.hits) == len(b.hits) == 7  # robots.txt and six pages each
    # each host: 7 requests of 0.03 s with 0.05 s pauses between them
    assert elapsed >= 6 * 0.05 + 7 * 0.03


def test_429_with_retry_after_is_waited_for_then_retried(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher()
    site.fail_next(1, 429, {"Retry-After": "1"})
    start = time.monotonic()
    result = fetcher.fetch(site.list_url())  # robots.txt gets the 429 first
    assert result.status == 200
    assert time.monotonic() - start >= 1.0
    assert site.hits[:2] == ["/robots.txt", "/robots.txt"]


def test_a_long_retry_after_is_not_waited_for_and_the_host_rests(
    site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher(max_retry_after=5.0)
    fetcher.robots.allowed(site.list_url())  # robots.txt read first
    site.fail_next(1, 503, {"Retry-After": "3600"})
    start = time.monotonic()
    with pytest.raises(RetryLater) as caught:
        fetcher.fetch(site.list_url())
    assert caught.value.retry_after == 3600 and caught.value.status == 503
    assert time.monotonic() - start < 1.0
    assert site.hits.count("/tzgg/index.html") == 1


def test_server_errors_are_retried_with_backoff(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    fetcher = make_fetcher(retries=2)
    fetcher.robots.allowed(site.list_url())  # robots.txt read first
    site.fail_next(2, 500)
    assert fetcher.fetch(site.list_url()).status == 200
    assert site.hits.count("/tzgg/index.html") == 3
    site.fail_next(3, 502)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(site.url("/tzgg/index_1.html"))
    assert caught.value.status == 502


def test_a_host_that_does_not_answer_times_out(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    site.latency = 1.5
    fetcher = make_fetcher(timeout=0.3, retries=1)
    start = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(site.list_url())
    assert "超时" in str(caught.value)
    assert time.monotonic() - start < 2.0


def test_a_missing_page_is_an_error_with_its_status(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(site.url("/tzgg/nothing.html"))
    assert caught.value.status == 404


def test_bodies_past_the_limit_are_refused(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    site.put("/big.pdf", b"%PDF-1.4\n" + b"0" * 50_000, "application/pdf")
    bomb = gzip.compress(b"<p>" + b"x" * 2_000_000 + b"</p>")
    site.put("/bomb.html", bomb, "text/html", Content_Encoding="gzip")
    fetcher = make_fetcher(max_bytes=20_000)
    with pytest.raises(FetchTooLarge):
        fetcher.fetch(site.url("/big.pdf"))
    assert len(bomb) < 20_000
    with pytest.raises(FetchTooLarge):  # small on the wire, stopped while decompressing
        fetcher.fetch(site.url("/bomb.html"))


def test_redirects_between_allowed_hosts_are_followed(
    web: FixtureWeb, site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    other = web.site(template=TRS, notices=list(NOTICES))
    site.redirect("/moved", other.list_url())
    result = make_fetcher().fetch(site.url("/moved"))
    assert result.final_url == other.list_url() and result.status == 200
    assert other.hits == ["/robots.txt", "/tzgg/index.html"]


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin", "http://[::1]/x", "internal"],
)
def test_a_redirect_to_a_private_or_metadata_address_is_refused(
    site: Site, internal: InternalSite, make_fetcher: Callable[..., Fetcher], target: str
) -> None:
    location = f"http://127.0.0.1:{internal.port}/secret" if target == "internal" else target
    site.redirect("/go", location)
    with pytest.raises(UnsafeTarget) as caught:
        make_fetcher(timeout=1.0).fetch(site.url("/go"))
    assert "不允许" in str(caught.value)
    assert internal.hits == [], "nothing reached the internal service"


def test_loopback_is_refused_unless_allow_listed(site: Site, internal: InternalSite) -> None:
    with Fetcher(Settings(_env_file=None), FetchPolicy(delay=0.01)) as fetcher:  # type: ignore[call-arg]
        with pytest.raises(UnsafeTarget):
            fetcher.fetch(site.list_url())
        with pytest.raises(UnsafeTarget):
            fetcher.fetch(f"http://localhost:{internal.port}/secret")
    assert site.hits == [] and internal.hits == []


def test_only_http_and_https_are_fetched(make_fetcher: Callable[..., Fetcher]) -> None:
    with pytest.raises(FetchError):
        make_fetcher().fetch("file:///etc/passwd")


def test_last_modified_alone_also_earns_a_304(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    fetcher = make_fetcher()
    first = fetcher.fetch(site.list_url())
    assert first.last_modified
    again = fetcher.fetch(site.list_url(), Validators(last_modified=first.last_modified))
    assert again.not_modified


def test_a_redirected_robots_txt_is_followed(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    site.redirect("/robots.txt", site.url("/static/robots.txt"))
    site.put("/static/robots.txt", b"User-agent: reminder\nDisallow: /tzgg/\n", "text/plain")
    with pytest.raises(RobotsDisallowed):
        make_fetcher().fetch(site.list_url())
    assert site.hits == ["/robots.txt", "/static/robots.txt"]


def test_robots_crawl_delay_spaces_the_requests(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    site.robots = "User-agent: *\nCrawl-delay: 0.3\n"
    fetcher = make_fetcher()
    start = time.monotonic()
    for notice in site.notices[:3]:
        fetcher.fetch(site.detail_url(notice))
    assert time.monotonic() - start >= 0.6


def test_attachments_are_fetched_as_bytes(site: Site, make_fetcher: Callable[..., Fetcher]) -> None:
    fetcher = make_fetcher()
    notice = site.notices[0]
    stem = f"/tzgg/{notice.published:%Y%m}/P0{notice.published:%Y%m%d}{notice.id}"
    pdf = fetcher.fetch(site.url(stem + ".pdf"))
    docx = fetcher.fetch(site.url(stem + ".docx"))
    assert pdf.content.startswith(b"%PDF") and pdf.content_type == "application/pdf"
    assert docx.content.startswith(b"PK") and "wordprocessingml" in (docx.content_type or "")
