"""One poll of one source: state in, new items, detail pages and a new state out.

    poll_source(spec, state, fetcher, now)
     ├─ list pages: the first with its validators (304: nothing new on the list)
     │    first poll: up to max_pages, items older than lookback_days remembered, not reported
     │    later polls: stop at the first known item (a pinned 置顶 item above newer ones is skipped)
     ├─ each new item: its detail page (an HTML page, or a file the list links to directly)
     ├─ recently published known items: conditional GET; another content hash → "changed"
     └─ PollResult(new_items, details, changed, problems, …, state)

Nothing is stored here: the caller keeps ``PollResult.state`` and passes it to the next poll. The
content hash is over what was read (title, date, issuer, body, attachment links), so a changed visit
counter or a new sidebar does not count as a change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from reminder.errors import LoadError, UnsafeTarget
from reminder.sources.detail import read_detail
from reminder.sources.errors import FetchError, RobotsDisallowed
from reminder.sources.listpage import read_list
from reminder.sources.model import (
    AttachmentLink,
    DetailPage,
    FetchResult,
    ListItem,
    SourceSpec,
    Validators,
)
from reminder.zone import TZ

__all__ = [
    "PageFetcher",
    "KnownItem",
    "SourceState",
    "ItemProblem",
    "PollResult",
    "poll_source",
    "content_hash",
]

#: the poll interval varies by up to this fraction either way, so sources of one site drift apart
JITTER = 0.1
#: known items re-read per poll to see whether they changed (newest first, within lookback_days)
RECHECK_LIMIT = 20


class PageFetcher(Protocol):
    """What a poll needs of a fetcher (:class:`reminder.sources.fetch.Fetcher` is one)."""

    def fetch(self, url: str, validators: Validators | None = None) -> FetchResult: ...


@dataclass(frozen=True)
class KnownItem:
    """An item a previous poll saw."""

    published: dt.date | None
    #: hash of the detail page as read; None when it was not read (too old on the first poll, refused)
    content_hash: str | None = None
    validators: Validators = Validators()


@dataclass(frozen=True)
class SourceState:
    """What one source's polls remember (the caller stores it between polls)."""

    #: detail URL → what is known of it
    items: Mapping[str, KnownItem] = field(default_factory=dict)
    #: validators of the first list page
    list_validators: Validators = Validators()
    polls: int = 0
    #: items on the first list page at the last poll that read it (None: never read)
    last_item_count: int | None = None


@dataclass(frozen=True)
class ItemProblem:
    """An item whose detail page could not be read this poll."""

    url: str
    reason: str


@dataclass(frozen=True)
class PollResult:
    """What one poll found."""

    #: items not seen before, in list order (newest first on most sites)
    new_items: tuple[ListItem, ...]
    #: the detail pages of the new items that could be read
    details: tuple[DetailPage, ...]
    #: known detail pages whose content changed since they were read
    changed: tuple[DetailPage, ...]
    problems: tuple[ItemProblem, ...]
    pages_read: int
    #: items on the first list page (None when it answered 304)
    items_seen: int | None
    #: the first list page answered 304 Not Modified
    list_not_modified: bool
    #: zero items where the last poll found some: the site's template probably changed
    template_suspect: bool
    state: SourceState


def content_hash(page: DetailPage) -> str:
    """sha256 over what was read of a page, whitespace-insensitive."""
    parts = [
        page.title,
        page.published.isoformat() if page.published else "",
        page.issuer or "",
        "".join(page.body_text.split()),
        *sorted(a.url for a in page.attachments),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def next_poll_at(spec: SourceSpec, last: dt.datetime, rng: random.Random | None = None) -> dt.datetime:
    """When the source is due again: its interval after ``last``, jittered by ±10 %.

    >>> spec = SourceSpec("某局通知公告", "某局", "某市", "municipal", "https://x.gov.cn/tzgg/")
    >>> at = next_poll_at(spec, dt.datetime(2025, 3, 1, 8, 0), random.Random(1))
    >>> dt.timedelta(hours=5, minutes=24) <= at - dt.datetime(2025, 3, 1, 8, 0) <= dt.timedelta(hours=6, minutes=36)
    True
    """
    factor = 1.0 + (rng or random.Random()).uniform(-JITTER, JITTER)
    return last + spec.poll_interval * factor


def poll_source(
    spec: SourceSpec,
    state: SourceState,
    fetcher: PageFetcher,
    now: dt.datetime,
    *,
    recheck: int = RECHECK_LIMIT,
) -> PollResult:
    """Poll one source once.

    Args:
        spec: the source.
        state: what previous polls remembered (``SourceState()`` for the first poll).
        fetcher: fetches pages (politely, with the address guard).
        now: the poll's time (aware); its day in Asia/Shanghai bounds the lookback.
        recheck: how many recently published known items are re-read for changes.

    Returns:
        The new items, their detail pages, changed pages, per-item problems and the new state.

    Raises:
        FetchError, UnsafeTarget: the first list page could not be read (the poll failed).
    """
    today = now.astimezone(TZ).date()
    known = dict(state.items)
    walk = _walk_lists(spec, state, fetcher, known, today)
    details, problems = _read_new(spec, walk.new, fetcher, known)
    changed, more = _recheck(spec, walk.new, fetcher, known, today, recheck)
    seen = walk.items_seen
    suspect = seen == 0 and (state.last_item_count or 0) > 0
    new_state = SourceState(
        items=known,
        list_validators=walk.validators,
        polls=state.polls + 1,
        last_item_count=state.last_item_count if seen is None else seen,
    )
    return PollResult(
        new_items=tuple(walk.new),
        details=tuple(details),
        changed=tuple(changed),
        problems=tuple(walk.problems + problems + more),
        pages_read=walk.pages,
        items_seen=seen,
        list_not_modified=walk.not_modified,
        template_suspect=suspect,
        state=new_state,
    )


@dataclass
class _Walk:
    validators: Validators
    new: list[ListItem] = field(default_factory=list)
    pages: int = 0
    items_seen: int | None = None
    not_modified: bool = False
    problems: list[ItemProblem] = field(default_factory=list)


def _walk_lists(
    spec: SourceSpec, state: SourceState, fetcher: PageFetcher, known: dict[str, KnownItem], today: dt.date
) -> _Walk:
    """Read list pages until a known item, an old page, the page limit or the last page."""
    first = state.polls == 0
    cutoff = today - dt.timedelta(days=spec.lookback_days)
    walk = _Walk(validators=state.list_validators)
    url: str | None = spec.url
    while url is not None and walk.pages < spec.max_pages:
        try:
            result = fetcher.fetch(url, state.list_validators if walk.pages == 0 else None)
        except (FetchError, UnsafeTarget) as exc:
            if walk.pages == 0:
                raise
            walk.problems.append(ItemProblem(url, str(exc)))  # a later page: keep what was read
            break
        walk.pages += 1
        if result.not_modified:
            walk.not_modified = True
            break
        page = read_list(
            result.content, result.final_url, charset=result.charset, hints=spec.hints, today=today
        )
        if walk.pages == 1:
            walk.validators, walk.items_seen = result.validators, len(page.items)
        stop = _take(page.items, walk.new, known, cutoff if first else None, first)
        if stop or (first and page.items and all(_older(i, cutoff) for i in page.items)):
            break
        url = page.next_url
    return walk


def _older(item: ListItem, cutoff: dt.date) -> bool:
    return item.published is not None and item.published < cutoff


def _pinned(items: tuple[ListItem, ...], i: int) -> bool:
    """A known item followed by a newer one is pinned (置顶) above the list, not where new items end."""
    here = items[i].published
    after = next((x.published for x in items[i + 1 :] if x.published is not None), None)
    return here is not None and after is not None and after > here


def _take(
    items: tuple[ListItem, ...],
    new: list[ListItem],
    known: dict[str, KnownItem],
    cutoff: dt.date | None,
    first: bool,
) -> bool:
    """Add a page's unknown items to ``new``; True when a known item ends the walk."""
    taken = {i.url for i in new}
    for i, item in enumerate(items):
        if item.url in taken:
            continue
        if item.url in known:
            if not first and not _pinned(items, i):
                return True
            continue
        if cutoff is not None and _older(item, cutoff):
            known[item.url] = KnownItem(item.published)
            continue
        new.append(item)
        taken.add(item.url)
    return False


def _read(spec: SourceSpec, url: str, title: str, result: FetchResult) -> DetailPage:
    """A fetched detail: an HTML page is read; a file the list links to is its own attachment."""
    kind = (result.content_type or "text/html").split(";", 1)[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        page = read_detail(
            result.content,
            result.final_url,
            charset=result.charset,
            hints=spec.hints,
            default_issuer=spec.issuer,
        )
        return page if page.title else dataclasses.replace(page, title=title)
    return DetailPage(url, title, None, spec.issuer, "", (AttachmentLink(title, result.final_url),))


def _read_new(
    spec: SourceSpec, new: list[ListItem], fetcher: PageFetcher, known: dict[str, KnownItem]
) -> tuple[list[DetailPage], list[ItemProblem]]:
    details, problems = [], []
    for item in new:
        try:
            result = fetcher.fetch(item.url)
            page = _read(spec, item.url, item.title, result)
        except (RobotsDisallowed, UnsafeTarget) as exc:  # permanent: remembered, not retried
            known[item.url] = KnownItem(item.published)
            problems.append(ItemProblem(item.url, str(exc)))
            continue
        except (FetchError, LoadError) as exc:  # transient: the item stays new for the next poll
            problems.append(ItemProblem(item.url, str(exc)))
            continue
        details.append(page)
        known[item.url] = KnownItem(page.published or item.published, content_hash(page), result.validators)
    return details, problems


def _recheck(
    spec: SourceSpec,
    new: list[ListItem],
    fetcher: PageFetcher,
    known: dict[str, KnownItem],
    today: dt.date,
    limit: int,
) -> tuple[list[DetailPage], list[ItemProblem]]:
    """Re-read recently published known pages (conditional GET); report those whose hash changed."""
    fresh = {i.url for i in new}
    cutoff = today - dt.timedelta(days=spec.lookback_days)
    candidates = sorted(
        (
            (url, k)
            for url, k in known.items()
            if url not in fresh and k.content_hash and k.published and k.published >= cutoff
        ),
        key=lambda pair: pair[1].published or dt.date.min,
        reverse=True,
    )[:limit]
    changed, problems = [], []
    for url, was in candidates:
        try:
            result = fetcher.fetch(url, was.validators or None)
            if result.not_modified:
                continue
            page = _read(spec, url, "", result)
        except (FetchError, UnsafeTarget, LoadError) as exc:
            problems.append(ItemProblem(url, str(exc)))
            continue
        digest = content_hash(page)
        known[url] = KnownItem(page.published or was.published, digest, result.validators)
        if digest != was.content_hash:
            changed.append(page)
    return changed, problems
