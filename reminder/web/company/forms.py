"""The company profile as an HTML form: which inputs it has, and how values go in and out.

    profile_inputs() ─ one FormField per profile field, in page order; labels, units and hints are the
                     field registry's (reminder/data/fields.yaml)
    form_values(company) ─ the stored company as the strings the inputs show
    form_data(form) ─ the posted strings as the mapping ``register_company`` / ``parse_profile`` read
    field_anchor(label) ─ a "please fill in" label from the rules engine → the input's id

Validation itself is the rules' (``parse_profile``): the form only carries strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reminder import tables
from reminder.companies.profiles import legal_person_from_text
from reminder.db.models import Company
from reminder.fields import profile_defs
from reminder.rules import applicant_types, currencies, default_currency, profile_label

__all__ = ["FormField", "profile_inputs", "form_values", "form_data", "field_anchor"]

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


#: how a currency is written where it is used (新台币 is 新臺幣 in Taiwan); others as their canonical name
_CURRENCY_LABELS = {"新台币": "新臺幣"}


def _applicant_choices() -> tuple[tuple[str, str], ...]:
    return tuple((t, t) for t in applicant_types())


def _currency_choices() -> tuple[tuple[str, str], ...]:
    return tuple((c, _CURRENCY_LABELS.get(c, c)) for c in currencies())


#: select inputs whose options are not 是/否
_CHOICES = {"applicant_type": _applicant_choices, "currency": _currency_choices}


#: the page layout: (profile field, input kind, inputmode, required); labels and hints are the registry's
_LAYOUT: tuple[tuple[str, str, str, bool], ...] = (
    ("name", "text", "", True),
    ("credit_code", "text", "", False),
    ("region", "text", "", True),
    ("contact_email", "email", "", False),
    ("applicant_type", "select", "", False),
    ("industry", "text", "", False),
    ("industry_tags", "text", "", False),
    ("founded_on", "date", "", False),
    ("headcount", "text", "numeric", False),
    ("annual_revenue", "text", "decimal", False),
    ("total_assets", "text", "decimal", False),
    ("registered_capital", "text", "decimal", False),
    ("currency", "select", "", False),
    ("rd_expense_ratio", "text", "decimal", False),
    ("rd_staff_ratio", "text", "decimal", False),
    ("qualifications", "textarea", "", False),
    ("legal_person", "select", "", False),
    ("credit_ok", "select", "", False),
)


def _form_field(name: str, kind: str, inputmode: str, required: bool) -> FormField:
    spec = profile_defs()[name]
    choices = _CHOICES[name]() if name in _CHOICES else _YES_NO if kind == "select" else ()
    label = f"{spec.label}（{spec.unit}）" if spec.unit else spec.label
    return FormField(name, label, kind, spec.hint, required, choices, inputmode)


@tables.cached
def profile_inputs() -> tuple[FormField, ...]:
    """The profile form's inputs, in page order, labelled from the field registry."""
    return tuple(_form_field(*row) for row in _LAYOUT)


_NAMES = frozenset(row[0] for row in _LAYOUT)


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
    lines = [
        f"{q['name']}:{q['valid_until']}" if q.get("valid_until") else str(q["name"]) for q in items or []
    ]
    return "\n".join(lines)


def form_values(company: Company) -> dict[str, str]:
    """The stored company as the strings the form's inputs show.

    Args:
        company: the stored company.

    Returns:
        input name → value, one entry per :func:`profile_inputs` field.
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
        "currency": company.currency or default_currency(),
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
    entered = {f.name: str(form.get(f.name) or "").strip() for f in profile_inputs()}
    data: dict[str, Any] = {name: (value or None) for name, value in entered.items() if name in _NAMES}
    return entered, data


def field_anchor(label: str) -> str | None:
    """The profile input a "please fill in" label from the rules engine points at, or None.

    >>> field_anchor("职工人数")
    'headcount'
    >>> field_anchor("所在地区（精确到市、区县）")
    'region'
    """
    for f in profile_inputs():
        if label == f.name or label.startswith(profile_label(f.name)):
            return f.name
    return None
