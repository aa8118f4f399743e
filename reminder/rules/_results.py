"""What the engine records: one ``ConditionResult`` per condition, one ``Verdict`` per notice.

    Verdict (eligible | possibly_eligible | not_eligible)
     ├── results   every condition, in notice order, each with status pass | fail | unknown
     ├── unmet     hard conditions that fail (a failing any-of group lists all its members)
     ├── missing   profile fields to fill in (Chinese labels) before the answer is certain
     ├── manual    hard conditions only a person can decide (需人工确认): they keep it possibly_eligible
     └── notes     soft conditions (原则上/优先) that fail: shown, never blocking

Results hold facts (status, the profile value used, a reason code); ``reason_zh`` is filled by the
renderer in ``explain.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from reminder.model import Condition

__all__ = ["Status", "VerdictStatus", "ConditionResult", "Verdict", "frozen_instance"]

_T = TypeVar("_T")

Status = Literal["pass", "fail", "unknown"]
VerdictStatus = Literal["eligible", "possibly_eligible", "not_eligible"]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class ConditionResult:
    """The outcome of one condition for one profile."""

    condition: Condition
    status: Status
    #: the profile value the decision used (320, a Region, a Qualification…), None when missing
    used: Any
    #: one-line Chinese explanation, e.g. ``职工总数 320 人 ≤ 500 人 ✓``
    reason_zh: str
    #: the notice's own words
    quote: str
    #: True when no profile field can decide the condition: 请人工确认
    manual: bool
    #: reason code for renderers: compared, missing, expired, absent, matched, not_matched, within,
    #: outside, coarse, notice_region_unknown, unreadable, not_evaluable
    why: str = ""
    #: the condition's value as the engine read it (万元 Decimal, Region, canonical qualification…)
    expected: Any = None
    #: for a result unknown because the profile lacks data: the profile field to fill in (Chinese)
    missing: str | None = None
    #: the day the condition was judged on (the deadline, or today): company age is measured then
    on: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.condition.field,
            "status": self.status,
            "manual": self.manual,
            "hard": self.condition.hard,
            "group": self.condition.group,
            "why": self.why,
            "used": _jsonable(self.used),
            "reason_zh": self.reason_zh,
            "quote": self.quote,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class Verdict:
    """Whether a profile meets a notice's conditions, with the trace that says why."""

    status: VerdictStatus
    results: tuple[ConditionResult, ...]
    #: profile fields to fill in (Chinese labels, no repeats), for possibly_eligible
    missing: tuple[str, ...]
    #: failing hard conditions, for not_eligible
    unmet: tuple[ConditionResult, ...]
    #: hard conditions to check by hand (field "other", unknown titles, unknown scope), for possibly_eligible
    manual: tuple[ConditionResult, ...]
    #: failing soft conditions (原则上…), reported but never blocking
    notes: tuple[ConditionResult, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "missing": list(self.missing),
            "results": [r.to_json() for r in self.results],
            "unmet": [r.reason_zh for r in self.unmet],
            "manual": [r.quote for r in self.manual],
            "notes": [r.reason_zh for r in self.notes],
        }


_FIELDS: dict[type, frozenset[str]] = {}


def frozen_instance(cls: type[_T], **values: Any) -> _T:
    """An instance of a frozen dataclass from every one of its fields, without ``__init__`` (which sets
    them one ``object.__setattr__`` at a time: 1.5 µs for a result, made by the thousand per company)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    assert values.keys() == names, f"{cls.__name__}: fields {sorted(names ^ values.keys())}"
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made
