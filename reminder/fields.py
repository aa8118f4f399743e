"""The field registry: every condition field and profile field, declared once in ``data/fields.yaml``.

    condition_fields()        ("headcount", "annual_revenue", …)   the canonical condition fields
    field_def("headcount")    FieldDef(label="职工总数", type="number", profile="headcount", unit="人", ops=…)
    op_label("<=")            "不超过"
    check_condition(f, op)    the extractor's output check: a known field, an operator it allows
    profile_defs()            profile field → ProfileFieldDef(label, unit, hint, headers)

Everything else derives from it: ``reminder.model.CONDITION_FIELDS``, the rules engine's field specs
and the SQL pre-filter (``reminder.rules``), the correction choices and admin API (``reminder.web``).
The table is read through :mod:`reminder.tables`, so an operator's ``config/data/fields.yaml``
replaces it and is validated the same way; :func:`reminder.tables.clear_caches` reloads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reminder import tables
from reminder.errors import ReminderError

__all__ = [
    "FIELDS_FILE",
    "VALUE_TYPES",
    "FieldDef",
    "ProfileFieldDef",
    "FieldError",
    "condition_fields",
    "field_defs",
    "field_def",
    "field_label",
    "ops",
    "op_label",
    "check_condition",
    "profile_defs",
]

FIELDS_FILE = "fields.yaml"
_PACKAGE = "reminder"
#: value types a condition field may have: each is one evaluator of ``reminder.rules``
VALUE_TYPES = frozenset(
    {
        "number",
        "money",
        "age",
        "date",
        "region",
        "industry",
        "qualification",
        "bool",
        "credit",
        "applicant_type",
        "manual",
    }
)
_CONDITION_KEYS = ("label", "type", "profile", "unit", "ops")
_PROFILE_KEYS = ("label", "unit", "hint", "headers")


class FieldError(ReminderError, ValueError):
    """A condition names a field the registry does not know, or an operator its field does not allow."""


@dataclass(frozen=True)
class FieldDef:
    """One condition field."""

    #: canonical name, e.g. ``annual_revenue``
    name: str
    #: Chinese label, e.g. 年销售收入
    label: str
    #: value type (one of ``VALUE_TYPES``): which evaluator reads it
    type: str
    #: the profile column compared with; None for manual fields
    profile: str | None
    #: unit printed after numbers (人, 年, %); None for money and non-numbers
    unit: str | None
    #: the operators a condition on this field may use
    ops: tuple[str, ...]


@dataclass(frozen=True)
class ProfileFieldDef:
    """One profile field (what a company tells us)."""

    name: str
    #: Chinese label, e.g. 职工人数
    label: str
    #: unit shown after the form label, e.g. 人, 万元, %
    unit: str | None
    #: help shown under the form input
    hint: str
    #: other keys / column headers accepted for it
    headers: tuple[str, ...]


@dataclass(frozen=True)
class _Registry:
    ops: Mapping[str, str]
    conditions: Mapping[str, FieldDef]
    profile: Mapping[str, ProfileFieldDef]


def _ops(file: str, raw: Mapping[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for op, label in raw.items():
        if not isinstance(label, str) or not label:
            raise tables.table_error(file, f"ops.{op}", "应为中文名称", "must be a Chinese label")
        out[str(op)] = label
    return out


def _condition(file: str, name: str, item: object, ops: Mapping[str, str]) -> FieldDef:
    where = f"conditions.{name}"
    tables.check_keys(file, where, item, _CONDITION_KEYS, required=("label", "type", "ops"))
    assert isinstance(item, Mapping)
    if item["type"] not in VALUE_TYPES:
        raise tables.table_error(
            file,
            f"{where}.type",
            f"未知类型 {item['type']!r}（可用：{'、'.join(sorted(VALUE_TYPES))}）",
            f"unknown type {item['type']!r}",
        )
    if item["type"] != "manual" and not item.get("profile"):
        raise tables.table_error(
            file, where, "缺少键 'profile'（非 manual 字段必须指明画像字段）", "missing key 'profile'"
        )
    allowed = tables.as_str_list(file, f"{where}.ops", item["ops"])
    unknown = [op for op in allowed if op not in ops]
    if unknown or not allowed:
        raise tables.table_error(
            file, f"{where}.ops", f"未知运算符 {unknown}", f"unknown operators {unknown}"
        )
    unit = item.get("unit")
    return FieldDef(
        name, str(item["label"]), str(item["type"]), item.get("profile"), unit and str(unit), tuple(allowed)
    )


def _profile_field(file: str, name: str, item: object) -> ProfileFieldDef:
    where = f"profile.{name}"
    tables.check_keys(file, where, item, _PROFILE_KEYS, required=("label",))
    assert isinstance(item, Mapping)
    headers = tables.as_str_list(file, f"{where}.headers", item.get("headers"))
    unit = item.get("unit")
    return ProfileFieldDef(
        name, str(item["label"]), unit and str(unit), str(item.get("hint") or ""), tuple(headers)
    )


@tables.cached
def _registry() -> _Registry:
    data = tables.load_table(_PACKAGE, FIELDS_FILE, {"ops": dict, "conditions": dict, "profile": dict})
    file = tables.table_source(_PACKAGE, FIELDS_FILE)
    op_labels = _ops(file, data["ops"])
    conditions = {str(k): _condition(file, str(k), v, op_labels) for k, v in data["conditions"].items()}
    profile = {str(k): _profile_field(file, str(k), v) for k, v in data["profile"].items()}
    return _Registry(op_labels, conditions, profile)


def condition_fields() -> tuple[str, ...]:
    """The canonical condition fields, in registry order."""
    return tuple(_registry().conditions)


def field_defs() -> Mapping[str, FieldDef]:
    """Every condition field by name, in registry order."""
    return _registry().conditions


def field_def(name: str) -> FieldDef | None:
    """One condition field; None for a name the registry does not know."""
    return _registry().conditions.get(name)


def field_label(name: str) -> str:
    """The Chinese label of a condition field (``headcount`` → 职工总数); the name itself when unknown."""
    found = field_def(name)
    return found.label if found else name


def ops() -> Mapping[str, str]:
    """Every operator → its Chinese label (``<=`` → 不超过)."""
    return _registry().ops


def op_label(op: str) -> str:
    """The Chinese label of an operator (``>=`` → 不低于); the operator itself when unknown."""
    return _registry().ops.get(op, op)


def check_condition(field: str, op: str) -> None:
    """Refuse a condition the registry does not allow (the extractor's output check).

    Raises:
        FieldError: unknown field, or an operator its field does not allow.
    """
    found = field_def(field)
    if found is None:
        raise FieldError(
            f"未登记的条件字段“{field}”，请先在 fields.yaml 登记 / condition field {field!r} is not in the registry"
        )
    if op not in found.ops:
        raise FieldError(
            f"条件字段“{found.label}”不接受运算符 {op}（可用：{' '.join(found.ops)}） / "
            f"field {field!r} does not allow operator {op!r}"
        )


def profile_defs() -> Mapping[str, ProfileFieldDef]:
    """Every profile field by name, in registry order."""
    return _registry().profile
