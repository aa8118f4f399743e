"""A company's verdict on every open notice, judged afresh: what ``reminder match``, the company page,
the matches API, the iCal feed and the digests show (``company_matches``).

    load_company_view ── the company's judge and its notices (``company_view``, four queries)
    each notice's side ─ deadlines in order, next one, days left: once per ``Shared`` key
    judge ────────────── the company's results on each notice; ``combine`` once per shape of results

A first company costs about a third of judging and combining each notice on its own (the plain way,
kept as the reference in tests/web/test_company_page_parts.py). what depends on the notice alone (its deadlines in order, the next one, days left, its
place in the list) is made once per ``Shared`` key and kept with the notices (``Notices.memo``), and
notices whose conditions give the company the same results share one verdict (``combine`` runs once per
distinct results, ~60 for a thousand notices, not once per notice). Judging itself stays per request:
the results carry the company's own values (职工总数 73 人 ≤ 500 人), which the stored verdicts do not
keep (``reminder.matching.company_view`` says why).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from reminder.db.models import DeadlineRow, NoticeRow
from reminder.matching._match_notices import local_day
from reminder.matching._profile_judge import Judging
from reminder.matching.company_view import CompanyView, Shared, load_company_view
from reminder.matching.service import VERDICT_ORDER, MatchView
from reminder.rules import ConditionResult, Verdict, VerdictStatus
from reminder.rules.engine import combine

__all__ = ["company_matches"]

_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class _Side:
    """One notice's part of a MatchView: the same for every company at one ``Shared`` key."""

    notice: NoticeRow
    judging: Judging
    #: dated deadlines in date order, then undated ones
    deadlines: tuple[DeadlineRow, ...]
    next_deadline: DeadlineRow | None
    days_left: int | None
    open: bool


def _side(
    notice: NoticeRow, judging: Judging, deadlines: Sequence[DeadlineRow], now: dt.datetime, is_open: bool
) -> _Side:
    dated = sorted((d for d in deadlines if d.at is not None), key=lambda d: (d.at, d.id or 0))
    following = next((d for d in dated if d.at is not None and d.at > now), None)
    days_left = None
    if following is not None and following.date is not None:
        days_left = (following.date - local_day(now)).days
    ordered = tuple(dated + [d for d in deadlines if d.at is None])
    return _Side(notice, judging, ordered, following, days_left, is_open)


def _static_order(side: _Side) -> tuple[bool, dt.datetime, int]:
    """The order within one verdict: by next deadline (none last), then by id."""
    upcoming = side.next_deadline.at if side.next_deadline is not None else None
    return (upcoming is None, upcoming or _LATEST, side.notice.id or 0)


def _sides(seen: CompanyView, now: dt.datetime) -> tuple[_Side, ...]:
    """Every notice's side in list order, made once per ``Shared`` key (or per call without one): the
    key fixes the local day and that no active deadline passes, so another ``now`` gives the same."""
    found = seen.memo.get("web-sides")
    if found is None:
        made = [
            _side(
                seen.notices[j.notice_id], j, seen.deadlines[j.notice_id], now, j.notice_id in seen.open_ids
            )
            for j in seen.judgings
        ]
        found = seen.memo["web-sides"] = tuple(sorted(made, key=_static_order))
    assert isinstance(found, tuple)
    return found


@dataclass(frozen=True)
class _Shape:
    """What ``combine`` made of one notice's results, by position: the same for every notice with the
    same conditions whose results have the same statuses (``combine`` reads nothing else of them)."""

    status: VerdictStatus
    #: positions of the results kept (``shown``), then of the unmet, manual and note ones among those
    kept: tuple[int, ...]
    unmet: tuple[int, ...]
    manual: tuple[int, ...]
    notes: tuple[int, ...]
    missing: tuple[str, ...]

    @classmethod
    def of(cls, results: Sequence[ConditionResult]) -> tuple[_Shape, Verdict]:
        verdict = combine(results)
        where = {id(r): i for i, r in enumerate(results)}
        kept = {id(r): i for i, r in enumerate(verdict.results)}

        def at(chosen: Sequence[ConditionResult]) -> tuple[int, ...]:
            return tuple(kept[id(r)] for r in chosen)

        shape = cls(
            verdict.status, tuple(where[id(r)] for r in verdict.results), at(verdict.unmet),
            at(verdict.manual), at(verdict.notes), verdict.missing,
        )  # fmt: skip
        return shape, verdict

    def verdict(self, results: Sequence[ConditionResult]) -> Verdict:
        kept = tuple([results[i] for i in self.kept])
        return Verdict(
            status=self.status,
            results=kept,
            missing=self.missing,
            unmet=tuple([kept[i] for i in self.unmet]),
            manual=tuple([kept[i] for i in self.manual]),
            notes=tuple([kept[i] for i in self.notes]),
        )


_FIELDS = frozenset(f.name for f in dataclasses.fields(MatchView))


def _view(**values: Any) -> MatchView:
    """A MatchView without its frozen ``__init__`` (one ``object.__setattr__`` per field: 3 µs, a
    thousand per company); every field is given, as the check says."""
    assert values.keys() == _FIELDS
    view = object.__new__(MatchView)
    view.__dict__.update(values)
    return view


def company_matches(
    *,
    session: Session,
    company_id: int,
    now: dt.datetime,
    include_past: bool = False,
    shared: Shared | None = None,
) -> list[MatchView]:
    """The company's verdict on every open notice (and closed ones when asked), judged afresh: eligible,
    then possibly eligible, then not eligible; within each, by next deadline.

    Args:
        session: the session.
        company_id: the company.
        now: the reference instant (which notices are open, days left).
        include_past: also list published notices whose deadlines have all passed.
        shared: where the notices read are kept for other companies (``company_view.Shared``).

    Raises:
        NotFoundError: no company with this id.
        ProfileError: the stored profile is invalid.
    """
    seen = load_company_view(
        session=session, company_id=company_id, now=now, include_past=include_past, shared=shared
    )
    judge = seen.judge
    # results are the judge's own objects, kept by it for this call: equal ids are the same result
    verdicts: dict[tuple[int, ...], Verdict] = {}
    shapes: dict[tuple[object, ...], _Shape] = {}
    groups: dict[str, list[MatchView]] = {status: [] for status in VERDICT_ORDER}
    for side in _sides(seen, now):
        results = judge._all(side.judging)
        key = tuple(map(id, results))
        verdict = verdicts.get(key)
        if verdict is None:
            # most notices differ in a result's text only (company age names the judging day)
            form = (side.judging.signature, *[(r.status, r.manual, r.missing) for r in results])
            shape = shapes.get(form)
            if shape is None:
                shape, verdict = _Shape.of(results)
                shapes[form] = shape
            else:
                verdict = shape.verdict(results)
            verdicts[key] = verdict
        groups[verdict.status].append(
            _view(
                notice=side.notice,
                verdict=verdict,
                status=verdict.status,
                next_deadline=side.next_deadline,
                days_left=side.days_left,
                deadlines=side.deadlines,
                results=verdict.results,
                missing=verdict.missing,
                unmet=verdict.unmet,
                manual=verdict.manual,
                judged_on=side.judging.on,
                open=side.open,
            )
        )
    return [view for status in VERDICT_ORDER for view in groups[status]]
