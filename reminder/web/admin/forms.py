"""Reading the operator's correction forms into correction values.

A "set" form shows every field prefilled; only the fields the operator changed become the
correction, so it stays small and keeps applying when the document is ingested again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reminder.corrections.values import format_time
from reminder.db.models import ConditionRow, DeadlineRow
from reminder.model import ApplyStep, Benefit, Contact

__all__ = [
    "deadline_values",
    "condition_values",
    "fact_values",
    "parse_condition_value",
    "value_text",
    "LIST_OPS",
    "FACT_FORM_KEYS",
]

#: operators whose value is a list of names
LIST_OPS: tuple[str, ...] = ("in", "has", "not_has")
_LIST_SEP = re.compile(r"[,，、;；\n]+")


def _field(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _current_deadline(row: DeadlineRow) -> dict[str, Any]:
    return {
        "date": row.date.isoformat() if row.date else None,
        "time": format_time(row.time),
        "kind": row.kind,
        "batch": row.batch,
    }


def deadline_values(form: Mapping[str, Any], row: DeadlineRow | None) -> dict[str, Any]:
    """The deadline fields of a form (date, time, kind, batch); for a "set", only those changed.

    An empty date means "另行通知" (to be announced).
    """
    given: dict[str, Any] = {
        "date": _field(form, "date") or None,
        "time": _field(form, "time") or None,
        "kind": _field(form, "kind") or "application",
        "batch": _field(form, "batch") or None,
    }
    if row is None:
        if given["date"] is None:
            given["to_be_announced"] = True
        return given
    current = _current_deadline(row)
    return {k: v for k, v in given.items() if v != current[k]}  # a new date or none sets "to be announced"


def parse_condition_value(text: str, op: str) -> Any:
    """A condition value as typed: a list for in/has/not_has with separators, else the text."""
    if op in LIST_OPS:
        items = [part.strip() for part in _LIST_SEP.split(text) if part.strip()]
        return items if len(items) > 1 else (items[0] if items else "")
    return text


def value_text(value: Any) -> str:
    """A condition value as the form shows it."""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def condition_values(form: Mapping[str, Any], row: ConditionRow | None) -> dict[str, Any]:
    """The condition fields of a form (field, op, value, unit, hard); for a "set", only those changed."""
    op = _field(form, "op")
    given: dict[str, Any] = {
        "field": _field(form, "field"),
        "op": op,
        "value": parse_condition_value(_field(form, "value"), op),
        "unit": _field(form, "unit") or None,
        "hard": form.get("hard") in ("on", "true", "1"),
    }
    if row is None:
        return given
    current = {"field": row.field, "op": row.op, "value": row.value, "unit": row.unit, "hard": row.hard}
    changed = {
        k: v
        for k, v in given.items()
        if (v != current[k] if k == "hard" else value_text(v) != value_text(current[k]))
    }
    if "op" in changed and "value" not in changed:
        changed["value"] = given["value"]  # checked again against the new operator
    return changed


#: per fact target: the text inputs of its form, and its checkboxes
FACT_FORM_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "benefit": (
        ("kind", "amount", "amount_min", "currency", "rate", "rate_base", "tier"),
        ("capped", "one_off"),
    ),
    "how_to_apply": (("kind", "name", "url", "email", "address", "via", "items", "copies"), ()),
    "contact": (("name", "department", "phones", "emails", "topic"), ()),
}


def _fact_text(value: Any) -> str:
    """A fact's value as its form shows it: lists joined with 、, numbers without a trailing .0."""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return value_text(value)


def fact_values(
    target: str, form: Mapping[str, Any], current: Benefit | ApplyStep | Contact | None
) -> dict[str, Any]:
    """A benefit, how-to-apply or contact form's fields as typed (checked by ``corrections.values``);
    for a "set", only those that differ from ``current``."""
    texts, flags = FACT_FORM_KEYS[target]
    given: dict[str, Any] = {k: _field(form, k) for k in texts}
    given |= {k: form.get(k) in ("on", "true", "1") for k in flags}
    if current is None:
        return {k: v for k, v in given.items() if v not in ("", False)}
    shown = current.to_json()
    return {
        k: v
        for k, v in given.items()
        if (v != bool(shown.get(k)) if k in flags else v != _fact_text(shown.get(k)))
    }
