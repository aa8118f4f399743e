"""A company's verdict on every open notice, judged afresh: what ``reminder match``, the company page,
the matches API, the iCal feed and the digests show (``company_matches``, or ``company_verdicts`` for
the statuses at once and the MatchViews when read).

    load_company_view ── the company's judge and its notices (``company_view``, four queries)
    plan ─────────────── per ``Shared`` key: each notice's side (deadlines in order, next one, days
                         left), its slots (condition, judging day, region) and its group (same slots)
    judge ────────────── each slot once; groups with the same results are one class; ``combine`` once
                         per shape of results; a class's verdict made when one of its notices is read

A first company costs a small part of judging and combining each notice on its own (the plain way, kept
as the reference in tests/web/test_company_page_parts.py): ~1,000 notices are ~400 slots, ~750 groups
and ~60 classes. Judging itself stays per request: the results carry the company's own values (职工总数
73 人 ≤ 500 人), which the stored verdicts do not keep (``reminder.matching.company_view`` says why).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from types import SimpleNamespace
from typing import Any

from sqlmodel import Session

from reminder.db.models import DeadlineRow, NoticeRow
from reminder.matching._match_notices import local_day
from reminder.matching._profile_judge import DAY_FIELDS, REGION_FIELD, Judging, ProfileJudge
from reminder.matching.company_view import CompanyView, Shared, load_company_view
from reminder.matching.service import VERDICT_ORDER, MatchView
from reminder.model import Condition
from reminder.rules import ConditionResult, Region, Verdict, VerdictStatus, frozen_instance
from reminder.rules.engine import combine
from reminder.rules.existence import is_existence

__all__ = ["company_matches", "company_verdicts", "CompanyVerdicts"]

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
    """Every notice's side in list order."""
    made = [
        _side(seen.notices[j.notice_id], j, seen.deadlines[j.notice_id], now, j.notice_id in seen.open_ids)
        for j in seen.judgings
    ]
    return tuple(sorted(made, key=_static_order))


#: shapes across companies, by the identity of the conditions and their results' statuses (what
#: ``combine`` reads): most companies' results take the same few shapes on each group of notices
_SHAPES: dict[tuple[object, ...], tuple[_Shape, tuple[Condition, ...]]] = {}
_SHAPES_SIZE = 50_000


@dataclass(frozen=True)
class _Plan:
    """The notices' side of ``company_matches``, the same for every company at one ``Shared`` key.

    A company's results depend on a condition, the judging day (for company age and qualifications
    only) and the notice's region (for 本市 only): each such *slot* is judged once per company, and the
    notices whose conditions are the same slots (a national programme reissued by every province, the
    same wording every year) share one verdict, made once per company rather than once per notice.
    """

    #: (condition, day, region) in order of first use: the day and region the first notice to use
    #: the slot is judged with (what judging notice by notice in list order did)
    slots: tuple[tuple[Condition, dt.date, Region | None], ...]
    #: each group's slot positions and the identity of its conditions
    groups: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    #: each group's results from the slots' (or any list by slot: their ids), as a tuple (``_getter``)
    getters: tuple[Callable[[Sequence[Any]], tuple[Any, ...]], ...]
    #: every notice's fields of a MatchView (``_side_part``) in list order, with its group's position
    sides: tuple[tuple[dict[str, Any], int], ...]
    #: whether each notice is open, by position, and the positions of those no longer open
    open: tuple[bool, ...]
    closed: tuple[int, ...]
    #: the slots of existence checks (every notice has one, on its own day), the earliest of their days,
    #: and the other slots
    checks: tuple[int, ...]
    first_check_day: dt.date | None
    others: tuple[int, ...]
    #: groups alike but for their existence checks' days: each family's first group, each group's family
    families: tuple[int, ...]
    family_of: tuple[int, ...]
    #: each notice's group's item of a list by group, by position
    by_position: Callable[[Sequence[Any]], tuple[Any, ...]]
    #: every notice's fields of a MatchView in list order (the dicts of ``sides``)
    side_fields: tuple[dict[str, Any], ...]
    #: positions sorted by a key of the sides (``order``)
    orders: dict[Callable[[Any], Any], tuple[int, ...]] = field(default_factory=dict, compare=False)

    def order(self, key: Callable[[Any], Any]) -> tuple[int, ...]:
        """Positions sorted by ``key`` of each side (read as attributes: ``key(side).notice``)."""
        found = self.orders.get(key)
        if found is None:
            sides = [SimpleNamespace(**side) for side, _ in self.sides]
            found = self.orders[key] = tuple(sorted(range(len(sides)), key=lambda i: key(sides[i])))
        return found


def _slot_key(cond: Condition, judging: Judging) -> tuple[int, dt.date | None, Region | None]:
    return (
        id(cond),
        judging.on if cond.field in DAY_FIELDS else None,
        judging.region if cond.field == REGION_FIELD else None,
    )


def _make_plan(sides: Sequence[_Side]) -> _Plan:
    slot_at: dict[tuple[int, dt.date | None, Region | None], int] = {}
    slots: list[tuple[Condition, dt.date, Region | None]] = []
    group_at: dict[tuple[int, ...], int] = {}
    groups: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    placed: list[tuple[dict[str, Any], int]] = []
    for side in sides:
        judging = side.judging
        positions = []
        for cond in judging.conditions:
            key = _slot_key(cond, judging)
            at = slot_at.get(key)
            if at is None:
                at = slot_at[key] = len(slots)
                slots.append((cond, judging.on, judging.region))
            positions.append(at)
        form = tuple(positions)
        group = group_at.get(form)
        if group is None:
            group = group_at[form] = len(groups)
            groups.append((form, judging.signature))
        placed.append((_side_part(side), group))
    getters = tuple(_getter(positions) for positions, _ in groups)
    # groups that differ in their existence checks' days only: one family (its first group stands for it)
    checks = tuple(i for i, (cond, _, _) in enumerate(slots) if is_existence(cond))
    checked = frozenset(checks)
    family_at: dict[tuple[int, ...], int] = {}
    families: list[int] = []
    family_of: list[int] = []
    for group, (members, _) in enumerate(groups):
        like = tuple(-1 if i in checked else i for i in members)
        family = family_at.get(like)
        if family is None:
            family = family_at[like] = len(families)
            families.append(group)
        family_of.append(family)
    first_check_day = min((slots[i][1] for i in checks), default=None)
    others = tuple(i for i in range(len(slots)) if i not in checked)
    return _Plan(
        tuple(slots), tuple(groups), getters, tuple(placed), tuple(side.open for side in sides),
        tuple(i for i, side in enumerate(sides) if not side.open), checks, first_check_day, others, tuple(families), tuple(family_of),
        _getter(tuple(group for _, group in placed)), tuple(side for side, _ in placed),
    )  # fmt: skip


def _getter(positions: tuple[int, ...]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The items at ``positions`` as a tuple, picked in C (``itemgetter`` gives one item bare)."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    if positions:
        one = positions[0]
        return lambda judged: (judged[one],)
    return lambda judged: ()


def _plan(seen: CompanyView, now: dt.datetime) -> _Plan:
    """The plan, made once per ``Shared`` key (or per call without one): the key fixes the local day and
    that no active deadline passes, so another ``now`` gives the same."""
    found = seen.memo.get("company-plan")
    if found is None:
        found = seen.memo["company-plan"] = _make_plan(_sides(seen, now))
    assert isinstance(found, _Plan)
    return found


def _judged(judge: ProfileJudge, plan: _Plan) -> list[ConditionResult]:
    """Each slot's result, the same objects as ``judge._result`` gives slot by slot in order."""
    slots, checks = plan.slots, plan.checks
    founded = judge.profile.founded_on
    if (
        checks
        and founded is not None
        and plan.first_check_day is not None
        and founded <= plan.first_check_day
    ):
        first = judge._result(*slots[checks[0]])
        if judge._exists is first:
            # founded by every check's day and the first check passed: ``_result`` gives every later check
            # that passed result (other slots read nothing of the checks), so only the others are judged
            judged = [first] * len(slots)
            result = judge._result
            for i in plan.others:
                judged[i] = result(*slots[i])
            return judged
    return [judge._result(cond, on, region) for cond, on, region in slots]


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
        return frozen_instance(
            Verdict,
            status=self.status,
            results=kept,
            missing=self.missing,
            unmet=tuple([kept[i] for i in self.unmet]) if self.unmet else (),
            manual=tuple([kept[i] for i in self.manual]) if self.manual else (),
            notes=tuple([kept[i] for i in self.notes]) if self.notes else (),
        )


def _verdict_part(verdict: Verdict) -> dict[str, Any]:
    """A MatchView's fields that come from its verdict."""
    return {
        "verdict": verdict,
        "status": verdict.status,
        "results": verdict.results,
        "missing": verdict.missing,
        "unmet": verdict.unmet,
        "manual": verdict.manual,
    }


def _side_part(side: _Side) -> dict[str, Any]:
    """A MatchView's fields that come from its notice."""
    return {
        "notice": side.notice,
        "next_deadline": side.next_deadline,
        "days_left": side.days_left,
        "deadlines": side.deadlines,
        "judged_on": side.judging.on,
        "open": side.open,
    }


class CompanyVerdicts:
    """One company's verdicts on the notices: every notice's status at once, its MatchView when asked.

    Positions are those of the notices in list order (``_static_order``). A page showing 50 notices per
    verdict makes 150 MatchViews, not a thousand: the statuses come from the groups' shapes alone.
    """

    def __init__(self, seen: CompanyView, plan: _Plan) -> None:
        self._plan = plan
        # results are the judge's own objects, kept by it for this call: equal ids are the same result
        judged = _judged(seen.judge, plan)
        #: groups with the same results (the same objects): each class's results and shape
        self._results: list[list[ConditionResult]] = []
        self._shapes: list[_Shape] = []
        #: a MatchView's verdict fields by class, made when read (``_part``)
        self._made: dict[int, dict[str, Any]] = {}
        #: the same by shape and the results kept (``_kept_key``)
        self._parts: dict[tuple[int, ...], dict[str, Any]] = {}
        # each group's results as their ids (the same ids: the same results, one class), then each
        # class from its first group, in group order; when one result stands for every existence check
        # (``ProfileJudge``: the company existed on every day), a family's groups have the same results
        # (a group's getter picks its results' ids as a tuple from the slots' ids, in C)
        getters, ids = plan.getters, list(map(id, judged))
        if len({ids[i] for i in plan.checks}) == 1:
            alike = [getters[group](ids) for group in plan.families]
            keys = list(map(alike.__getitem__, plan.family_of))
        else:
            keys = [get(ids) for get in getters]
        first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
        made = sorted(first.values())
        for group in made:
            results = list(plan.getters[group](judged))
            signature = plan.groups[group][1]
            # classes mostly differ in a result's text only (company age names the judging day)
            form = (signature, *[(r.status, r.manual, r.missing) for r in results])
            kept = _SHAPES.get(form)
            if kept is None:
                shape, verdict = _Shape.of(results)
                if len(_SHAPES) >= _SHAPES_SIZE:
                    _SHAPES.clear()
                # the conditions stay alive with the entry: their ids in the key are not reused
                _SHAPES[form] = (shape, tuple(r.condition for r in results))
                part = self._parts[self._kept_key(shape, results)] = _verdict_part(verdict)
                self._made[len(self._shapes)] = part
            else:
                shape = kept[0]
            self._results.append(results)
            self._shapes.append(shape)
        number = {keys[group]: found for found, group in enumerate(made)}
        #: each group's class, and each notice's (picked in C: a thousand notices)
        self._class: list[int] = list(map(number.__getitem__, keys))
        self._class_at = plan.by_position(self._class)
        #: each notice's status, by position
        self.statuses: list[VerdictStatus] = list(
            map([s.status for s in self._shapes].__getitem__, self._class_at)
        )

    @property
    def open(self) -> tuple[bool, ...]:
        """Whether each notice is open, by position."""
        return self._plan.open

    def order(self, key: Callable[[Any], Any]) -> tuple[int, ...]:
        """Positions sorted by ``key`` of each notice's side (a MatchView's fields but the verdict's),
        sorted once per ``Shared`` key: ``key`` must read the notice's side only."""
        return self._plan.order(key)

    @staticmethod
    def _kept_key(shape: _Shape, results: Sequence[ConditionResult]) -> tuple[int, ...]:
        """What a verdict is made of: its shape and the results it keeps. Groups whose results differ
        in hidden ones only (each notice's existence check, passed on its own day) share a verdict."""
        return (id(shape), *[id(results[i]) for i in shape.kept])

    def _part(self, found: int) -> dict[str, Any]:
        """The verdict fields of a class's MatchViews."""
        part = self._made.get(found)
        if part is None:
            results, shape = self._results[found], self._shapes[found]
            key = self._kept_key(shape, results)
            part = self._parts.get(key)
            if part is None:
                part = self._parts[key] = _verdict_part(shape.verdict(results))
            self._made[found] = part
        return part

    def view(self, position: int) -> MatchView:
        """The MatchView of the notice at ``position``."""
        return self.views((position,))[0]

    def fields(self, positions: Iterable[int]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """The MatchView fields of the notices at these positions, as two shared dicts each (read
        only): the notice's (``_side_part``) and the verdict's (``_verdict_part``)."""
        sides, classes, made = self._plan.sides, self._class, self._made
        out = []
        for i in positions:
            side, group = sides[i]
            found = classes[group]
            out.append((side, made.get(found) or self._part(found)))
        return out

    @property
    def sides(self) -> tuple[dict[str, Any], ...]:
        """Each notice's fields (``_side_part``) by position: the same tuple for every company at one
        ``Shared`` key (read only), so what is made of it may be kept by its identity."""
        return self._plan.side_fields

    @property
    def classes(self) -> tuple[int, ...]:
        """Each notice's class by position: notices of one class have the same verdict fields."""
        return self._class_at

    def class_fields(self, found: int) -> dict[str, Any]:
        """The verdict fields (``_verdict_part``) of the notices of class ``found``: ``fields`` by
        columns, ``(sides[i], class_fields(classes[i]))`` for position ``i``."""
        return self._made.get(found) or self._part(found)

    def views(self, positions: Iterable[int]) -> list[MatchView]:
        """The MatchViews of the notices at these positions."""
        new = object.__new__
        out = []
        for side, part in self.fields(positions):
            view = new(MatchView)
            fields = view.__dict__
            fields.update(side)
            fields.update(part)
            out.append(view)
        return out

    def pattern(
        self,
        only: Collection[str],
        kind: Callable[[VerdictStatus, tuple[str, ...], tuple[ConditionResult, ...]], Hashable],
    ) -> tuple[object, tuple[Hashable, ...]]:
        """What the notices with these verdicts show as far as ``kind`` of a verdict's status, missing
        fields and manual checks tells, for every notice at once (no verdict made): the plan (the notices'
        side; hold on to it) and each group's ``kind`` (None: another verdict). Two companies with the
        same pattern of one plan list the same notices with verdicts of the same kinds, in one order."""
        kinds = [
            kind(shape.status, shape.missing, tuple([results[shape.kept[i]] for i in shape.manual]))
            if shape.status in only
            else None
            for results, shape in zip(self._results, self._shapes, strict=True)
        ]
        return self._plan, tuple(map(kinds.__getitem__, self._class))

    def closed(self) -> list[int]:
        """The positions of the notices no longer open, as ``listed`` orders them: by verdict, then by
        position (a few of a thousand, found without listing the others)."""
        statuses, closed = self.statuses, self._plan.closed
        return [i for status in VERDICT_ORDER for i in closed if statuses[i] == status]

    def listed(self, only: Collection[str] | None = None) -> list[int]:
        """Every position as ``company_matches`` lists them: by verdict, then by next deadline
        (``only``: of notices with these verdicts)."""
        statuses = self.statuses
        out: list[int] = []
        for status in VERDICT_ORDER:
            if only is None or status in only:
                out += compress(range(len(statuses)), map(status.__eq__, statuses))
        return out


def company_verdicts(
    *,
    session: Session,
    company_id: int,
    now: dt.datetime,
    include_past: bool = False,
    shared: Shared | None = None,
) -> CompanyVerdicts:
    """The company's verdict on every open notice (and closed ones when asked), judged afresh: the
    statuses at once, the MatchViews when asked (``CompanyVerdicts.view``). Arguments and errors as
    ``company_matches``."""
    seen = load_company_view(
        session=session, company_id=company_id, now=now, include_past=include_past, shared=shared
    )
    return CompanyVerdicts(seen, _plan(seen, now))


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
    found = company_verdicts(
        session=session, company_id=company_id, now=now, include_past=include_past, shared=shared
    )
    return found.views(found.listed())
