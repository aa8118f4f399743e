"""Judging one notice against many companies: the engine runs once per distinct input, not per company.

    each condition → the column values its result depends on (its *inputs*):
        number / money / age ── the SQL prefilter of that condition alone, selected as a column:
                                1 pass, 0 fail, NULL not filled in (plus the value itself when a
                                failure can be listed as unmet: inside a hard any-of group)
        region ──────────────── the company's division cut at the deepest level the notice names
                                (a 萧山区 and a 余杭区 company meet 杭州市 alike)
        anything else ───────── the columns it reads (qualification JSON, credit, industry…); the
                                qualification JSON is classed by ``token``: what its conditions
                                make of it (held / expired / absent / not filled in, failure reason)
    per distinct input of a condition: the engine's ``evaluate`` on a stand-in profile
    per distinct combination of results: the engine's ``combine`` → status, missing, unmet
    reasons, trace, as JSON text ready to store

The SQL prefilter compiled for one condition is the one proven equal to the engine (hypothesis tests
in tests/rules and tests/db), so an SQL "pass" is the engine's pass. An unmet reason of a region
condition names the company's division at the notice's depth (杭州市 rather than 杭州市萧山区).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import sqlalchemy as sa

from reminder.companies.profiles import decimal_of, legal_person_from_text, qualifications_from_json
from reminder.db.models import Company
from reminder.db.verdicts import verdict_json
from reminder.errors import ProfileError
from reminder.fields import field_defs
from reminder.model import Condition
from reminder.rules import (
    ConditionResult,
    Profile,
    Region,
    RegionError,
    compile_prefilter,
    condition_currency,
    condition_spec,
    currencies,
    default_currency,
    evaluate,
    region_by_code,
    resolve_region,
)
from reminder.rules.engine import combine
from reminder.rules.existence import shown
from reminder.rules.regions import COUNTRY_CODE, NOT_MAINLAND_CODES, relative_level

__all__ = ["prefilter_columns", "Stored", "NoticeJudge"]

log = logging.getLogger(__name__)

_Decode = Callable[..., dict[str, Any]]
#: the name of the stand-in profiles that carry input values to the engine
_NAME = "批量匹配"
#: condition kinds the SQL prefilter decides exactly from one column value
_SQL_KINDS = frozenset({"number", "money", "age", "date"})
#: prefix marking a region name (not a code) in the region input
_NAME_MARK = "~"
# 0: only 中国 is named — the input then tells the mainland from 香港, 澳门 and 台湾 (outside it for the
# engine) and nothing finer, so a 全国 notice judges a handful of classes, not one per province
_DEPTH = {"country": 0, "province": 1, "city": 2, "district": 3}
_CODES = ("province_code", "city_code", "district_code")


def _c(name: str) -> sa.ColumnElement[Any]:
    """A column of the companies table."""
    return cast(sa.ColumnElement[Any], getattr(Company, name))


def prefilter_columns() -> dict[str, sa.ColumnElement[Any]]:
    """The company-table columns ``compile_prefilter`` filters on, by name.

    ``legal_person`` is stored as text: 是 reads true, 否 false, anything else NULL (kept by the
    prefilter, decided by the engine). ``currency`` NULL is 人民币.
    """
    # every number and money field's column, as the field registry names them (reminder/data/fields.yaml)
    numbers = [f.profile for f in field_defs().values() if f.type in ("number", "money") and f.profile]
    names = (*dict.fromkeys(numbers), "founded_on", "currency", *_CODES)
    columns = {n: _c(n) for n in names}
    legal = _c("legal_person")
    columns["legal_person"] = sa.case(
        (legal == "是", sa.true()), (legal == "否", sa.false()), else_=sa.null()
    )
    return columns


def _text(name: str) -> sa.ColumnElement[Any]:
    """A JSON column as its text: comparable, groupable, and not decoded per row."""
    return sa.cast(_c(name), sa.Text)


def _region_input(depth: int) -> sa.ColumnElement[Any]:
    """The company's most precise code down to ``depth`` (1 province … 3 district), else its marked name.

    At depth 0 (only 中国 named) a mainland province reads as 中国 itself, and 香港, 澳门 and 台湾 as
    themselves: all the engine's region check can tell apart there.
    """
    if depth == 0:
        province = _c("province_code")
        mainland = sa.case(
            (province.in_(sorted(NOT_MAINLAND_CODES)), province), else_=sa.literal(COUNTRY_CODE)
        )
        return sa.func.coalesce(
            sa.case((province.is_(None), None), else_=mainland), sa.literal(_NAME_MARK) + _c("region_name")
        )
    codes = [_c(name) for name in reversed(_CODES[:depth])]
    return sa.func.coalesce(*codes, sa.literal(_NAME_MARK) + _c("region_name"))


def _region(key: str | None) -> Region:
    try:
        if key and key.startswith(_NAME_MARK):
            return resolve_region(key[len(_NAME_MARK) :])
        if key:
            return region_by_code(key)
    except RegionError:
        log.warning("unreadable stored region %r: judged as 中国", key)
    return region_by_code(COUNTRY_CODE)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _number(attr: str) -> tuple[tuple[sa.ColumnElement[Any], ...], _Decode]:
    convert = (lambda v: v) if attr == "headcount" else decimal_of
    return (_c(attr),), lambda v: {attr: convert(v)}


def _money(attr: str) -> tuple[tuple[sa.ColumnElement[Any], ...], _Decode]:
    """An amount and its currency: a threshold is compared only with amounts in its own currency."""
    return (_c(attr), _c("currency")), lambda v, c=None: {attr: decimal_of(v), "currency": c}


#: profile attribute → (the columns its value is read from, decoder into Profile arguments).
#: JSON columns are read as text and booleans as integers: hashable, and groupable on both backends.
_INPUTS: dict[str, tuple[tuple[sa.ColumnElement[Any], ...], _Decode]] = {
    **{a: _money(a) for a in ("annual_revenue", "total_assets", "registered_capital")},
    **{a: _number(a) for a in ("headcount", "rd_expense_ratio", "rd_staff_ratio")},
    "founded_on": ((_c("founded_on"),), lambda v: {"founded_on": v}),
    "industry": (
        (_c("industry"), _text("industry_tags")),
        lambda i, t: {"industry": i, "industry_tags": tuple(_json(t) or ())},
    ),
    "qualifications": ((_text("qualifications"),), lambda q: {"qualifications": qualifications_from_json(q)}),
    "legal_person": ((_c("legal_person"),), lambda v: {"legal_person": legal_person_from_text(v)}),
    "credit_ok": ((sa.cast(_c("credit_ok"), sa.Integer),), lambda v: {"credit_ok": _bool(v)}),
    "applicant_type": ((_c("applicant_type"),), lambda v: {"applicant_type": v or "企业"}),
}


@dataclass
class _Slot:
    """One condition of the notice: which inputs it reads, and its result numbers by input values."""

    condition: Condition
    #: positions of its inputs in ``NoticeJudge.inputs``
    key_at: tuple[int, ...]
    decode: _Decode
    #: SQL-decided conditions: position of the column value, to explain a failure (None: not needed)
    raw_at: int | None = None
    #: decided by its SQL prefilter (the input is a 1 / 0 / NULL flag)
    decided: bool = False
    results: dict[tuple[Any, ...], int] = field(default_factory=dict)
    #: SQL-decided failures explained by the engine: column value → result number
    explained: dict[Any, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Stored:
    """A verdict ready to store: the status and the JSON text of missing, unmet and trace."""

    status: str
    missing: str
    unmet: str
    trace: str


class NoticeJudge:
    """A notice's conditions, compiled for judging many companies.

    Select the columns of ``inputs`` for every candidate and call ``verdict`` with their values
    (companies with equal values get the same verdict: callers may cache by the values).

    Args:
        conditions: the notice's conditions.
        on: the day to judge on (the notice's last deadline).
        notice_region: the notice's own region, for 本市/本省.
    """

    def __init__(self, conditions: Sequence[Condition], *, on: dt.date, notice_region: Region | None) -> None:
        self.on = on
        self.notice_region = notice_region
        self.inputs: list[sa.ColumnElement[Any]] = []
        self._at: dict[str, int] = {}
        self._results: list[ConditionResult] = []
        self._blank = Profile(name=_NAME, region=region_by_code(COUNTRY_CODE))
        sizes = Counter(c.group for c in conditions if c.group is not None)
        #: any-of groups of two or more conditions, one of them hard (a group of one is a lone route: soft)
        self._hard_groups = {
            c.group for c in conditions if c.group is not None and c.hard and sizes[c.group] > 1
        }
        self._region_depth = self._depth(conditions)
        #: (status, manual, missing, reason) of each result → a small number, and verdicts by those
        self._signature_of: dict[tuple[str, bool, str | None, str], int] = {}
        self._signatures: list[int] = []
        self._verdicts: dict[tuple[int, ...], Stored] = {}
        self._tokens: dict[tuple[str, bool, str | None, str], int] = {}
        self._slots = [self._slot(c) for c in conditions]
        #: inputs classed by their slots' results, not their text (see ``token``), and the slots reading each
        self.coarse: dict[int, list[_Slot]] = {}
        at = self._at.get(str(_text("qualifications").compile(compile_kwargs={"literal_binds": True})))
        readers = [s for s in self._slots if at is not None and at in s.key_at]
        if at is not None and all(s.key_at == (at,) and not s.decided for s in readers):
            self.coarse[at] = readers

    # ── compiling ──────────────────────────────────────────────────────────────────────────

    def _select(self, column: sa.ColumnElement[Any]) -> int:
        name = str(column.compile(compile_kwargs={"literal_binds": True}))
        if name not in self._at:
            self._at[name] = len(self.inputs)
            self.inputs.append(column)
        return self._at[name]

    def _depth(self, conditions: Sequence[Condition]) -> int:
        """The deepest level any region condition names (-1 when none, 0 when only 中国)."""
        depth = -1
        for cond in conditions:
            if cond.field != "registered_region":
                continue
            for value in cond.value if isinstance(cond.value, list | tuple) else [cond.value]:
                if not isinstance(value, str) or (relative_level(value) and self.notice_region is None):
                    continue
                try:
                    depth = max(depth, _DEPTH[resolve_region(value, relative_to=self.notice_region).level])
                except RegionError:
                    continue
        return depth

    def _slot(self, cond: Condition) -> _Slot:
        spec = condition_spec(cond.field)
        attr = spec.profile if spec is not None and spec.kind != "manual" else None
        if spec is None or attr is None:
            return _Slot(cond, (), lambda: {})
        if attr == "region":
            if self._region_depth < 0:
                return _Slot(cond, (), lambda: {})
            return _Slot(
                cond, (self._select(_region_input(self._region_depth)),), lambda k: {"region": _region(k)}
            )
        columns, decode = _INPUTS[attr] if attr in _INPUTS else _number(attr)  # a registry field's own column
        if spec.kind in _SQL_KINDS:
            decided = self._sql_slot(cond, columns[0], decode, money=spec.kind == "money")
            if decided is not None:
                return decided
        return _Slot(cond, tuple(self._select(c) for c in columns), decode)

    def _sql_slot(
        self, cond: Condition, column: sa.ColumnElement[Any], decode: _Decode, *, money: bool = False
    ) -> _Slot | None:
        """A slot whose pass/fail is the SQL prefilter of the condition alone; None when SQL cannot decide.

        For money, amounts in another currency than the threshold's are flagged 2: the engine's manual check.
        """
        alone = replace(cond, hard=True, group=None)
        where = compile_prefilter([alone], prefilter_columns(), on=self.on, notice_region=self.notice_region)
        if isinstance(where, sa.sql.elements.True_):
            return None
        whens: list[tuple[sa.ColumnElement[bool], Any]] = []
        other: _Decode | None = None
        if money:
            wanted = condition_currency(cond.value, cond.unit)
            stored = sa.func.coalesce(_c("currency"), default_currency())
            whens.append((stored != wanted, 2))
            elsewhere = next(c for c in currencies() if c != wanted)
            same = decode
            other = lambda v: same(v, elsewhere)  # noqa: E731
            decode = lambda v: same(v, wanted)  # noqa: E731 - failures below are in the threshold's currency
        unknown = self._evaluate(cond, decode, (None,))
        if unknown.status != "unknown" or unknown.manual:  # not the "missing value" SQL assumes
            return None
        flag = sa.case(*whens, (column.is_(None), sa.null()), (where, 1), else_=0)
        raw_at = self._select(column) if cond.group in self._hard_groups else None
        slot = _Slot(cond, (self._select(flag),), decode, raw_at=raw_at, decided=True)
        passed = ConditionResult(cond, "pass", None, "", cond.quote, False, "compared")
        slot.results = {(None,): self._number(unknown), (1,): self._number(passed)}
        slot.results[(0,)] = self._number(replace(passed, status="fail"))
        if other is not None:
            slot.results[(2,)] = self._number(self._evaluate(cond, other, (None,)))
        return slot

    # ── evaluating ─────────────────────────────────────────────────────────────────────────

    def _number(self, result: ConditionResult) -> int:
        signature = (result.status, result.manual, result.missing, result.reason_zh)
        self._signatures.append(self._signature_of.setdefault(signature, len(self._signature_of)))
        self._results.append(result)
        return len(self._results) - 1

    def _profile(self, fields: dict[str, Any]) -> Profile:
        if fields.keys() == {"region"}:
            # The region comes from the division table: nothing to validate, so skip the constructor
            # (which converts every field) for the thousands of regions a notice may meet.
            profile = copy.copy(self._blank)
            object.__setattr__(profile, "region", fields["region"])
            return profile
        fields.setdefault("region", self._blank.region)
        try:
            return Profile(name=_NAME, **fields)
        except ProfileError as exc:
            log.warning("stored company values unreadable (%s): judged as not filled in", exc)
            cleared: dict[str, Any] = {k: None for k in fields if k != "region"}
            return Profile(name=_NAME, region=fields["region"], **cleared)

    def _evaluate(self, cond: Condition, decode: _Decode, values: Sequence[Any]) -> ConditionResult:
        profile = self._profile(decode(*values))
        return evaluate(cond, profile, on=self.on, notice_region=self.notice_region)

    def _by_key(self, slot: _Slot, key: tuple[Any, ...]) -> int:
        number = slot.results.get(key)
        if number is None:
            number = slot.results[key] = self._number(self._evaluate(slot.condition, slot.decode, key))
        return number

    def _result(self, slot: _Slot, values: Sequence[Any]) -> int:
        number = self._by_key(slot, tuple(values[p] for p in slot.key_at))
        if self._results[number].status == "fail" and slot.raw_at is not None:
            # an SQL failure inside an any-of group: explained with the company's own value
            value = values[slot.raw_at]
            if value not in slot.explained:
                result = self._evaluate(slot.condition, slot.decode, (value,))
                slot.explained[value] = self._number(result)
            return slot.explained[value]
        return number

    def token(self, at: int, value: Any) -> str:
        """A short name for what the slots reading input ``at`` make of ``value``: values with equal tokens
        give every company the same verdict (a qualification list's dates matter only as far as they decide
        held, expired or absent and the reason text), so classes need not tell them apart."""
        names = []
        for slot in self.coarse[at]:
            result = self._results[self._by_key(slot, (value,))]
            # only a failure's reason is stored (as unmet): a pass by 有效期至 2026 or 2027 is one token
            told = (
                result.status,
                result.manual,
                result.missing,
                result.reason_zh if result.status == "fail" else "",
            )
            names.append(str(self._tokens.setdefault(told, len(self._tokens))))
        return ",".join(names)

    def rejected(self, values: Sequence[Any]) -> bool:
        """Whether a hard condition on its own (not one of an any-of group) fails for these values.

        Such a company is not eligible whatever else holds: it is not a candidate, like the companies
        the SQL prefilter drops (this catches what SQL cannot express: 需具备高新技术企业, 信用良好…).
        """
        for slot in self._slots:
            # any-of members decide together; a lone route of a group is never a requirement (engine._units)
            if slot.decided or not slot.condition.hard or slot.condition.group is not None:
                continue
            if self._results[self._result(slot, values)].status == "fail":
                return True
        return False

    def _stored(self, numbers: Sequence[int]) -> Stored:
        results = [self._results[n] for n in numbers]
        verdict = combine(results)
        return Stored(
            status=verdict.status,
            missing=verdict_json(list(verdict.missing)),
            unmet=verdict_json([r.reason_zh for r in verdict.unmet]),
            trace=verdict_json(
                {
                    "on": self.on.isoformat(),
                    "statuses": [r.status for r in results if shown(r.status, r.condition)],
                    "manual": [r.quote for r in verdict.manual],
                }
            ),
        )

    def verdict(self, values: Sequence[Any]) -> Stored:
        """The verdict of a company whose ``inputs`` have these values."""
        numbers = [self._result(slot, values) for slot in self._slots]
        signatures = tuple(self._signatures[n] for n in numbers)
        found = self._verdicts.get(signatures)
        if found is None:
            found = self._verdicts[signatures] = self._stored(numbers)
        return found
