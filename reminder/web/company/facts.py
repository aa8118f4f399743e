"""What a call is worth and how to apply, as the enterprise pages and the API show it (issue 13).

    NoticeRow (benefits, how_to_apply, contacts, attachments: JSON columns) ── facts_of ── NoticeFacts
        top_benefit ─ the largest amount, CNY first (then other currencies), else the first benefit
        first_step ── the first way to apply (a system, an email, an office, who recommends)
    by_benefit(items) ── notice lists re-ordered by their top benefit (stable: days left break ties)
    sort_choice / sort_links ── the ``?sort=days|benefit`` parameter and the links that switch it

No query: the facts are columns of the notice row every list already reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode, urlsplit

from reminder.db.models import NoticeRow
from reminder.db.rows import notice_facts
from reminder.model import ApplyStep, Attachment, Benefit, Contact

__all__ = [
    "SORTS",
    "NoticeFacts",
    "SortLink",
    "facts_of",
    "top_benefit",
    "benefit_key",
    "benefit_rank",
    "by_benefit",
    "sort_choice",
    "sort_links",
    "safe_url",
    "PageLink",
    "page_number",
    "page_links",
]

#: ``?sort=`` value → the link's Chinese label; the first is the default
SORTS: dict[str, str] = {"days": "按剩余天数", "benefit": "按支持金额"}
#: how-to-apply kinds that say where or through whom to apply (materials say what to submit)
_CHANNEL_KINDS = ("online", "email", "post", "office", "recommend", "other")


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) address a page may link to, else None.

    >>> safe_url("https://zwfw.example.gov.cn/apply"), safe_url("javascript:alert(1)")
    ('https://zwfw.example.gov.cn/apply', None)
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def top_benefit(benefits: Sequence[Benefit]) -> Benefit | None:
    """The benefit a card shows: the largest amount in CNY, else the largest in another currency
    (amounts in 万 of their own currency, never converted), else the first benefit stated."""
    with_amount = [b for b in benefits if b.amount is not None]
    cny = [b for b in with_amount if b.currency == "CNY"]
    pool = cny or with_amount
    if pool:
        return max(pool, key=lambda b: b.amount or 0.0)  # max keeps the first of equal amounts
    return benefits[0] if benefits else None


def benefit_key(benefits: Sequence[Benefit]) -> tuple[int, float]:
    """Sort key, largest benefit first: CNY amounts, then other currencies, then benefits without an
    amount (a title, a rate), then notices stating none."""
    top = top_benefit(benefits)
    if top is None:
        return (3, 0.0)
    if top.amount is None:
        return (2, 0.0)
    return (0 if top.currency == "CNY" else 1, -top.amount)


@dataclass(frozen=True)
class NoticeFacts:
    """A stored notice's benefits, how-to-apply steps, contacts and attachments."""

    benefits: tuple[Benefit, ...] = ()
    how_to_apply: tuple[ApplyStep, ...] = ()
    contacts: tuple[Contact, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @property
    def top_benefit(self) -> Benefit | None:
        return top_benefit(self.benefits)

    @property
    def top_label(self) -> str:
        """``补助 最高 50 万元``; empty when the notice states no benefit."""
        top = self.top_benefit
        return top.label() if top is not None else ""

    @property
    def steps(self) -> tuple[ApplyStep, ...]:
        """Where and through whom to apply, in the notice's order."""
        return tuple(s for s in self.how_to_apply if s.kind in _CHANNEL_KINDS)

    @property
    def materials(self) -> tuple[ApplyStep, ...]:
        """What to submit (申报书、承诺书…, 一式N份)."""
        return tuple(s for s in self.how_to_apply if s.kind == "materials")

    @property
    def first_step(self) -> str:
        """The first way to apply as one line (``网上申报：浙江政务服务网 …``), else the first step; "" if none."""
        chosen = self.steps or self.how_to_apply
        return chosen[0].label() if chosen else ""

    @property
    def empty(self) -> bool:
        return not (self.benefits or self.how_to_apply or self.contacts or self.attachments)


def facts_of(notice: NoticeRow) -> NoticeFacts:
    """The facts stored on a notice row (none on rows stored before they were read)."""
    return NoticeFacts(**notice_facts(notice))


class _HasNotice(Protocol):
    @property
    def notice(self) -> NoticeRow: ...


Item = TypeVar("Item", bound=_HasNotice)


def benefit_rank(item: _HasNotice) -> tuple[int, float]:
    """The sort key of an item (anything with ``.notice``) by its notice's top benefit, largest first."""
    return benefit_key(facts_of(item.notice).benefits)


def by_benefit(items: Iterable[Item]) -> list[Item]:
    """Items (anything with ``.notice``) largest top benefit first; equal ones keep their order."""
    return sorted(items, key=benefit_rank)


def sort_choice(value: str | None) -> str:
    """The ``sort`` parameter: "benefit" or (default, and for anything else) "days"."""
    return value if value in SORTS else next(iter(SORTS))


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    #: the current address's query with ``sort`` set (a view link keeps its token)
    href: str
    active: bool


def sort_links(query: Mapping[str, Any], current: str) -> list[SortLink]:
    """The links that switch the order of a notice list, keeping the other query parameters."""
    kept = {k: str(v) for k, v in query.items() if k not in ("sort", "msg", "page")}
    return [
        SortLink(key, label, "?" + urlencode({**kept, "sort": key}), key == current)
        for key, label in SORTS.items()
    ]


@dataclass(frozen=True)
class PageLink:
    """One link of a list's pager (上一页 / 第 N 页 / 下一页)."""

    label: str
    href: str
    #: the page shown now (rendered as text, not a link)
    current: bool = False


def page_number(raw: str | None) -> int:
    """The page asked for (from 1); anything else (missing, 0, -3, 'x', 10**30) is page 1."""
    if raw is None or not raw.isdigit() or len(raw) > 6:
        return 1
    return max(1, int(raw))


def page_links(query: Mapping[str, Any], page: int, total: int, size: int) -> list[PageLink]:
    """上一页 · 第 N/M 页 · 下一页 for a list of ``total`` items shown ``size`` at a time, keeping the
    other query parameters; no links when everything fits on one page."""
    pages = max(1, -(-total // size))
    if pages == 1:
        return []
    kept = {k: str(v) for k, v in query.items() if k not in ("page", "msg")}

    def href(n: int) -> str:
        return "?" + urlencode({**kept, "page": str(n)})

    links = [PageLink("上一页", href(page - 1))] if page > 1 else []
    links.append(PageLink(f"第 {min(page, pages)}/{pages} 页", href(page), current=True))
    if page < pages:
        links.append(PageLink("下一页", href(page + 1)))
    return links
