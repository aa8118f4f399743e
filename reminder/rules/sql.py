"""Compile a notice's conditions into an SQL prefilter over a company table.

The filter keeps exactly the companies the engine would not reject: for each hard condition on a
column, ``(col IS NULL) OR (col op value)`` — a missing value is "unknown", never a failure. An
any-of group keeps a company when any member would (``OR``); a group with a member no column can
decide, soft conditions and manual ones compile to TRUE. Fields without a column (qualification,
industry, credit, applicant type) are left to ``judge``, which runs on the survivors.

Columns are looked up by name in the mapping the caller passes: ``headcount``, ``annual_revenue``,
``total_assets``, ``registered_capital``, ``rd_expense_ratio``, ``rd_staff_ratio``, ``founded_on``,
``legal_person``, and ``province_code`` / ``city_code`` / ``district_code`` (``region_codes`` gives
their values for a profile), and optionally ``currency`` (money compared only in the same currency;
without the column, thresholds in another currency than 人民币 are not prefiltered).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from reminder.model import Condition

from ._age import founded_bounds
from ._currency import condition_currency, default_currency
from ._evaluators import NUMBER_OPS, expected_bool, read_date, read_number
from ._vocab import FieldSpec, condition_spec
from .regions import NOT_MAINLAND_CODES, Region, RegionError, region_codes, relative_level, resolve_region

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    _Columns = Mapping[str, ColumnElement[Any]]

# SQLAlchemy is imported by the functions that build clauses, not with the package: reminder.rules is
# imported by extraction (regions), where it would cost 0.17 s of start-up (issue 15)

__all__ = ["compile_prefilter", "COLUMN_NAMES"]

log = logging.getLogger(__name__)

COLUMN_NAMES = (
    "headcount",
    "annual_revenue",
    "total_assets",
    "registered_capital",
    "rd_expense_ratio",
    "rd_staff_ratio",
    "founded_on",
    "legal_person",
    "province_code",
    "city_code",
    "district_code",
    "currency",
)


def _plain(number: Decimal) -> int | float:
    """A bind value every driver accepts (SQLite cannot bind Decimal)."""
    return int(number) if number == number.to_integral_value() else float(number)


def _column(columns: _Columns, name: str) -> ColumnElement[Any] | None:
    column = columns.get(name)
    if column is None:
        log.info("no column %r in the company table: its conditions are not prefiltered", name)
    return column


def _number(cond: Condition, spec: FieldSpec, columns: _Columns) -> ColumnElement[bool] | None:
    from sqlalchemy import func, or_
    from sqlalchemy import not_ as sa_not

    threshold = read_number(cond, spec.kind)
    column = _column(columns, str(spec.profile))
    if threshold is None or cond.op not in NUMBER_OPS or column is None:
        return None
    compared = cast("ColumnElement[bool]", NUMBER_OPS[cond.op](column, _plain(threshold)))
    if spec.kind != "money":
        return or_(column.is_(None), compared)
    # Amounts in another currency than the threshold's are a manual check, never a rejection.
    wanted = condition_currency(cond.value, cond.unit)
    currency = columns.get("currency")
    if currency is None:
        return or_(column.is_(None), compared) if wanted == default_currency() else None
    same = func.coalesce(currency, default_currency()) == wanted
    return or_(column.is_(None), sa_not(same), compared)


def _age(cond: Condition, columns: _Columns, on: dt.date) -> ColumnElement[bool] | None:
    from sqlalchemy import and_, or_, true

    years = read_number(cond, "age")
    column = _column(columns, "founded_on")
    if years is None or cond.op not in NUMBER_OPS or column is None:
        return None
    after, until = founded_bounds(cond.op, years, on)
    bounds = [column > after] if after is not None else []
    bounds += [column <= until] if until is not None else []
    return or_(column.is_(None), and_(true(), *bounds))


def _date(cond: Condition, spec: FieldSpec, columns: _Columns) -> ColumnElement[bool] | None:
    from sqlalchemy import or_

    day = read_date(cond)  # the engine's reading, so both agree
    column = _column(columns, str(spec.profile))
    if day is None or cond.op not in NUMBER_OPS or cond.op == "==" or column is None:
        return None
    return or_(column.is_(None), cast("ColumnElement[bool]", NUMBER_OPS[cond.op](column, day)))


def _bool(cond: Condition, spec: FieldSpec, columns: _Columns) -> ColumnElement[bool] | None:
    from sqlalchemy import or_

    expected = expected_bool(cond)  # the engine's reading, so both agree
    column = _column(columns, str(spec.profile))
    if expected is None or column is None:
        return None
    return or_(column.is_(None), column == expected)


def _target(value: Any, notice_region: Region | None) -> Region | None:
    if not isinstance(value, str) or (relative_level(value) is not None and notice_region is None):
        return None
    try:
        return resolve_region(value, relative_to=notice_region)
    except RegionError:
        return None


def _within(target: Region, columns: _Columns) -> ColumnElement[bool] | None:
    """Not outside ``target``: at every level of its chain, the company's code is unknown or equal.

    全国 (the country) keeps mainland companies only: Taiwan, Hong Kong and Macau are outside it.
    """
    from sqlalchemy import and_, or_, true

    if target.level == "country":
        province = _column(columns, "province_code")
        if province is None:
            return None
        return or_(province.is_(None), province.not_in(sorted(NOT_MAINLAND_CODES)))
    parts = []
    # region_codes: how a company in ``target`` is stored (a zone inside a district is that district)
    for name, code in region_codes(target).items():
        if code is None:
            continue
        column = _column(columns, name)
        if column is None:
            return None
        parts.append(or_(column.is_(None), column == code))
    return and_(true(), *parts)


def _region(cond: Condition, columns: _Columns, notice_region: Region | None) -> ColumnElement[bool] | None:
    from sqlalchemy import false, or_

    if cond.op not in ("in", "==", "has"):
        return None
    values = cond.value if isinstance(cond.value, list | tuple) else [cond.value]
    alternatives = []
    for value in values:
        target = _target(value, notice_region)
        expr = _within(target, columns) if target is not None else None
        if expr is None:
            return None  # one unreadable alternative is a manual check: the engine never fails it
        alternatives.append(expr)
    return or_(false(), *alternatives)


def _keep(
    cond: Condition, columns: _Columns, on: dt.date, notice_region: Region | None
) -> ColumnElement[bool] | None:
    """The companies a condition does not reject, or None when no column decides it."""
    spec = condition_spec(cond.field)
    if spec is None:
        return None
    if spec.kind in ("number", "money"):
        return _number(cond, spec, columns)
    if spec.kind == "age":
        return _age(cond, columns, on)
    if spec.kind == "date":
        return _date(cond, spec, columns)
    if spec.kind == "bool":
        return _bool(cond, spec, columns)
    if spec.kind == "region":
        return _region(cond, columns, notice_region)
    return None


def compile_prefilter(
    conditions: Sequence[Condition],
    columns: _Columns,
    *,
    on: dt.date,
    notice_region: Region | None = None,
) -> ColumnElement[bool]:
    """An SQL boolean keeping exactly the companies these conditions do not definitely rule out.

    Args:
        conditions: a notice's conditions.
        columns: company-table columns by name (see ``COLUMN_NAMES``); a missing column is not filtered.
        on: the day conditions are judged on (company age is measured then), as for ``judge``.
        notice_region: the notice's own region, for 本市/本省; None when unknown.

    Returns:
        A boolean expression for ``select(...).where(...)``.
    """
    from sqlalchemy import and_, false, or_, true

    clauses: list[ColumnElement[bool]] = []
    groups: dict[str, list[Condition]] = {}
    for cond in conditions:
        if cond.group is not None:  # route-1/2: route 2 of set 1 (see engine.group_status)
            groups.setdefault(cond.group.split("/")[0], []).append(cond)
        elif cond.hard:
            expr = _keep(cond, columns, on, notice_region)
            if expr is not None:
                clauses.append(expr)
    for members in groups.values():
        if len(members) == 1 or not any(m.hard for m in members):
            continue  # a lone route of a group is never a requirement (see engine._units)
        exprs = [_route_keep(r, columns, on, notice_region) for r in _routes(members)]
        if all(e is not None for e in exprs):
            clauses.append(or_(false(), *[e for e in exprs if e is not None]))
    return and_(true(), *clauses)


def _routes(members: Sequence[Condition]) -> list[list[Condition]]:
    """A group's routes: members sharing ``set/route`` together; a plain any-of member alone."""
    routes: dict[str, list[Condition]] = {}
    for i, m in enumerate(members):
        parts = (m.group or "").split("/")
        routes.setdefault("/".join(parts[:2]) if len(parts) > 1 else str(i), []).append(m)
    return list(routes.values())


def _route_keep(
    route: Sequence[Condition], columns: _Columns, on: dt.date, notice_region: Region | None
) -> ColumnElement[bool] | None:
    """All of a route (its inner any-of groups each as an OR); None when a member cannot be compiled."""
    from sqlalchemy import and_, false, or_, true

    inner: dict[str, list[ColumnElement[bool] | None]] = {}
    for i, m in enumerate(route):
        key = m.group if m.group and m.group.count("/") > 1 else str(i)
        inner.setdefault(key, []).append(_keep(m, columns, on, notice_region))
    if any(e is None for exprs in inner.values() for e in exprs):
        return None
    return and_(true(), *[or_(false(), *[e for e in exprs if e is not None]) for exprs in inner.values()])
