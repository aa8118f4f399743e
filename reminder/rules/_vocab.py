"""The field, qualification and applicant-type tables of ``data/``, loaded and checked once.

fields.yaml           condition field → label, evaluator kind, profile attribute, unit
                      profile field → label, accepted headers
qualifications.yaml   canonical name ← synonyms; implications (小巨人 ⇒ 专精特新中小企业)
applicant_types.yaml  the types a profile may have, and words that cover them
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reminder.errors import DataFileError
from reminder.model import CONDITION_FIELDS

from ._data import as_str_list, check_keys, load_yaml
from ._units import fold

__all__ = [
    "KINDS",
    "FieldSpec",
    "condition_spec",
    "profile_label",
    "profile_fields",
    "header_map",
    "qualification_key",
    "canonical_qualification",
    "implied_qualifications",
    "APPLICANT_TYPES_FILE",
    "applicant_types",
    "canonical_applicant_type",
    "covers_applicant_type",
]

KINDS = frozenset(
    {
        "number",
        "money",
        "age",
        "region",
        "industry",
        "qualification",
        "bool",
        "credit",
        "applicant_type",
        "manual",
    }
)
_FIELDS = "fields.yaml"
_QUALS = "qualifications.yaml"
APPLICANT_TYPES_FILE = "applicant_types.yaml"
_QUOTES = "\"'“”‘’「」『』《》"


@dataclass(frozen=True)
class FieldSpec:
    """How one condition field is evaluated."""

    #: condition field name, e.g. ``annual_revenue``
    field: str
    #: Chinese label, e.g. 年销售收入
    label: str
    #: evaluator kind (one of ``KINDS``)
    kind: str
    #: the Profile attribute read, None for manual fields
    profile: str | None
    #: unit printed after numbers (人, 年, %), None for money and non-numbers
    unit: str | None


@functools.cache
def _condition_specs() -> Mapping[str, FieldSpec]:
    table = load_yaml(_FIELDS, frozenset({"conditions", "profile"}))["conditions"]
    specs: dict[str, FieldSpec] = {}
    for field, item in table.items():
        where = f"conditions.{field}"
        check_keys(_FIELDS, where, item, ("label", "kind", "profile", "unit"), required=("label", "kind"))
        if item["kind"] not in KINDS:
            raise DataFileError(f"{_FIELDS}: {where}.kind: 未知类型 / unknown kind {item['kind']!r}")
        if item["kind"] != "manual" and not item.get("profile"):
            raise DataFileError(f"{_FIELDS}: {where}: 缺少键 'profile' / missing key 'profile'")
        specs[field] = FieldSpec(field, item["label"], item["kind"], item.get("profile"), item.get("unit"))
    missing = [f for f in CONDITION_FIELDS if f not in specs]
    if missing:
        raise DataFileError(f"{_FIELDS}: conditions: 缺少字段 / fields not described: {missing}")
    return specs


def condition_spec(field: str) -> FieldSpec | None:
    """How a condition field is evaluated; None for a field the table does not know."""
    return _condition_specs().get(field)


@functools.cache
def _profile_table() -> Mapping[str, Mapping[str, Any]]:
    table = load_yaml(_FIELDS, frozenset({"conditions", "profile"}))["profile"]
    for field, item in table.items():
        check_keys(_FIELDS, f"profile.{field}", item, ("label", "headers"), required=("label",))
        as_str_list(_FIELDS, f"profile.{field}.headers", item.get("headers"))
    return dict(table)


def profile_fields() -> tuple[str, ...]:
    """The profile field names known to the tables, in table order."""
    return tuple(_profile_table())


def profile_label(field: str) -> str:
    """The Chinese label of a profile field (``headcount`` → 职工人数)."""
    item = _profile_table().get(field)
    return str(item["label"]) if item else field


@functools.cache
def header_map() -> Mapping[str, str]:
    """Accepted key or column header (folded, lower-case) → profile field name."""
    out: dict[str, str] = {}
    for field, item in _profile_table().items():
        for header in [field, item["label"], *item.get("headers", [])]:
            key = fold(header).lower()
            if out.get(key, field) != field:
                raise DataFileError(f"{_FIELDS}: profile.{field}.headers: “{header}”重复 / duplicate header")
            out[key] = field
    return out


def qualification_key(name: str) -> str:
    """The form qualification names are compared in: simplified, no spaces or quote marks."""
    return "".join(ch for ch in fold(name) if ch not in _QUOTES)


@dataclass(frozen=True)
class _Qualifications:
    canonical: Mapping[str, str]
    implies: Mapping[str, tuple[str, ...]]


@functools.cache
def _qualifications() -> _Qualifications:
    items = load_yaml(_QUALS, frozenset({"qualifications"}))["qualifications"]
    canonical: dict[str, str] = {}
    implies: dict[str, tuple[str, ...]] = {}
    for i, item in enumerate(items):
        where = f"qualifications[{i}]"
        check_keys(_QUALS, where, item, ("name", "synonyms", "implies"), required=("name",))
        name = str(item["name"])
        for word in [name, *as_str_list(_QUALS, f"{where}.synonyms", item.get("synonyms"))]:
            key = qualification_key(word)
            if canonical.get(key, name) != name:
                raise DataFileError(
                    f"{_QUALS}: {where}: “{word}”已属于“{canonical[key]}” / duplicate synonym"
                )
            canonical[key] = name
        implies[name] = tuple(as_str_list(_QUALS, f"{where}.implies", item.get("implies")))
    for name, implied in implies.items():
        for target in implied:
            if target not in implies:
                raise DataFileError(f"{_QUALS}: {name}.implies: 未知资质 / unknown qualification {target!r}")
    return _Qualifications(canonical, implies)


@functools.lru_cache(maxsize=4096)  # pure over the loaded table; hot in bulk matching
def canonical_qualification(name: str) -> str:
    """The canonical name of a qualification (国高 → 高新技术企业); unknown names come back simplified."""
    key = qualification_key(name)
    return _qualifications().canonical.get(key) or fold(name)


@functools.lru_cache(maxsize=4096)  # pure over the loaded table; hot in bulk matching
def implied_qualifications(name: str) -> frozenset[str]:
    """``name`` (canonical) and everything holding it implies, transitively."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(_qualifications().implies.get(current, ()))
    return frozenset(seen)


@dataclass(frozen=True)
class _Applicants:
    types: tuple[str, ...]
    covers: Mapping[str, frozenset[str]]


@functools.cache
def _applicants() -> _Applicants:
    data = load_yaml(APPLICANT_TYPES_FILE, frozenset({"types", "covers"}))
    types = tuple(as_str_list(APPLICANT_TYPES_FILE, "types", data["types"]))
    covers: dict[str, frozenset[str]] = {}
    for word, listed in data["covers"].items():
        targets = as_str_list(APPLICANT_TYPES_FILE, f"covers.{word}", listed)
        unknown = [t for t in targets if t not in types]
        if unknown:
            raise DataFileError(f"{APPLICANT_TYPES_FILE}: covers.{word}: 未知类型 / unknown types {unknown}")
        covers[str(word)] = frozenset(targets)
    return _Applicants(types, covers)


def applicant_types() -> tuple[str, ...]:
    """The applicant types a profile may have (企业, 高等学校…)."""
    return _applicants().types


def canonical_applicant_type(word: str) -> str | None:
    """A profile's type from what the user wrote (高校 → 高等学校), None when it is not a known type."""
    text = fold(word)
    if text in _applicants().types:
        return text
    covered = _applicants().covers.get(text, frozenset())
    return next(iter(covered)) if len(covered) == 1 else None


def covers_applicant_type(word: str, applicant_type: str) -> bool:
    """Whether a word listed by a condition admits ``applicant_type`` (中小企业 admits 企业)."""
    text = fold(word)
    return applicant_type in text or applicant_type in _applicants().covers.get(text, frozenset())
