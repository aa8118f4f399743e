"""Company profiles: the facts about one company that eligibility conditions are checked against.

``Profile`` is a frozen dataclass whose constructor converts and validates every field (``"2亿元"``
becomes ``Decimal("20000")`` 万元, ``"杭州市萧山区"`` a ``Region``) and raises ``ProfileError`` listing
every bad field at once. ``parse_profile`` does the same from a mapping with English or Chinese keys
and also rejects unknown keys; ``profile_to_dict`` goes back. ``None`` always means "not filled in",
which the engine reads as unknown, never as zero.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from reminder.errors import ProfileError

from ._currency import canonical_currency, default_currency, split_currency
from ._units import fold, is_blank, parse_bool, parse_money, parse_number
from ._vocab import (
    applicant_types,
    canonical_applicant_type,
    canonical_qualification,
    header_map,
    profile_label,
)
from .credit_code import region_from_credit_code, region_warnings
from .regions import Region, RegionError, region_by_code, region_path, resolve_region

__all__ = ["Profile", "Qualification", "parse_profile", "profile_to_dict", "parse_date", "profile_warnings"]

log = logging.getLogger(__name__)

_EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}(?<!\.)"
    r"@(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$|^(\d{4})(\d{2})(\d{2})$")
_LIST_SEP = re.compile(r"[;；,，、|\n]+")
# 高新技术企业:2026-12-31 — a name, then optionally its expiry date.
_QUAL_ITEM = re.compile(r"^(?P<name>.+?)(?:[:：@]\s*(?P<until>[\d\s\-/.年月日]+))?$")
_NO_QUALIFICATIONS = frozenset({"无", "没有", "暂无", "none"})


@dataclass(frozen=True)
class Qualification:
    """A qualification the company holds (高新技术企业…), with its expiry date if it has one."""

    #: canonical name (see ``data/qualifications.yaml``)
    name: str
    #: last day it is valid; None when it does not expire or the date is not known
    valid_until: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        """Whether the qualification is still valid on ``day``."""
        return self.valid_until is None or day <= self.valid_until


@dataclass(frozen=True)
class Profile:
    """One company. Money in 万元, ratios in %, None = not filled in."""

    #: 企业名称
    name: str
    #: 所在地区 (the registered region), as precise as known
    region: Region
    #: 统一社会信用代码, validated including its check character
    credit_code: str | None = None
    #: 所属行业, free text
    industry: str | None = None
    #: 行业标签 (产业领域), matched against industry lists in notices
    industry_tags: tuple[str, ...] = ()
    #: 成立日期
    founded_on: dt.date | None = None
    #: 职工人数
    headcount: int | None = None
    #: 年销售收入 (万元)
    annual_revenue: Decimal | None = None
    #: 资产总额 (万元)
    total_assets: Decimal | None = None
    #: 注册资本 (万元)
    registered_capital: Decimal | None = None
    #: 研发费用占销售收入比例 (%)
    rd_expense_ratio: Decimal | None = None
    #: 研发人员占职工比例 (%)
    rd_staff_ratio: Decimal | None = None
    #: qualifications held; None = not filled in, () = none
    qualifications: tuple[Qualification, ...] | None = None
    #: 具有独立法人资格
    legal_person: bool | None = None
    #: 信用状况良好 (no serious dishonesty record)
    credit_ok: bool | None = None
    #: 申报主体类型 (one of ``data/applicant_types.yaml`` types)
    applicant_type: str = "企业"
    #: 联系邮箱
    contact_email: str | None = None
    #: the currency of every money field (人民币 unless stated: 新臺幣5000萬元 sets 新台币)
    currency: str | None = None

    def __post_init__(self) -> None:
        raw, errors = _currencies({f.name: getattr(self, f.name) for f in fields(self)})
        values, bad = _convert(raw)
        errors.update(bad)
        if errors:
            raise ProfileError(errors)
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def region_code(self) -> str:
        """6-digit code of the region."""
        return self.region.code

    @property
    def region_name(self) -> str:
        """Full region name, e.g. 浙江省杭州市萧山区."""
        return region_path(self.region)


def parse_date(value: Any) -> dt.date:
    """A date from ``date``, ``"2024-03-01"``, ``"2024/3/1"``, ``"2024年3月1日"`` or ``"20240301"``.

    Raises:
        ValueError: not a date (message in Chinese).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(fold(str(value)))
    if match:
        y, m, d = (int(g) for g in match.groups() if g is not None)
        try:
            return dt.date(y, m, d)
        except ValueError:
            pass
    raise ValueError(f"“{value}”不是有效日期（应如 2024-03-01）")


#: control characters (NUL broke PostgreSQL) and lone surrogates; tab and newlines are fine
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _text(value: Any) -> str | None:
    if is_blank(value):
        return None
    text = str(value).strip()
    if _CONTROL.search(text):
        raise ValueError("含有不允许的控制字符（如 NUL）")
    return text or None


def _name(value: Any) -> str:
    text = _text(value)
    if text is None:
        raise ValueError("不能为空")
    return text


def _region(value: Any) -> Region:
    if isinstance(value, Region):
        return value
    if is_blank(value):
        raise ValueError("不能为空")
    try:
        return resolve_region(str(value))
    except RegionError as exc:
        raise ValueError(exc.errors["region"]) from exc


#: a credit code written as stored (18 ASCII characters, upper case, nothing to clean up)
_USCC_PLAIN = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")
#: GB 32100-2015 check character: the value of each character and the weight of each position
_USCC_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _plain_valid_credit_code(text: str) -> bool:
    """Whether ``text`` is a well-formed credit code with the right check character (what
    ``uscc.validate`` decides, about ten times faster: an import checks one per row)."""
    if not _USCC_PLAIN.fullmatch(text):
        return False
    total = sum(_USCC_VALUES[c] * w for c, w in zip(text, _USCC_WEIGHTS, strict=False))
    return _USCC_VALUES[text[17]] == (31 - total) % 31


def _credit_code(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if _plain_valid_credit_code(text):
        return text
    number = uscc.compact(fold(text))
    try:
        return str(uscc.validate(number))
    except InvalidChecksum:
        expected = uscc.calc_check_digit(number[:17])
        raise ValueError(f"校验位错误：第18位应为“{expected}”，请核对是否抄错") from None
    except InvalidLength:
        raise ValueError(f"应为18位，实际为{len(number)}位") from None
    except ValidationError:
        raise ValueError("格式错误：前8位应为数字，其余为数字或大写字母（不含 I、O、Z、S、V）") from None


def _tags(value: Any) -> tuple[str, ...]:
    if is_blank(value):
        return ()
    if isinstance(value, str):
        items: Iterable[Any] = _LIST_SEP.split(value)
    elif isinstance(value, Iterable):
        items = value
    else:
        raise ValueError("应为列表或以分号分隔的文字")
    tags = tuple(t for t in (str(i).strip() for i in items) if t)
    if any(_CONTROL.search(t) for t in tags):
        raise ValueError("含有不允许的控制字符（如 NUL）")
    return tags


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if is_blank(value) else convert(value)


#: bounds that keep every stored number inside the database's columns (issue 16: 2147483648 was a 500)
MAX_HEADCOUNT = 10_000_000
MAX_MONEY = Decimal(10) ** 12  # 万元


def _headcount(value: Any) -> int:
    number = parse_number(value, integer=True)
    if number < 0:
        raise ValueError("不能为负数")
    if number > MAX_HEADCOUNT:
        raise ValueError(f"不能超过 {MAX_HEADCOUNT:,} 人")
    return int(number)


def _money(value: Any) -> Decimal:
    amount = parse_money(value)
    if not amount.is_finite() or amount > MAX_MONEY:
        raise ValueError("金额过大（不能超过 1万亿万元）")
    return amount


def _ratio(value: Any) -> Decimal:
    number = parse_number(value)
    if not 0 <= number <= 100:
        raise ValueError(f"比例应在 0–100 之间（单位 %），而不是 {value}")
    return number


def _qualification(item: Any) -> Qualification:
    if isinstance(item, Qualification):
        return Qualification(canonical_qualification(item.name), item.valid_until)
    if isinstance(item, Mapping):
        until = item.get("valid_until")
        name = _text(item.get("name"))
        if name is None:
            raise ValueError("资质名称为空")
        return Qualification(canonical_qualification(name), None if is_blank(until) else parse_date(until))
    if _CONTROL.search(str(item)):
        raise ValueError("含有不允许的控制字符（如 NUL）")
    match = _QUAL_ITEM.match(fold(str(item)))
    if not match:
        raise ValueError(f"无法读取资质“{item}”（应如 高新技术企业:2026-12-31）")
    until_text = match.group("until")
    return Qualification(
        canonical_qualification(match.group("name")), parse_date(until_text) if until_text else None
    )


def _qualifications(value: Any) -> tuple[Qualification, ...] | None:
    if value is None or (isinstance(value, str) and is_blank(value)):
        return None
    if isinstance(value, str):
        if fold(value).lower() in _NO_QUALIFICATIONS:
            return ()
        value = _LIST_SEP.split(value)
    if isinstance(value, Qualification | Mapping) or not isinstance(value, Iterable):
        value = [value]
    items = [_qualification(v) for v in value if not (isinstance(v, str) and not v.strip())]
    return tuple(sorted({q.name: q for q in items}.values(), key=lambda q: q.name))


def _applicant_type(value: Any) -> str:
    if is_blank(value):
        return "企业"
    canonical = canonical_applicant_type(str(value))
    if canonical is None:
        raise ValueError(f"未知类型“{value}”（可选：{'、'.join(applicant_types())}）")
    return canonical


def _email(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if not _EMAIL.match(text):
        raise ValueError(f"“{text}”格式不正确（应如 name@example.com）")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


_MONEY = ("annual_revenue", "total_assets", "registered_capital")


def _currency(value: Any) -> str:
    if is_blank(value):
        return default_currency()
    found = canonical_currency(str(value))
    if found is None:
        raise ValueError(f"未知币种“{value}”（如 人民币、新台币、港币）")
    return found


def _currencies(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Move currency words out of money amounts into ``currency``; every amount must share one currency."""
    errors: dict[str, str] = {}
    stated = None if is_blank(raw.get("currency")) else canonical_currency(str(raw["currency"]))
    for name in _MONEY:
        value = raw.get(name)
        if not isinstance(value, str) or is_blank(value):
            continue
        amount, found = split_currency(value)
        if found is None:
            continue
        raw[name] = amount
        if stated is not None and found != stated:
            errors[name] = f"{profile_label(name)}：币种“{found}”与其他金额的币种“{stated}”不一致"
        stated = stated or found
    if stated is not None and is_blank(raw.get("currency")):
        raw["currency"] = stated
    return raw, errors


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "region": _region,
    "credit_code": _credit_code,
    "industry": _text,
    "industry_tags": _tags,
    "founded_on": _optional(parse_date),
    "headcount": _optional(_headcount),
    "annual_revenue": _optional(_money),
    "total_assets": _optional(_money),
    "registered_capital": _optional(_money),
    "rd_expense_ratio": _optional(_ratio),
    "rd_staff_ratio": _optional(_ratio),
    "qualifications": _qualifications,
    "legal_person": parse_bool,
    "credit_ok": parse_bool,
    "applicant_type": _applicant_type,
    "contact_email": _email,
    "currency": _currency,
}


def _convert(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Convert every field; collect a Chinese message per bad field instead of stopping at the first."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in raw.items():
        try:
            values[name] = _CONVERTERS[name](value)
        except (ValueError, TypeError) as exc:
            errors[name] = f"{profile_label(name)}：{exc}"
    return values, errors


def _rename(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """English or Chinese keys → field names; unknown and repeated keys are errors."""
    known = header_map()
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in data.items():
        # a field name maps to itself (a CSV import's rows are keyed so): no folding needed
        field = key if known.get(key) == key else known.get(fold(str(key)).lower())
        if field is None:
            errors[str(key)] = f"未知字段“{key}”"
        elif field in out:
            errors[str(key)] = f"“{key}”与另一列都表示{profile_label(field)}，请只保留一列"
        else:
            out[field] = value
    return out, errors


def _region_from(data: dict[str, Any], errors: dict[str, str]) -> None:
    """Fill ``data["region"]`` from ``region_code`` (else from the credit code) and check the two agree."""
    code = data.pop("region_code", None)
    if is_blank(code):
        if is_blank(data.get("region")) and not is_blank(data.get("credit_code")):
            issued = region_from_credit_code(fold(str(data["credit_code"])))
            if issued is not None:
                data["region"] = issued
        return
    try:
        by_code = region_by_code(str(code))
    except RegionError as exc:
        errors["region_code"] = f"{profile_label('region_code')}：{exc.errors['region']}"
        return
    region = data.get("region")
    if is_blank(region):
        data["region"] = by_code
    elif isinstance(region, str) and _region_or_none(region) != by_code:
        errors["region_code"] = f"行政区划代码 {code} 是{region_path(by_code)}，与所在地区“{region}”不一致"


def _region_or_none(text: str) -> Region | None:
    try:
        return resolve_region(text)
    except RegionError:
        return None


def _converted_profile(converted: dict[str, Any]) -> Profile:
    """``Profile(**converted)`` without converting every value a second time in ``__post_init__``
    (a CSV import of 100,000 rows spent half its validation there): only the fields not given are
    converted, from their defaults, as ``__post_init__`` would."""
    profile = object.__new__(Profile)
    for name, default in _DEFAULTS:
        value = converted[name] if name in converted else _CONVERTERS[name](default)
        object.__setattr__(profile, name, value)
    return profile


#: every field of ``Profile`` with its default, in order
_DEFAULTS = tuple((f.name, f.default) for f in fields(Profile))


def parse_profile(data: Mapping[str, Any]) -> Profile:
    """Validate a company profile given as a mapping.

    Args:
        data: field → value, keys in English (``headcount``) or Chinese (职工人数); ``region`` may be a
            name or be replaced by ``region_code``.

    Returns:
        The profile.

    Raises:
        ProfileError: listing every bad field (unknown keys, missing name or region, negative
            headcount, unknown region, bad credit code or email, ratio out of range…).
    """
    values, errors = _rename(data)
    _region_from(values, errors)
    for required in ("name", "region"):
        if is_blank(values.get(required)):
            errors[required] = f"{profile_label(required)}：必填"
            values.pop(required, None)
    values, currency_errors = _currencies(values)
    errors.update(currency_errors)
    converted, bad = _convert(values)
    errors.update(bad)
    if errors:
        raise ProfileError(errors)
    profile = _converted_profile(converted)
    for warning in profile_warnings(profile):
        log.warning("%s: %s", profile.name, warning)
    return profile


def profile_warnings(profile: Profile) -> tuple[str, ...]:
    """Things worth a second look that are not errors (Chinese): the credit code issued elsewhere."""
    return region_warnings(profile.region, profile.credit_code)


def _number_out(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """A JSON-ready mapping that ``parse_profile`` reads back into an equal profile."""
    out: dict[str, Any] = {}
    for f in fields(profile):
        value = getattr(profile, f.name)
        if isinstance(value, Decimal):
            value = _number_out(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Region):
            out["region_code"] = value.code
            value = region_path(value)
        elif f.name == "qualifications" and value is not None:
            value = [
                {"name": q.name, "valid_until": q.valid_until.isoformat() if q.valid_until else None}
                for q in value
            ]
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out
