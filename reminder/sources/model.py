"""The plain objects of source watching: what a source is, what its pages say, what a fetch returned.

    SourceSpec ── hints: Hints (CSS selectors for sites the generic reader misreads)
    ListPage ──── items: ListItem…, next_url
    DetailPage ── attachments: AttachmentLink…
    FetchResult   one HTTP answer (200 with content, or 304 not_modified)
    Validators    ETag / Last-Modified kept from a previous answer

All are frozen dataclasses checked when built; storage maps them to rows later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from reminder.sources.errors import SourceError
from reminder.sources.vocab import selector

__all__ = [
    "Trust",
    "Level",
    "Hints",
    "SourceSpec",
    "ListItem",
    "ListPage",
    "AttachmentLink",
    "DetailPage",
    "Validators",
    "FetchResult",
    "DEFAULT_POLL_INTERVAL",
]

Trust = Literal["auto", "review"]
Level = Literal["national", "provincial", "municipal", "district"]
_TRUSTS = ("auto", "review")
_LEVELS = ("national", "provincial", "municipal", "district")
#: how often a source is read unless it says otherwise
DEFAULT_POLL_INTERVAL = dt.timedelta(hours=6)


def _check_http(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"{what}必须是 http(s) 网址：{url!r} / {what} must be an http(s) URL")


@dataclass(frozen=True)
class Hints:
    """Per-site CSS selectors; each one, when given, overrides the generic reader for its part.

    >>> Hints(items="ul.list >> li")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    reminder.sources.errors.SourceError: CSS 选择器无效：'ul.list >> li'...
    """

    #: one element per notice on the list page
    items: str | None = None
    #: the title link inside an item (default: the item's first link)
    title: str | None = None
    #: the date inside an item (default: any date in the item's text)
    date: str | None = None
    #: the "next page" link on the list page
    next_page: str | None = None
    #: the body container on a detail page
    body: str | None = None
    #: the attachment links on a detail page
    attachments: str | None = None

    def __post_init__(self) -> None:
        """Every selector given must be valid CSS (an operator learns it when saving, not at the next poll)."""
        for name in ("items", "title", "date", "next_page", "body", "attachments"):
            css = getattr(self, name)
            if css is not None:
                selector(css)


@dataclass(frozen=True)
class SourceSpec:
    """One watched list page (a 通知公告 / 项目申报 column) and how to read it.

    >>> SourceSpec("某科技局通知公告", "某科技局", "某市", "municipal", "ftp://x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    reminder.sources.errors.SourceError: 列表页地址必须是 http(s) 网址...
    """

    name: str
    #: the default issuer of its notices (a page naming its own issuer wins)
    issuer: str
    #: the default region of its notices, e.g. 广州市天河区
    region: str
    level: Level
    #: the list page
    url: str
    poll_interval: dt.timedelta = DEFAULT_POLL_INTERVAL
    enabled: bool = True
    #: "auto": new notices are published; "review": they wait for an operator
    trust: Trust = "review"
    hints: Hints = field(default_factory=Hints)
    #: list pages read on the first poll (and at most on any poll)
    max_pages: int = 5
    #: on the first poll, items older than this are recorded as known but not reported
    lookback_days: int = 90

    def __post_init__(self) -> None:
        _check_http(self.url, "列表页地址")
        if not self.name.strip():
            raise SourceError("来源名称不能为空 / a source needs a name")
        if self.trust not in _TRUSTS:
            raise SourceError(f"trust 只能是 auto 或 review：{self.trust!r} / trust must be auto or review")
        if self.level not in _LEVELS:
            raise SourceError(f"未知的层级 {self.level!r} / unknown level; one of {', '.join(_LEVELS)}")
        if self.poll_interval <= dt.timedelta(0):
            raise SourceError("轮询间隔必须大于 0 / the poll interval must be positive")
        if self.max_pages < 1 or self.lookback_days < 1:
            raise SourceError("max_pages 与 lookback_days 至少为 1 / max_pages and lookback_days must be ≥ 1")


@dataclass(frozen=True)
class ListItem:
    """One notice as a list page shows it."""

    title: str
    #: absolute URL of the detail page (or of a file, when the list links straight to one)
    url: str
    published: dt.date | None


@dataclass(frozen=True)
class ListPage:
    """What one list page shows: its items, in page order, and the next page if any."""

    url: str
    items: tuple[ListItem, ...]
    next_url: str | None


@dataclass(frozen=True)
class AttachmentLink:
    """A file linked from a detail page (附件)."""

    #: the link text (or the file name when the link has no text)
    name: str
    url: str


@dataclass(frozen=True)
class DetailPage:
    """A notice's own page as read: each field None when the page does not say."""

    url: str
    title: str
    published: dt.date | None
    issuer: str | None
    body_text: str
    attachments: tuple[AttachmentLink, ...] = ()
    #: <meta name="ColumnName">, e.g. 通知公告
    column: str | None = None
    #: <meta name="SiteName">
    site: str | None = None


@dataclass(frozen=True)
class Validators:
    """What a server said to identify a version of a page, sent back on the next request."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class FetchResult:
    """One fetched page: 200 with its bytes, or 304 (``not_modified``, empty content)."""

    #: the URL asked for
    url: str
    #: the URL answered, after redirects
    final_url: str
    status: int
    content: bytes
    content_type: str | None
    #: the charset the Content-Type header names, if any
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)
