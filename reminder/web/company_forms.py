"""The company profile as an HTML form: which inputs it has, and how values go in and out.

    PROFILE_FORM ─ one FormField per profile field, in page order (labels and hints in Chinese)
    form_values(company) ─ the stored company as the strings the inputs show
    form_data(form) ─ the posted strings as the mapping ``register_company`` / ``parse_profile`` read
    field_anchor(label) ─ a "please fill in" label from the rules engine → the input's id

Validation itself is the rules' (``parse_profile``): the form only carries strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reminder.db.models import Company
from reminder.db.profiles import legal_person_from_text
from reminder.rules._vocab import applicant_types, profile_label

__all__ = ["FormField", "PROFILE_FORM", "form_values", "form_data", "field_anchor"]

_YES_NO: tuple[tuple[str, str], ...] = (("", "未填写"), ("是", "是"), ("否", "否"))


@dataclass(frozen=True)
class FormField:
    """One input of the profile form."""

    #: profile field name, also the input's name and id (the anchor missing-data links point at)
    name: str
    #: Chinese label
    label: str
    #: "text", "email", "date", "select" or "textarea"
    kind: str = "text"
    #: hint shown under the input
    hint: str = ""
    required: bool = False
    #: (value, label) options of a select
    choices: tuple[tuple[str, str], ...] = ()
    #: inputmode attribute for phones ("numeric", "decimal")
    inputmode: str = ""


def _applicant_choices() -> tuple[tuple[str, str], ...]:
    return tuple((t, t) for t in applicant_types())


PROFILE_FORM: tuple[FormField, ...] = (
    FormField("name", "企业名称", required=True),
    FormField("credit_code", "统一社会信用代码", hint="18位，最后一位为校验位"),
    FormField("region", "所在地区", required=True, hint="尽量精确到区县，如 浙江省杭州市萧山区"),
    FormField("contact_email", "联系邮箱", "email", hint="管理链接和提醒发送到这里"),
    FormField("applicant_type", "申报主体类型", "select", choices=_applicant_choices()),
    FormField("industry", "所属行业", hint="如 软件和信息技术服务业"),
    FormField("industry_tags", "行业标签", hint="多个以分号分隔，如 人工智能；新材料"),
    FormField("founded_on", "成立日期", "date", hint="如 2018-05-20"),
    FormField("headcount", "职工人数（人）", inputmode="numeric"),
    FormField("annual_revenue", "年销售收入（万元）", inputmode="decimal", hint="可写 3500 或 3500万元 或 2亿元"),
    FormField("total_assets", "资产总额（万元）", inputmode="decimal"),
    FormField("registered_capital", "注册资本（万元）", inputmode="decimal"),
    FormField("rd_expense_ratio", "研发费用占销售收入比例（%）", inputmode="decimal"),
    FormField("rd_staff_ratio", "研发人员占职工比例（%）", inputmode="decimal"),
    FormField(
        "qualifications",
        "已获资质",
        "textarea",
        hint="每行一项，可附有效期，如 高新技术企业:2026-12-31；没有请填“无”，不填表示未知",
    ),
    FormField("legal_person", "具有独立法人资格", "select", choices=_YES_NO),
    FormField("credit_ok", "信用状况良好（无严重失信行为）", "select", choices=_YES_NO),
)

_NAMES = frozenset(f.name for f in PROFILE_FORM)


def _number_text(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _yes_no(value: bool | str | None) -> str:
    if isinstance(value, str):
        value = legal_person_from_text(value)
    return "" if value is None else ("是" if value else "否")


def _qualifications_text(items: list[dict[str, Any]] | None) -> str:
    """Stored ``[]`` is "not filled in" (blank); ``[{"name": "无"}]`` is "holds none" (无)."""
    lines = [f"{q['name']}:{q['valid_until']}" if q.get("valid_until") else str(q["name"]) for q in items or []]
    return "\n".join(lines)


def form_values(company: Company) -> dict[str, str]:
    """The stored company as the strings the form's inputs show.

    Args:
        company: the stored company.

    Returns:
        input name → value, one entry per :data:`PROFILE_FORM` field.
    """
    return {
        "name": company.name,
        "credit_code": company.credit_code or "",
        "region": company.region_name or "",
        "contact_email": company.contact_email or "",
        "applicant_type": company.applicant_type or "企业",
        "industry": company.industry or "",
        "industry_tags": "；".join(company.industry_tags or []),
        "founded_on": company.founded_on.isoformat() if company.founded_on else "",
        "headcount": _number_text(company.headcount),
        "annual_revenue": _number_text(company.annual_revenue),
        "total_assets": _number_text(company.total_assets),
        "registered_capital": _number_text(company.registered_capital),
        "rd_expense_ratio": _number_text(company.rd_expense_ratio),
        "rd_staff_ratio": _number_text(company.rd_staff_ratio),
        "qualifications": _qualifications_text(company.qualifications),
        "legal_person": _yes_no(company.legal_person),
        "credit_ok": _yes_no(company.credit_ok),
    }


def form_data(form: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The posted form, as entered (to show again) and as the profile mapping to validate.

    Args:
        form: the request's form fields; unknown fields are ignored.

    Returns:
        (entered: input name → the text as typed, data: profile field → value, blanks as None).
    """
    entered = {f.name: str(form.get(f.name) or "").strip() for f in PROFILE_FORM}
    data: dict[str, Any] = {name: (value or None) for name, value in entered.items() if name in _NAMES}
    return entered, data


def field_anchor(label: str) -> str | None:
    """The profile input a "please fill in" label from the rules engine points at, or None.

    >>> field_anchor("职工人数")
    'headcount'
    >>> field_anchor("所在地区（精确到市、区县）")
    'region'
    """
    for f in PROFILE_FORM:
        if label == f.name or label.startswith(profile_label(f.name)):
            return f.name
    return None
