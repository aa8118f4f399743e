"""Judging one company against many notices, each distinct condition evaluated once.

Notices repeat each other's wording (a national programme reissued by every province, yearly calls):
a condition's result depends on the condition, the judging day (company age, qualification expiry)
and the notice's region (本市) only, so results are cached by those, and verdicts by their results.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import NamedTuple

from sqlmodel import Session

from reminder.db.verdicts import verdict_json
from reminder.matching._match_notices import (
    NoticeHead,
    needs_notice_region,
    notice_conditions,
    notice_region,
    open_notices,
)
from reminder.model import Condition
from reminder.rules import ConditionResult, Profile, Region, Verdict, age_reads, condition_spec, evaluate
from reminder.rules.engine import combine
from reminder.rules.existence import exists_on, is_existence, shown

__all__ = [
    "Judging",
    "judgings",
    "open_judgings",
    "ProfileJudge",
    "StoredVerdict",
    "DAY_FIELDS",
    "REGION_FIELD",
]

#: fields whose results depend on the judging day (``ProfileJudge._day_key``), on the notice's region
DAY_FIELDS = frozenset({"company_age_years", "qualification"})
REGION_FIELD = "registered_region"

log = logging.getLogger(__name__)

#: (status, missing JSON, unmet JSON, trace JSON: {"on", "statuses" per condition, "manual" quotes})
StoredVerdict = tuple[str, str, str, str]


class Judging(NamedTuple):
    """One notice as a company is judged against it (a tuple: made by the thousand)."""

    notice_id: int
    conditions: tuple[Condition, ...]
    #: the day to judge on (the notice's last deadline, or today)
    on: dt.date
    #: the notice's own region, when a condition says 本市/本省
    region: Region | None
    #: identity of its conditions (parsed conditions are shared between notices that repeat them)
    signature: tuple[int, ...] = ()
    #: it has a condition on company age / on qualifications (results depending on ``on``)
    aged: bool = False
    qualified: bool = False


def _judging(head: NoticeHead, conditions: tuple[Condition, ...]) -> Judging:
    fields = {c.field for c in conditions}
    relative = REGION_FIELD in fields and needs_notice_region(conditions)
    region = notice_region(head.issuer, head.title, head.level) if relative else None
    signature = tuple(map(id, conditions))
    aged, qualified = "company_age_years" in fields, "qualification" in fields
    return Judging(head.id, conditions, head.judge_day, region, signature, aged, qualified)


def judgings(*, session: Session, heads: Sequence[NoticeHead]) -> list[Judging]:
    """The conditions and judging context of each of these notices."""
    conditions = notice_conditions(session=session, notice_ids=[h.id for h in heads])
    return [_judging(head, conditions[head.id]) for head in heads]


def open_judgings(*, session: Session, now: dt.datetime) -> list[Judging]:
    """The conditions and judging context of every open notice."""
    return [_judging(head, conditions) for head, conditions in open_notices(session=session, now=now)]


#: results across calls: (condition, day key, region, the profile values it reads) → result. A
#: profile change re-evaluates only the conditions on the fields that changed. Each result holds its
#: condition, so the condition's id in the key is not reused while the entry exists.
_SHARED: dict[tuple[object, ...], ConditionResult] = {}
_SHARED_SIZE = 200_000


def _reads(cond: Condition, profile: Profile, on: dt.date) -> tuple[object, ...]:
    """What of the profile a condition's result judged on ``on`` depends on (the field its kind reads)."""
    spec = condition_spec(cond.field)
    if spec is None or spec.kind == "manual" or spec.profile is None:
        return ()
    if spec.kind == "age":  # not the founding day itself: companies of the same age share results
        return age_reads(cond, profile.founded_on, on)
    if spec.kind == "industry":
        return (profile.industry, profile.industry_tags)
    if spec.kind == "money":  # a threshold is compared only with amounts in its own currency
        return (getattr(profile, spec.profile), profile.currency)
    return (getattr(profile, spec.profile),)


def _shared_result(
    cond: Condition, profile: Profile, on: dt.date, region: Region | None, key: tuple[object, ...]
) -> ConditionResult:
    shared = (*key, _reads(cond, profile, on))
    found = _SHARED.get(shared)
    if found is None:
        if len(_SHARED) >= _SHARED_SIZE:
            _SHARED.clear()
        found = _SHARED[shared] = evaluate(cond, profile, on=on, notice_region=region)
    return found


class ProfileJudge:
    """``judge`` for one profile over many notices.

    Args:
        profile: the company.
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._results: dict[tuple[object, ...], ConditionResult] = {}
        #: a passed existence check: every notice has one, on its own day, and no verdict shows a
        #: passed one (``existence.shown``), so one result stands for all (a thousand evaluations less)
        self._exists: ConditionResult | None = None
        self._stored: dict[tuple[object, ...], tuple[str, str, str, str, tuple[Condition, ...]]] = {}

    def _day_key(self, cond: Condition, on: dt.date) -> object:
        """What of the judging day a result depends on: the day itself for company age; for
        qualifications only which held ones are still valid (the engine reads it through ``valid_on``)."""
        if cond.field == "qualification":
            return self._valid_on(on)
        return on if cond.field == "company_age_years" else None

    def _result(self, cond: Condition, on: dt.date, region: Region | None) -> ConditionResult:
        key = (id(cond), self._day_key(cond, on), region if cond.field == REGION_FIELD else None)
        found = self._results.get(key)
        if found is None:
            founded = self.profile.founded_on
            if (
                founded is not None
                and self._exists is not None
                and is_existence(cond)
                and exists_on(founded, on)
            ):
                found = self._results[key] = self._exists
                return found
            found = self._results[key] = _shared_result(cond, self.profile, on, region, key)
            if found.status == "pass" and is_existence(cond):
                self._exists = found
        return found

    def _all(self, judging: Judging) -> list[ConditionResult]:
        return [self._result(c, judging.on, judging.region) for c in judging.conditions]

    def verdict(self, judging: Judging) -> Verdict:
        """The verdict on one notice."""
        return combine(self._all(judging))

    def _valid_on(self, on: dt.date) -> tuple[bool, ...]:
        return tuple(q.valid_on(on) for q in self.profile.qualifications or ())

    def stored(self, judging: Judging) -> StoredVerdict:
        """The verdict on one notice as stored: status and the JSON of missing, unmet and trace."""
        key = (
            judging.signature,
            judging.on if judging.aged else None,
            self._valid_on(judging.on) if judging.qualified else None,
            judging.region,
        )
        found = self._stored.get(key)
        if found is None:
            results = self._all(judging)
            verdict = combine(results)
            found = self._stored[key] = (
                verdict.status,
                verdict_json(list(verdict.missing)),
                verdict_json([r.reason_zh for r in verdict.unmet]),
                verdict_json([r.status for r in results if shown(r.status, r.condition)])
                + ',"manual":'
                + verdict_json([r.quote for r in verdict.manual]),
                judging.conditions,  # keeps the conditions alive: their ids stay unique in the key
            )
        status, missing, unmet, rest, _ = found
        return status, missing, unmet, f'{{"on":"{judging.on.isoformat()}","statuses":{rest}}}'
