"""Checking an operator's corrected values and normalising them to JSON (dates ISO, times HH:MM).

Every refusal is a :class:`CorrectionError` naming the field, in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reminder.errors import CorrectionError
from reminder.fields import condition_fields
from reminder.model import CONDITION_OPS, DEADLINE_KINDS, LEVELS

__all__ = [
    "TARGETS",
    "ACTIONS",
    "DEADLINE_KEYS",
    "CONDITION_KEYS",
    "NOTICE_KEYS",
    "normalize_values",
    "format_time",
]

#: Correction.target
TARGETS: tuple[str, ...] = ("deadline", "condition", "notice")
#: Correction.action
ACTIONS: tuple[str, ...] = ("set", "add", "delete")
_DEADLINE_FLAGS = ("approximate", "conditional", "to_be_announced")
#: what a correction may change, per target
DEADLINE_KEYS: tuple[str, ...] = ("date", "time", "kind", "batch", *_DEADLINE_FLAGS)
CONDITION_KEYS: tuple[str, ...] = ("field", "op", "value", "unit", "group", "hard")
NOTICE_KEYS: tuple[str, ...] = ("title", "level", "issuer", "published", "rolling", "policy_only")
_NUMBER_OPS = ("<=", "<", ">=", ">")


def _bad(field: str, zh: str, en: str) -> CorrectionError:
    return CorrectionError(field, f"{zh} / {en}")


def _date(value: Any, field: str = "date") -> str | None:
    if value in (None, ""):
        return None
    try:
        return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))).isoformat()
    except ValueError:
        raise _bad(
            field, f"日期无效：{value!r}，应为 YYYY-MM-DD", f"invalid date {value!r}, use YYYY-MM-DD"
        ) from None


def format_time(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        t = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
    except ValueError:
        raise _bad("time", f"时间无效：{value!r}，应为 HH:MM", f"invalid time {value!r}, use HH:MM") from None
    return t.strftime("%H:%M:%S" if t.second else "%H:%M")


def _choice(field: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _bad(
            field, f"无效的取值 {value!r}，可选：{'、'.join(allowed)}", f"{value!r} is not one of {allowed}"
        )
    return str(value)


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _bad(field, f"应为 true 或 false，而不是 {value!r}", f"expected true or false, got {value!r}")
    return value


def _text(field: str, value: Any, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _bad(field, "不能为空", "must not be empty")
        return None
    if not isinstance(value, str):
        raise _bad(field, f"应为文字，而不是 {value!r}", f"expected text, got {value!r}")
    return value.strip()


def _condition_value(op: str | None, value: Any) -> Any:
    if op in _NUMBER_OPS:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _bad("value", f"“{op}”需要一个数值", f"operator {op!r} needs a number, got {value!r}")
        try:
            number = float(value)
        except ValueError:
            raise _bad(
                "value", f"“{op}”需要一个数值，而不是 {value!r}", f"operator {op!r} needs a number"
            ) from None
        return int(number) if number.is_integer() else number
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise _bad("value", "列表中每一项都应是非空文字", "every item of the list must be non-empty text")
        return [v.strip() for v in value]
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, bool | int | float):
        return value
    raise _bad("value", "条件的取值不能为空", "the condition needs a value")


def _deadline_values(values: dict[str, Any], action: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "date" in values:
        out["date"] = _date(values["date"])
    if "time" in values:
        out["time"] = format_time(values["time"])
    if "kind" in values:
        out["kind"] = _choice("kind", values["kind"], DEADLINE_KINDS)
    if "batch" in values:
        out["batch"] = _text("batch", values["batch"])
    out |= {k: _flag(k, values[k]) for k in _DEADLINE_FLAGS if k in values}
    if action == "add":
        out.setdefault("kind", "application")
        if out.get("date") is None and not out.get("to_be_announced"):
            raise _bad("date", "新增的截止日期需要日期（或勾选“另行通知”）", "an added deadline needs a date")
    if out.get("time") and not out.get("date", True):
        raise _bad("time", "有时间却没有日期", "a time needs a date")
    return out


def _condition_values(values: dict[str, Any], action: str, current_op: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "field" in values:
        out["field"] = _choice("field", values["field"], condition_fields())
    if "op" in values:
        out["op"] = _choice("op", values["op"], CONDITION_OPS)
    if "value" in values:
        out["value"] = _condition_value(out.get("op", current_op), values["value"])
    for key in ("unit", "group"):
        if key in values:
            out[key] = _text(key, values[key])
    if "hard" in values:
        out["hard"] = _flag("hard", values["hard"])
    if action == "add":
        for key in ("field", "op", "value"):
            if key not in out:
                raise _bad(key, "新增条件需要填写此项", f"an added condition needs {key!r}")
    return out


def _notice_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in values:
        out["title"] = _text("title", values["title"], required=True)
    if "level" in values:
        out["level"] = None if values["level"] in (None, "") else _choice("level", values["level"], LEVELS)
    if "issuer" in values:
        out["issuer"] = _text("issuer", values["issuer"])
    if "published" in values:
        out["published"] = _date(values["published"], "published")
    out |= {k: _flag(k, values[k]) for k in ("rolling", "policy_only") if k in values}
    return out


_KEYS = {"deadline": DEADLINE_KEYS, "condition": CONDITION_KEYS, "notice": NOTICE_KEYS}


def normalize_values(
    target: str, action: str, values: dict[str, Any], current_op: str | None = None
) -> dict[str, Any]:
    """Check a correction's values and return them as JSON (dates ISO, times HH:MM).

    Args:
        target: one of TARGETS.
        action: one of ACTIONS.
        values: the corrected fields (only those given are changed by "set").
        current_op: for a condition "set" that changes the value but not the operator.

    Raises:
        CorrectionError: naming the field at fault.
    """
    _choice("target", target, TARGETS)
    _choice("action", action, ACTIONS)
    if target == "notice" and action != "set":
        raise _bad("action", "通知本身只能修改（set）", "a notice can only be corrected with 'set'")
    unknown = sorted(set(values) - set(_KEYS[target]))
    if unknown:
        raise _bad(
            unknown[0], f"不能更正的字段：{'、'.join(unknown)}", f"unknown field(s) {unknown} for {target}"
        )
    if action == "delete":
        return {}
    if action == "set" and not values:
        raise _bad("values", "没有要更正的内容", "nothing to correct: give at least one field")
    if target == "deadline":
        return _deadline_values(values, action)
    if target == "condition":
        return _condition_values(values, action, current_op)
    return _notice_values(values)
