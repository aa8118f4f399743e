"""The field, qualification and applicant-type tables of ``data/``, loaded and checked once.

reminder/data/fields.yaml (the field registry, :mod:`reminder.fields`)
                      condition field → label, evaluator kind, profile attribute, unit
                      profile field → label, accepted headers
qualifications.yaml   canonical name ← synonyms; implications (小巨人 ⇒ 专精特新中小企业)
applicant_types.yaml  the types a profile may have, and words that cover them
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reminder import fields, tables
from reminder.errors import DataFileError

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
    "is_known_qualification",
    "is_compliance_clause",
    "judged_spec",
    "qualification_words",
    "APPLICANT_TYPES_FILE",
    "applicant_types",
    "canonical_applicant_type",
    "covers_applicant_type",
]

#: evaluator kinds: the registry's value types
KINDS = fields.VALUE_TYPES
_FIELDS = fields.FIELDS_FILE
_QUALS = "qualifications.yaml"  # reminder/data/: one table with extraction
_SPELLINGS = ("synonyms", "variants", "typed")
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


@tables.cached
def _condition_specs() -> Mapping[str, FieldSpec]:
    return {
        name: FieldSpec(name, d.label, d.type, d.profile, d.unit) for name, d in fields.field_defs().items()
    }


def condition_spec(field: str) -> FieldSpec | None:
    """How a condition field is evaluated; None for a field the table does not know."""
    return _condition_specs().get(field)


def profile_fields() -> tuple[str, ...]:
    """The profile field names known to the tables, in table order."""
    return tuple(fields.profile_defs())


def profile_label(field: str) -> str:
    """The Chinese label of a profile field (``headcount`` → 职工人数)."""
    item = fields.profile_defs().get(field)
    return item.label if item else field


@tables.cached
def header_map() -> Mapping[str, str]:
    """Accepted key or column header (folded, lower-case) → profile field name."""
    out: dict[str, str] = {}
    for field, item in fields.profile_defs().items():
        for header in [field, item.label, *item.headers]:
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
    items = tables.load_table("reminder", _QUALS, {"qualifications": list})["qualifications"]
    canonical: dict[str, str] = {}
    implies: dict[str, tuple[str, ...]] = {}
    for i, item in enumerate(items):
        where = f"qualifications[{i}]"
        check_keys(_QUALS, where, item, ("name", *_SPELLINGS, "implies"), required=("name",))
        name = str(item["name"])
        spellings = [as_str_list(_QUALS, f"{where}.{k}", item.get(k)) for k in _SPELLINGS]
        for word in [name, *(w for words in spellings for w in words)]:
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


def is_known_qualification(name: str) -> bool:
    """Whether a canonical name is one of the table's qualifications (profiles can record only those)."""
    return name in _qualifications().implies


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


_COMPLIANCE = "compliance.yaml"


@tables.cached
def _compliance_words() -> tuple[str, ...]:
    data = load_yaml(_COMPLIANCE, frozenset({"clauses"}))
    return tuple(fold(w) for w in as_str_list(_COMPLIANCE, "clauses", data["clauses"]))


@functools.lru_cache(maxsize=4096)  # pure over the loaded table; hot in bulk matching
def is_compliance_clause(quote: str) -> bool:
    """Whether a clause is a common compliance one (财务制度健全, 无重大违法…) the credit flag covers."""
    text = fold(quote)
    return any(word in text for word in _compliance_words())


def judged_spec(condition: Any) -> FieldSpec | None:
    """How a condition is judged: its field's spec, except compliance clauses of field ``other``,
    which the credit flag decides."""
    if condition.field == "other" and is_compliance_clause(condition.quote):
        return condition_spec("credit")
    return condition_spec(condition.field)


@tables.cached
def qualification_words() -> tuple[tuple[str, str], ...]:
    """(compared form of a name or synonym, canonical name), longest first: for finding titles in text."""
    pairs = [(key, name) for key, name in _qualifications().canonical.items() if key]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))
