"""One evaluator per kind of condition field (see ``data/fields.yaml``), registered in ``EVALUATORS``.

Each evaluator reads a condition and a profile and returns an ``Outcome``: pass, fail, or unknown
with either the profile field to fill in (``missing``) or ``manual=True`` when no profile field can
decide. Values are read tolerantly: traditional characters, units (亿元/元/月), a single value where a
list is expected.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from reminder.applicant_kinds import Kind, fits_kind, kind_by_value, kinds
from reminder.model import Condition

from ._age import age_years, founded_bounds, full_months, within_bounds
from ._currency import condition_currency, default_currency, split_currency
from ._units import fold, parse_bool, parse_money, parse_number
from ._vocab import (
    FieldSpec,
    canonical_qualification,
    covers_applicant_type,
    implied_qualifications,
    is_known_qualification,
    profile_label,
)
from .existence import exists_on, is_existence
from .profile import Profile, Qualification
from .regions import Region, RegionError, region_within, relative_level, resolve_region
from .scope import outside_mainland

__all__ = [
    "Context",
    "Outcome",
    "EVALUATORS",
    "register",
    "DuplicateEvaluator",
    "manual",
    "read_number",
    "expected_bool",
    "age_reads",
    "read_date",
]

NUMBER_OPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}
_MEMBERSHIP = ("in", "==", "has")


class Context(NamedTuple):
    """What an evaluator may read besides the condition and the profile (a tuple: one per result)."""

    spec: FieldSpec
    #: the day conditions are judged on (the deadline): ages and expiry dates are measured then
    on: dt.date
    notice_region: Region | None


class Outcome(NamedTuple):
    """An evaluator's finding, before it is rendered (a tuple: one per result)."""

    status: str
    why: str
    used: Any = None
    expected: Any = None
    missing: str | None = None
    manual: bool = False


def manual(why: str = "not_evaluable", expected: Any = None) -> Outcome:
    """The outcome of a condition only a person can check."""
    return Outcome("unknown", why, expected=expected, manual=True)


class DuplicateEvaluator(ValueError):
    """Two evaluators were registered for the same kind."""


Evaluator = Callable[[Condition, Profile, Context], Outcome]
EVALUATORS: dict[str, Evaluator] = {}


def register(kind: str) -> Callable[[Evaluator], Evaluator]:
    """Register the evaluator of one field kind; a second registration is an error."""

    def wrap(func: Evaluator) -> Evaluator:
        if kind in EVALUATORS:
            raise DuplicateEvaluator(f"evaluator for kind {kind!r} already registered: {EVALUATORS[kind]}")
        EVALUATORS[kind] = func
        return func

    return wrap


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def read_number(condition: Condition, kind: str) -> Decimal | None:
    """The condition's threshold in the field's unit (万元, %, 人, 年), or None when unreadable."""
    value, unit = condition.value, fold(condition.unit or "")
    if kind == "money":
        unit = split_currency(unit)[0] if unit else unit
        value = split_currency(value)[0] if isinstance(value, str) else value
    try:
        if isinstance(value, bool) or value is None or isinstance(value, list | tuple | dict):
            return None
        if kind == "money":
            number = parse_money(value)
            return parse_money(f"{number}{unit}") if unit and not isinstance(value, str) else number
        number = parse_number(value)
    except ValueError:
        return None
    if kind == "age" and unit in ("月", "个月"):
        return number / 12
    return number


@register("manual")
def _manual(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    return manual()


def _compare(used: Any, op: str, expected: Decimal) -> Outcome:
    ok = NUMBER_OPS[op](Decimal(used) if not isinstance(used, Decimal) else used, expected)
    return Outcome("pass" if ok else "fail", "compared", used, expected)


@register("number")
@register("money")
def _number(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    expected = read_number(condition, ctx.spec.kind)
    if expected is None or condition.op not in NUMBER_OPS:
        return manual()
    if ctx.spec.kind == "money":
        wanted = condition_currency(condition.value, condition.unit)
        if wanted != (profile.currency or default_currency()):
            # 新台币 amounts are not compared with 人民币 thresholds (nor the other way round)
            return manual("currency", expected=(expected, wanted))
    used = getattr(profile, str(ctx.spec.profile))
    if used is None:
        return Outcome("unknown", "missing", expected=expected, missing=_label(ctx))
    return _compare(used, condition.op, expected)


@register("age")
def _age(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    if profile.founded_on is not None and is_existence(condition):
        # founded after the deadline: the company did not exist yet (every notice has this check, on
        # its own day: it is most of a company's results, so its threshold, always 0, is not parsed)
        exists = exists_on(profile.founded_on, ctx.on)
        return Outcome("pass" if exists else "fail", "exists", profile.founded_on, ctx.on)
    expected = _age_threshold(condition)
    if expected is None or condition.op not in NUMBER_OPS:
        return manual()
    if profile.founded_on is None:
        return Outcome("unknown", "missing", expected=expected, missing=_label(ctx))
    ok = within_bounds(profile.founded_on, founded_bounds(condition.op, expected, ctx.on))
    return Outcome("pass" if ok else "fail", "compared", age_years(profile.founded_on, ctx.on), expected)


def read_date(condition: Condition) -> dt.date | None:
    """A date condition's day (2022-12-31, or a date), or None when unreadable."""
    value = condition.value
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


@register("date")
def _date(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    """须在2022年12月31日前注册成立: the profile's day compared with the condition's."""
    expected = read_date(condition)
    if expected is None or condition.op not in NUMBER_OPS or condition.op == "==":
        return manual()
    used = getattr(profile, str(ctx.spec.profile))
    if used is None:
        return Outcome("unknown", "missing", expected=expected, missing=_label(ctx))
    return Outcome("pass" if NUMBER_OPS[condition.op](used, expected) else "fail", "compared", used, expected)


#: each age condition's threshold, by the condition's id (kept with it, so the id is not reused while it is)
_THRESHOLDS: dict[int, tuple[Condition, Decimal | None]] = {}


def _age_threshold(condition: Condition) -> Decimal | None:
    """``read_number(condition, "age")``, read once per condition (a company is judged on ~50 of them)."""
    found = _THRESHOLDS.get(id(condition))  # an entry keeps its condition alive: the id is its own
    if found is None:
        if len(_THRESHOLDS) >= 50_000:
            _THRESHOLDS.clear()
        found = _THRESHOLDS[id(condition)] = (condition, read_number(condition, "age"))
    return found[1]


def age_reads(condition: Condition, founded_on: dt.date | None, on: dt.date) -> tuple[object, ...]:
    """What an age condition's result judged on ``on`` reads of a company founded on ``founded_on``: two
    founding days giving the same give equal results (a compared result shows whether it passed and the
    age in tenths of a year, not the founding day), so companies of the same age may share one.
    """
    if founded_on is None:
        return (None,)
    if is_existence(condition):
        return (founded_on,)  # its result shows the founding day
    expected = _age_threshold(condition)
    if expected is None or condition.op not in NUMBER_OPS:
        return ()  # manual: reads nothing
    ok = within_bounds(founded_on, founded_bounds(condition.op, expected, on))
    return ok, full_months(founded_on, on) * 10 // 12  # the tenths ``age_years`` shows


def _label(ctx: Context) -> str:
    return profile_label(str(ctx.spec.profile))


def _target_region(text: Any, ctx: Context) -> Region | Outcome:
    """The region a condition names, or the manual outcome explaining why it cannot be read."""
    if isinstance(text, Region):
        return text
    if not isinstance(text, str):
        return manual("unreadable", expected=text)
    if relative_level(text) is not None and ctx.notice_region is None:
        return manual("notice_region_unknown", expected=text)
    try:
        return resolve_region(text, relative_to=ctx.notice_region)
    except RegionError:
        return manual("unreadable", expected=text)


def _one_region(region: Region, target: Region) -> Outcome:
    if target.level == "country" and outside_mainland(region):
        return Outcome("fail", "not_mainland", region, target)
    if region_within(region, target):
        return Outcome("pass", "within", region, target)
    if region_within(target, region):
        # The profile only says 浙江省; the notice wants 杭州市: cannot tell without a finer region.
        return Outcome("unknown", "coarse", region, target, missing="所在地区（精确到市、区县）")
    return Outcome("fail", "outside", region, target)


@register("region")
def _region(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    if condition.op not in _MEMBERSHIP:
        return manual()
    if condition.value is None or condition.value == [] or condition.value == "":
        return manual("scope_unknown")
    outcomes = []
    for text in _as_list(condition.value):
        target = _target_region(text, ctx)
        outcomes.append(target if isinstance(target, Outcome) else _one_region(profile.region, target))
    found = _any_of(outcomes)
    if found.why == "outside" and len(outcomes) > 1 and all(o.why == "outside" for o in outcomes):
        # outside every place listed (在北京市、上海市注册): the explanation names them all
        return found._replace(expected=tuple(o.expected for o in outcomes))
    return found


def _any_of(outcomes: list[Outcome]) -> Outcome:
    """Pass if one passes; else an unknown (missing data before manual); else the first failure."""
    for status in ("pass", "unknown"):
        found = [o for o in outcomes if o.status == status]
        if found:
            return sorted(found, key=lambda o: o.manual)[0]
    return outcomes[0]


def _industry_texts(profile: Profile) -> list[str]:
    texts = [profile.industry or "", *profile.industry_tags]
    return [t for t in (t.strip() for t in texts) if t]


@register("industry")
def _industry(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    wanted = [fold(str(v)) for v in _as_list(condition.value) if fold(str(v))]
    if not wanted or condition.op not in (*_MEMBERSHIP, "not_has"):
        return manual()
    texts = _industry_texts(profile)
    if not texts:
        return Outcome("unknown", "missing", expected=wanted, missing=_label(ctx))
    if condition.op != "not_has" and any(kind_by_value(w) for w in wanted):
        return _any_of([_one_industry(w, profile, texts) for w in wanted])
    match = next(
        ((t, w) for t in texts for w in wanted if fold(t) in fold(w) or fold(w) in fold(t)),
        None,
    )
    matched = match is not None
    used = match if match is not None else "、".join(texts)
    ok = not matched if condition.op == "not_has" else matched
    return Outcome("pass" if ok else "fail", "matched" if matched else "not_matched", used, wanted)


def _fit(kind: Kind, profile: Profile) -> str:
    tags = [fold(t) for t in profile.industry_tags]
    return fits_kind(kind, fold(profile.industry) if profile.industry else None, tags)


def _one_industry(wanted: str, profile: Profile, texts: list[str]) -> Outcome:
    """One item of an industry list: a kind of company (工业) by the profile's sector, else by name."""
    kind = kind_by_value(wanted)
    used = "、".join(texts)
    if kind is None:
        hit = any(fold(t) in wanted or wanted in fold(t) for t in texts)
        return Outcome("pass" if hit else "fail", "matched" if hit else "not_matched", used, [wanted])
    fit = _fit(kind, profile)
    if fit == "unknown":
        # 科技推广和应用服务业 may or may not run an incubator: only a person can tell
        return manual("kind_unknown", expected=[wanted])
    return Outcome(fit, "matched" if fit == "pass" else "not_matched", used, [wanted])


def _kind_named(title: str) -> Kind | None:
    """The kind of company a title names (限额以上商业企业 → 商业), longest word first."""
    hits = [(len(w), k) for k in kinds() if k.field == "industry" for w in k.words if w in title]
    return max(hits, key=lambda h: h[0])[1] if hits else None


def _unknown_title(profile: Profile, target: str, op: str) -> Outcome:
    """A title the profile form cannot record (产品注册证, 省级孵化器…): only a person can tell, unless
    it names a kind of company the profile's sector is not (限额以上商业企业, for a 制造业 firm)."""
    kind = _kind_named(target)
    if kind is not None and op != "not_has" and _fit(kind, profile) == "fail":
        return Outcome("fail", "kind_mismatch", profile.industry, kind.value)
    return manual("unknown_qualification", expected=target)


def _holding(profile: Profile, target: str) -> list[Qualification]:
    """The profile's qualifications that are, or imply, ``target``; valid ones first."""
    quals = [q for q in profile.qualifications or () if target in implied_qualifications(q.name)]
    return sorted(quals, key=lambda q: q.valid_until or dt.date.max, reverse=True)


@register("qualification")
def _qualification(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    targets = [canonical_qualification(str(v)) for v in _as_list(condition.value) if str(v).strip()]
    if not targets or condition.op not in (*_MEMBERSHIP, "not_has"):
        return manual()
    if profile.qualifications is None:
        if not any(is_known_qualification(t) for t in targets):
            return _any_of([_unknown_title(profile, t, condition.op) for t in targets])
        return Outcome("unknown", "missing", expected=targets[0], missing=_label(ctx))
    outcomes = [_one_qualification(profile, target, condition.op, ctx.on) for target in targets]
    return _any_of(outcomes)


def _one_qualification(profile: Profile, target: str, op: str, on: dt.date) -> Outcome:
    if not is_known_qualification(target) and not _holding(profile, target):
        return _unknown_title(profile, target, op)
    return _known_qualification(profile, target, op, on)


def _known_qualification(profile: Profile, target: str, op: str, on: dt.date) -> Outcome:
    held = _holding(profile, target)
    valid = [q for q in held if q.valid_on(on)]
    if op == "not_has":
        return Outcome(
            "fail" if valid else "pass", "held" if valid else "absent", valid[0] if valid else None, target
        )
    if valid:
        return Outcome("pass", "held", valid[0], target)
    if held:
        return Outcome("fail", "expired", held[0], target)
    return Outcome("fail", "absent", None, target)


def expected_bool(condition: Condition) -> bool | None:
    """The flag a yes/no condition asks for: ``has 独立法人资格`` names the quality itself (True)."""
    try:
        flag = parse_bool(condition.value)
    except ValueError:
        flag = True if isinstance(condition.value, str) and condition.value.strip() else None
    if flag is None or condition.op not in ("==", "has", "in", "not_has"):
        return None
    return not flag if condition.op == "not_has" else flag


@register("bool")
def _bool(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    expected = expected_bool(condition)
    if expected is None:
        return manual()
    used = getattr(profile, str(ctx.spec.profile))
    if used is None:
        return Outcome("unknown", "missing", expected=expected, missing=_label(ctx))
    return Outcome("pass" if used == expected else "fail", "compared", used, expected)


@register("credit")
def _credit(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    if profile.credit_ok is None:
        return Outcome("unknown", "missing", expected=condition.value, missing=_label(ctx))
    return Outcome("pass" if profile.credit_ok else "fail", "compared", profile.credit_ok, condition.value)


@register("applicant_type")
def _applicant_type(condition: Condition, profile: Profile, ctx: Context) -> Outcome:
    listed = [str(v).strip() for v in _as_list(condition.value) if str(v).strip()]
    if not listed or condition.op not in (*_MEMBERSHIP, "not_has"):
        return manual()
    covered = any(covers_applicant_type(word, profile.applicant_type) for word in listed)
    ok = not covered if condition.op == "not_has" else covered
    return Outcome(
        "pass" if ok else "fail", "matched" if covered else "not_matched", profile.applicant_type, listed
    )
