"""Checking an operator's corrected values and normalising them to JSON (dates ISO, times HH:MM).

Every refusal is a :class:`CorrectionError` naming the field, in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from reminder.errors import CorrectionError
from reminder.fields import condition_fields, field_def
from reminder.model import APPLY_STEP_KINDS, BENEFIT_KINDS, CONDITION_OPS, DEADLINE_KINDS, LEVELS

__all__ = [
    "TARGETS",
    "ACTIONS",
    "DEADLINE_KEYS",
    "CONDITION_KEYS",
    "NOTICE_KEYS",
    "FACT_TARGETS",
    "BENEFIT_KEYS",
    "APPLY_STEP_KEYS",
    "CONTACT_KEYS",
    "CURRENCIES",
    "normalize_values",
    "normalize_phone",
    "format_time",
]

#: the facts of issue 13 an operator corrects like deadlines and conditions (Notice field of each:
#: benefits, how_to_apply, contacts)
FACT_TARGETS: tuple[str, ...] = ("benefit", "how_to_apply", "contact")
#: Correction.target
TARGETS: tuple[str, ...] = ("deadline", "condition", "notice", *FACT_TARGETS)
#: Correction.action
ACTIONS: tuple[str, ...] = ("set", "add", "delete")
_DEADLINE_FLAGS = ("approximate", "conditional", "to_be_announced")
#: what a correction may change, per target
DEADLINE_KEYS: tuple[str, ...] = ("date", "time", "kind", "batch", *_DEADLINE_FLAGS)
CONDITION_KEYS: tuple[str, ...] = ("field", "op", "value", "unit", "group", "hard")
NOTICE_KEYS: tuple[str, ...] = ("title", "level", "issuer", "published", "rolling", "policy_only")
BENEFIT_KEYS: tuple[str, ...] = (
    "kind", "amount", "amount_min", "capped", "currency", "rate", "rate_base", "tier", "one_off",
)  # fmt: skip
APPLY_STEP_KEYS: tuple[str, ...] = ("kind", "name", "url", "email", "address", "via", "items", "copies")
CONTACT_KEYS: tuple[str, ...] = ("name", "department", "phones", "emails", "topic")
#: Benefit.currency (ISO 4217)
CURRENCIES: tuple[str, ...] = ("CNY", "TWD", "HKD", "MOP")
_LIST_SEP = re.compile(r"[,，、;；\s]+")
#: phones are typed with spaces inside ((0571)8765 4321): only punctuation and new lines separate them
_PHONE_SEP = re.compile(r"[,，、;；/\n]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s/?#]+\S*", re.I)
#: full-width digits and punctuation in typed phone numbers
_WIDE = str.maketrans("０１２３４５６７８９（）－＋", "0123456789()-+")
_LANDLINE = re.compile(r"\(?(0\d{2,3})\)?-?(\d{7,8})(?:(?:-|转)(\d{1,6}))?")
_MOBILE = re.compile(r"(?:\+?86-?)?(1[3-9]\d{9})")
_SERVICE = re.compile(r"([48]00)-?(\d{3})-?(\d{4})")
_ABROAD = re.compile(r"\+(\d{1,3})-?(\d{4,14})")
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


#: a day as operators type it: 2022-12-31, 2022/12/31, 2022.12.31, 2022年12月31日
_DAY = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _day_value(value: Any) -> str:
    """The value of a date field (成立日期 ≤ 2022-12-31), as YYYY-MM-DD."""
    m = _DAY.match(str(value)) if isinstance(value, str | dt.date) else None
    try:
        if m is None:
            raise ValueError(value)
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise _bad(
            "value",
            f"该条件需要一个日期，如 2022-12-31，而不是 {value!r}",
            f"this field needs a date (YYYY-MM-DD), got {value!r}",
        ) from None


def _condition_value(op: str | None, value: Any, field: str | None = None) -> Any:
    found = field_def(field) if field else None
    if found is not None and found.type == "date":
        return _day_value(value)
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


def _condition_values(
    values: dict[str, Any], action: str, current_op: str | None, current_field: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "field" in values:
        out["field"] = _choice("field", values["field"], condition_fields())
    if "op" in values:
        out["op"] = _choice("op", values["op"], CONDITION_OPS)
    if "value" in values:
        out["value"] = _condition_value(
            out.get("op", current_op), values["value"], out.get("field", current_field)
        )
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


def _number(field: str, value: Any) -> float | int | None:
    """A non-negative number (typed text accepted, 50万 → 50); None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _bad(field, f"应为数字，而不是 {value!r}", f"expected a number, got {value!r}")
    try:
        number = float(str(value).strip().removesuffix("万元").removesuffix("万").removesuffix("%").strip())
    except ValueError:
        raise _bad(field, f"应为数字，而不是 {value!r}", f"expected a number, got {value!r}") from None
    if number < 0 or number != number or number == float("inf"):
        raise _bad(field, f"不能为负数或无穷：{value!r}", f"must be a non-negative number, got {value!r}")
    return int(number) if number.is_integer() else number


def _texts(field: str, value: Any, sep: re.Pattern[str] = _LIST_SEP) -> list[str]:
    """A list of texts: given as a list, or typed with 、，; or spaces between."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else sep.split(str(value))
    if not all(isinstance(v, str) for v in items):
        raise _bad(field, "每一项都应是文字", "every item must be text")
    return [v.strip() for v in items if v.strip()]


def normalize_phone(text: str) -> str:
    """A phone number as stored: 0571-87654321 (区号-号码, -分机), 13812345678, 400-123-4567, +852 12345678.

    >>> normalize_phone("(0571)8765 4321"), normalize_phone("０５７１－８７６５４３２１转８００１")
    ('0571-87654321', '0571-87654321-8001')

    Raises:
        CorrectionError: the text is no phone number.
    """
    typed = re.sub(r"\s+", "", text.translate(_WIDE))
    if m := _LANDLINE.fullmatch(typed):
        area, number = m[1], m[2]
        if not re.search(r"[)\-]", typed[: m.start(2)]):  # no separator: 010 and 02X have 3 digits
            joined = area + number
            size = 3 if joined[1] in "12" else 4
            area, number = joined[:size], joined[size:]
        if 7 <= len(number) <= 8:
            return f"{area}-{number}" + (f"-{m[3]}" if m[3] else "")
    if m := _MOBILE.fullmatch(typed):
        return m[1]
    if m := _SERVICE.fullmatch(typed):
        return f"{m[1]}-{m[2]}-{m[3]}"
    if m := _ABROAD.fullmatch(typed):
        return f"+{m[1]} {m[2]}"  # as the extractor writes it (reminder.model.Contact)
    raise _bad(
        "phones",
        f"无法识别的电话号码：{text!r}（如 0571-87654321、13812345678）",
        f"not a phone number: {text!r} (e.g. 0571-87654321, 13812345678)",
    )


def _email(field: str, value: Any) -> str | None:
    text = _text(field, value)
    if text is not None and not _EMAIL.fullmatch(text):
        raise _bad(field, f"邮箱地址无效：{text!r}", f"not an email address: {text!r}")
    return text


def _url(value: Any) -> str | None:
    text = _text("url", value)
    if text is not None and not _URL.fullmatch(text):
        raise _bad(
            "url", f"网址无效：{text!r}，应以 http:// 或 https:// 开头", f"not an http(s) URL: {text!r}"
        )
    return text


def _benefit_values(values: dict[str, Any], action: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "kind" in values:
        out["kind"] = _choice("kind", values["kind"], BENEFIT_KINDS)
    if "currency" in values:
        out["currency"] = _choice("currency", values["currency"] or "CNY", CURRENCIES)
    out |= {k: _number(k, values[k]) for k in ("amount", "amount_min", "rate") if k in values}
    out |= {k: _text(k, values[k]) for k in ("rate_base", "tier") if k in values}
    out |= {k: _flag(k, values[k]) for k in ("capped", "one_off") if k in values}
    low, high = out.get("amount_min"), out.get("amount")
    if low is not None and high is not None and low > high:
        raise _bad("amount_min", "下限不能大于上限", "the lower end is above the upper end")
    if action == "add":
        out.setdefault("kind", "subsidy")
        if out.get("amount") is None and out.get("rate") is None and out["kind"] in ("subsidy", "award"):
            raise _bad(
                "amount",
                "新增的补助或奖励需要金额或比例",
                "an added subsidy or award needs an amount or a rate",
            )
    return out


def _apply_step_values(values: dict[str, Any], action: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "kind" in values:
        out["kind"] = _choice("kind", values["kind"], APPLY_STEP_KINDS)
    out |= {k: _text(k, values[k]) for k in ("name", "address", "via") if k in values}
    if "url" in values:
        out["url"] = _url(values["url"])
    if "email" in values:
        out["email"] = _email("email", values["email"])
    if "items" in values:
        out["items"] = _texts("items", values["items"])
    if "copies" in values:
        copies = _number("copies", values["copies"])
        if copies is not None and (not isinstance(copies, int) or copies < 1):
            raise _bad("copies", "份数应为正整数", "copies must be a positive whole number")
        out["copies"] = copies
    if action == "add":
        out.setdefault("kind", "other")
        if not any(out.get(k) for k in ("name", "url", "email", "address", "via", "items")):
            raise _bad(
                "name",
                "新增的申报方式需要填写系统、网址、邮箱、地址、受理单位或材料之一",
                "an added step needs content",
            )
    return out


def _contact_values(values: dict[str, Any], action: str) -> dict[str, Any]:
    out: dict[str, Any] = {k: _text(k, values[k]) for k in ("name", "department", "topic") if k in values}
    if "phones" in values:
        out["phones"] = list(
            dict.fromkeys(normalize_phone(p) for p in _texts("phones", values["phones"], _PHONE_SEP))
        )
    if "emails" in values:
        out["emails"] = [_email("emails", e) for e in _texts("emails", values["emails"])]
    if action == "add" and not any(out.get(k) for k in ("name", "phones", "emails")):
        raise _bad(
            "name", "新增的联系人需要姓名、电话或邮箱", "an added contact needs a name, phone or email"
        )
    return out


_KEYS = {
    "deadline": DEADLINE_KEYS,
    "condition": CONDITION_KEYS,
    "notice": NOTICE_KEYS,
    "benefit": BENEFIT_KEYS,
    "how_to_apply": APPLY_STEP_KEYS,
    "contact": CONTACT_KEYS,
}


def normalize_values(
    target: str,
    action: str,
    values: dict[str, Any],
    current_op: str | None = None,
    current_field: str | None = None,
) -> dict[str, Any]:
    """Check a correction's values and return them as JSON (dates ISO, times HH:MM).

    Args:
        target: one of TARGETS.
        action: one of ACTIONS.
        values: the corrected fields (only those given are changed by "set").
        current_op: for a condition "set" that changes the value but not the operator.
        current_field: for a condition "set" that changes the value but not the field (a date field's
            value must be a date).

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
        return _condition_values(values, action, current_op, current_field)
    if target == "benefit":
        return _benefit_values(values, action)
    if target == "how_to_apply":
        return _apply_step_values(values, action)
    if target == "contact":
        return _contact_values(values, action)
    return _notice_values(values)
