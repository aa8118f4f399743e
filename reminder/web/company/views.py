"""How matches read on a page: Chinese labels, days left, and the grouping of the company page.

sections(a company's verdicts) → [eligible, possibly eligible, not eligible], each with its open notices
deadline_text / days_left_text / kind_label / status_label ─ filters for templates and the iCal feed
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from reminder.db.models import DeadlineRow
from reminder.extract.normalize import to_simplified
from reminder.matching.company_verdicts import CompanyVerdicts
from reminder.model import DEADLINE_KIND_LABELS
from reminder.rules import VERDICT_LABELS_ZH
from reminder.web.company.facts import benefit_rank
from reminder.web.dates import zh_date

__all__ = [
    "STATUS_LABELS",
    "KIND_LABELS",
    "Section",
    "sections",
    "status_label",
    "kind_label",
    "deadline_text",
    "days_left_text",
    "simplified_title",
]

#: verdict status → Chinese heading: the rules' labels, which reminders and the iCal feed use too
STATUS_LABELS: dict[str, str] = VERDICT_LABELS_ZH
#: deadline kind → Chinese: the one table in reminder.model
KIND_LABELS: dict[str, str] = DEADLINE_KIND_LABELS


@dataclass(frozen=True)
class Section:
    """One verdict's group of notices on the company page."""

    #: eligible, possibly_eligible or not_eligible
    status: str
    #: Chinese heading
    title: str
    #: the MatchViews in this group, in the page's order (made when read)
    items: Sequence[Any]


def status_label(status: str) -> str:
    """``eligible`` → 符合条件."""
    return STATUS_LABELS.get(status, status)


def kind_label(kind: str) -> str:
    """``application`` → 申报截止."""
    return KIND_LABELS.get(kind, kind)


def deadline_text(deadline: DeadlineRow | None) -> str:
    """``2025年3月10日 周一 16:00前`` / ``2025年3月28日 周五（当天24:00前）`` / ``另行通知``."""
    if deadline is None:
        return "无"
    if deadline.to_be_announced or deadline.date is None:
        return "另行通知"
    mark = "约" if deadline.approximate else ""
    if deadline.time is not None:
        return f"{mark}{zh_date(deadline.date)} {deadline.time.strftime('%H:%M')}前"
    return f"{mark}{zh_date(deadline.date)}（当天24:00前）"


def simplified_title(title: str | None) -> str:
    """A traditional-character title in simplified characters; "" when it is simplified already.

    The original title is what the page shows first (it is the notice's own text); this is a reading aid.
    """
    if not title:
        return ""
    simplified = to_simplified(title)
    return simplified if simplified != title else ""


def days_left_text(days: int | None) -> str:
    """``还剩 5 天`` / ``今天截止`` / ``已截止`` / empty when unknown."""
    if days is None:
        return ""
    if days < 0:
        return "已截止"
    if days == 0:
        return "今天截止"
    return f"还剩 {days} 天"


def _soonest(item: Any) -> tuple[int, dt.date, int]:
    deadline = item.next_deadline
    day = deadline.date if deadline is not None and deadline.date is not None else dt.date.max
    return (0 if deadline is not None else 1, day, item.notice.id or 0)


def _largest_benefit(item: Any) -> tuple[tuple[int, float], tuple[int, dt.date, int]]:
    """By top benefit, the largest first; then soonest (what a stable sort of the soonest order gave)."""
    return (benefit_rank(item), _soonest(item))


class _Views(Sequence[Any]):
    """A section's MatchViews, made when read: a page shows the first 50 of a thousand."""

    def __init__(self, found: CompanyVerdicts, positions: list[int]) -> None:
        self._found = found
        self._positions = positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self._found.views(self._positions[index])
        return self._found.view(self._positions[index])


def sections(found: CompanyVerdicts, *, benefit: bool = False) -> list[Section]:
    """The open notices grouped by verdict, in the order eligible, possibly eligible, not eligible.

    Args:
        found: the company's verdicts (``reminder.matching.company_verdicts``).
        benefit: within each, the largest top benefit first (else the soonest deadline first).

    Returns:
        Three sections, empty ones included (the page says "none" for them).
    """
    chosen: dict[str, list[int]] = {status: [] for status in STATUS_LABELS}
    statuses, is_open = found.statuses, found.open
    for i in found.order(_largest_benefit if benefit else _soonest):
        if is_open[i]:
            chosen[statuses[i]].append(i)
    return [Section(status, title, _Views(found, chosen[status])) for status, title in STATUS_LABELS.items()]
