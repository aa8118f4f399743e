"""The eligibility engine: conditions × profile → per-condition results → verdict.

    evaluate(condition)  pass | fail | unknown, with the profile value used and a reason
    judge(conditions)    ungrouped conditions: all of them;  conditions sharing a ``group``: any one
                         soft conditions (hard=False, or a lone route of a group): shown, never deciding
                         manual conditions (field "other", unknown titles, unknown scope): 需人工确认

    eligible            every hard condition passes
    possibly_eligible   nothing fails, some hard condition is unknown: ``missing`` says what to fill in
                        (需补充), ``manual`` what a person must confirm (需人工确认)
    not_eligible        some hard condition (or every member of a hard group) fails: see ``unmet``

Ages and expiry dates are measured on ``on`` — the deadline the caller is judging for, not today.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from reminder.model import Condition

from ._evaluators import EVALUATORS, Context, Outcome, manual
from ._results import ConditionResult, Status, Verdict, VerdictStatus, frozen_instance
from ._vocab import judged_spec
from .existence import shown
from .explain import describe
from .profile import Profile
from .regions import Region

__all__ = ["evaluate", "judge", "combine", "group_status"]

log = logging.getLogger(__name__)


def _outcome(condition: Condition, profile: Profile, ctx: Context | None) -> Outcome:
    if ctx is None:
        return manual()
    return EVALUATORS[ctx.spec.kind](condition, profile, ctx)


def evaluate(
    condition: Condition, profile: Profile, *, on: dt.date, notice_region: Region | None = None
) -> ConditionResult:
    """Check one condition against one profile.

    Args:
        condition: from the extractor.
        profile: the company.
        on: the day the condition is judged on (the deadline): company age and qualification expiry
            are measured on this day.
        notice_region: the notice's own region, for 本市/本省/本区; None when unknown.

    Returns:
        The result, with ``reason_zh`` filled in.
    """
    spec = judged_spec(condition)
    ctx = Context(spec, on, notice_region) if spec is not None else None
    out = _outcome(condition, profile, ctx)
    status: Status = "pass" if out.status == "pass" else "fail" if out.status == "fail" else "unknown"
    result = frozen_instance(
        ConditionResult,
        condition=condition,
        status=status,
        used=out.used,
        reason_zh="",
        quote=condition.quote,
        manual=out.manual,
        why=out.why,
        expected=out.expected,
        missing=out.missing,
        on=on,
    )
    # frozen: filled in place rather than through dataclasses.replace (a copy per result, on the hot path)
    result.__dict__["reason_zh"] = describe(result)
    log.debug("%s [%s] %s", condition.field, condition.rule or "-", result.reason_zh)
    return result


def group_status(members: Sequence[ConditionResult]) -> Status | None:
    """An any-of group: pass if one member (or route) passes; fail if all fail.

    Group ids name routes too: ``route-1/2`` is route 2 of set 1, whose members must all hold
    (``route-1/2/or-5``: an any-of group inside that route); a plain id (``or-3``) makes each member a
    route of its own.

    Returns:
        "pass", "fail", "unknown" (some member lacks profile data), or None (undecided only because
        of members a person must check: the verdict is then at best possibly_eligible).
    """
    routes: dict[str, list[ConditionResult]] = {}
    for i, m in enumerate(members):
        parts = (m.condition.group or "").split("/")
        routes.setdefault("/".join(parts[:2]) if len(parts) > 1 else str(i), []).append(m)
    return _any([_route_status(r) for r in routes.values()])


def _any(statuses: Sequence[Status | None]) -> Status | None:
    if "pass" in statuses:
        return "pass"
    if "unknown" in statuses:
        return "unknown"
    return "fail" if all(s == "fail" for s in statuses) else None


def _route_status(members: Sequence[ConditionResult]) -> Status | None:
    """All of a route's conditions (its inner any-of groups each as one)."""
    inner: dict[str, list[ConditionResult]] = {}
    for i, m in enumerate(members):
        parts = (m.condition.group or "").split("/")
        inner.setdefault("/".join(parts) if len(parts) > 2 else str(i), []).append(m)
    statuses = [_any([_single(m) for m in unit]) for unit in inner.values()]
    if "fail" in statuses:
        return "fail"
    if "unknown" in statuses:
        return "unknown"
    return None if None in statuses else "pass"


def _units(results: Sequence[ConditionResult]) -> Iterable[tuple[list[ConditionResult], bool]]:
    """Decision units in notice order: each ungrouped condition alone, each group together, with hardness.

    A group with a single member is a route whose other routes the text did not spell out (直通车: 高企
    may skip the scoring): it is never a requirement on its own, so it counts as soft.
    """
    groups: dict[str, list[ConditionResult]] = {}
    order: list[list[ConditionResult]] = []
    for result in results:
        group = result.condition.group
        base = group.split("/")[0] if group is not None else None
        if base is None:
            order.append([result])
        elif base in groups:
            groups[base].append(result)
        else:
            groups[base] = [result]
            order.append(groups[base])
    for members in order:
        alone = len(members) == 1 and members[0].condition.group is not None
        yield members, not alone and any(m.condition.hard for m in members)


def judge(
    conditions: Sequence[Condition], profile: Profile, *, on: dt.date, notice_region: Region | None = None
) -> Verdict:
    """Decide whether a profile meets a notice's conditions.

    Args:
        conditions: the notice's conditions (``Notice.conditions``).
        profile: the company.
        on: the day to judge on, normally the application deadline.
        notice_region: the notice's own region, for 本市/本省; None when unknown.

    Returns:
        The verdict and its trace (render it with ``explain.render_verdict_zh``).
    """
    return combine(tuple(evaluate(c, profile, on=on, notice_region=notice_region) for c in conditions))


def combine(results: Sequence[ConditionResult]) -> Verdict:
    """The verdict over results already evaluated (what ``judge`` does after ``evaluate``).

    A failing hard unit → not_eligible; else a hard unit that lacks profile data (``missing``) or
    needs a person (``manual``) → possibly_eligible; else eligible. Soft units never change it.

    Args:
        results: one result per condition of a notice, in notice order.

    Returns:
        The verdict; bulk matching calls this with cached results.
    """
    results = tuple(r for r in results if shown(r.status, r.condition))
    unmet: list[ConditionResult] = []
    notes: list[ConditionResult] = []
    missing: list[str] = []
    to_check: list[ConditionResult] = []
    undecided = False
    for members, hard in _units(results):
        status = group_status(members) if len(members) > 1 else _single(members[0])
        if not hard:
            notes.extend(m for m in members if m.status == "fail" or m.manual)
        elif status == "fail":
            unmet.extend(m for m in members if m.status == "fail")
        elif status == "unknown":
            undecided = True
            missing.extend(m.missing for m in members if m.status == "unknown" and m.missing)
        elif status is None:
            to_check.extend(m for m in members if m.manual)
    undecided = undecided or bool(to_check)
    verdict: VerdictStatus = "not_eligible" if unmet else "possibly_eligible" if undecided else "eligible"
    return Verdict(
        status=verdict,
        results=results,
        missing=tuple(dict.fromkeys(missing)),
        unmet=tuple(unmet),
        manual=tuple(to_check),
        notes=tuple(notes),
    )


def _single(result: ConditionResult) -> Status | None:
    return None if result.manual else result.status
