"""Finding a department's notice columns from its home page, and previewing a source before saving it.

discover(home_url, fetcher)   links named 通知公告 / 通知通告 / 项目申报 / 政策文件 / 公示公告
                              (``data/pages.yaml: column_words``), each read as a list page; those
                              that look like dated lists come first
preview(spec, fetcher)        what a source's list page would give now (titles, dates, links, next)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reminder.errors import UnsafeTarget
from reminder.sources.errors import FetchError
from reminder.sources.html import parse_html, text_of
from reminder.sources.listpage import read_list
from reminder.sources.model import ListPage, SourceSpec
from reminder.sources.poll import PageFetcher
from reminder.sources.vocab import page_words

__all__ = ["ColumnCandidate", "column_links", "discover", "preview", "MIN_LIST_ITEMS"]

#: a column "looks like a dated list" with at least this many dated items
MIN_LIST_ITEMS = 3
#: a navigation link's text is short; longer texts are notices, not columns
_COLUMN_TEXT_MAX = 12


@dataclass(frozen=True)
class ColumnCandidate:
    """A proposed notice column with what its page shows."""

    #: the navigation link's text, e.g. 通知公告
    name: str
    url: str
    #: the column's first list page as read; None when it could not be fetched
    preview: ListPage | None
    #: why it could not be fetched
    problem: str | None = None

    @property
    def looks_like_list(self) -> bool:
        return self.preview is not None and len(self.preview.items) >= MIN_LIST_ITEMS


def column_links(content: bytes, url: str, *, charset: str | None = None) -> tuple[tuple[str, str], ...]:
    """(text, absolute URL) of the links on a page whose short text names a notice column.

    >>> column_links('<a href="/tzgg/">通知公告</a><a href="/jg/">机构概况</a>'.encode(), "http://kj.example.gov.cn/")
    (('通知公告', 'http://kj.example.gov.cn/tzgg/'),)
    """
    words = page_words().column_words
    found: dict[str, str] = {}
    for a in parse_html(content, url, charset).iter("a"):
        text, href = text_of(a), (a.get("href") or "").strip()
        if href.startswith(("http://", "https://")) and len(text) <= _COLUMN_TEXT_MAX:
            if any(w in text for w in words):
                found.setdefault(href, text)
    return tuple((text, href) for href, text in found.items())


def discover(
    home_url: str, fetcher: PageFetcher, *, today: dt.date | None = None, limit: int = 8
) -> tuple[ColumnCandidate, ...]:
    """Propose the notice columns of a department's site, dated lists first.

    Args:
        home_url: the department's home page.
        fetcher: fetches pages (politely, with the address guard).
        today: the day, for bare month-day dates on the columns' pages.
        limit: at most this many columns are read.

    Raises:
        FetchError, UnsafeTarget: the home page itself could not be read.
    """
    home = fetcher.fetch(home_url)
    candidates = []
    for name, url in column_links(home.content, home.final_url, charset=home.charset)[:limit]:
        try:
            page = fetcher.fetch(url)
        except (FetchError, UnsafeTarget) as exc:
            candidates.append(ColumnCandidate(name, url, None, str(exc)))
            continue
        listed = read_list(page.content, page.final_url, charset=page.charset, today=today)
        candidates.append(ColumnCandidate(name, url, listed))
    return tuple(sorted(candidates, key=lambda c: not c.looks_like_list))


def preview(spec: SourceSpec, fetcher: PageFetcher, *, today: dt.date | None = None) -> ListPage:
    """What the source's list page gives now, read with its hints (the admin's "test" before saving).

    Raises:
        FetchError, UnsafeTarget: the list page could not be read.
    """
    page = fetcher.fetch(spec.url)
    return read_list(page.content, page.final_url, charset=page.charset, hints=spec.hints, today=today)
