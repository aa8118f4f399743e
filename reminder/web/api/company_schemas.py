"""What the enterprise JSON API reads and returns. Never a token hash, never a secret in full.

Inputs are permissive where people write values many ways (``"2亿元"``, ``"2024年3月1日"``): the
profile rules (``parse_profile``) validate and answer with Chinese messages per field. Every input
model is a :class:`~reminder.web.api.bounds.BoundedInput`: finite, bounded numbers, bounded text
without control characters, whatever the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reminder.db.models import CompanyPublic
from reminder.fields import profile_defs
from reminder.notify.channels import channel_kinds
from reminder.notify.test_sends import TestState
from reminder.web.api.bounds import BoundedInput
from reminder.web.api.schemas import (
    ApplyStepOut,
    AttachmentOut,
    BenefitOut,
    ConditionOut,
    ContactOut,
    DeadlineOut,
)
from reminder.web.choices import Choice

__all__ = [
    "QualificationIn",
    "ProfileIn",
    "CompanyPatch",
    "CompanyRegistered",
    "TokenOut",
    "NoticeOut",
    "NoticeDetail",
    "ResultOut",
    "MatchOut",
    "ChannelIn",
    "ChannelOut",
    "TestOut",
]

Number = int | float | str


class QualificationIn(BoundedInput):
    model_config = ConfigDict(extra="forbid")

    #: e.g. 高新技术企业
    name: str = Field(max_length=100)
    #: last valid day, if it expires
    valid_until: dt.date | None = None


def _registry_descriptions(schema: dict[str, Any]) -> None:
    """Describe each profile field with the field registry's label and unit (职工人数（人）), unless given."""
    for name, prop in schema.get("properties", {}).items():
        spec = profile_defs().get(name)
        if spec is not None and isinstance(prop, dict) and "description" not in prop:
            prop["description"] = f"{spec.label}（{spec.unit}）" if spec.unit else spec.label


class ProfileIn(BoundedInput):
    """A company profile. Money in 万元 (or with a unit: "2亿元"), ratios in %, blanks = unknown."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_registry_descriptions)

    name: str | None = Field(default=None, max_length=200, description="企业名称（必填）")
    region: str | None = Field(
        default=None, max_length=100, description="所在地区，如 浙江省杭州市萧山区（必填，或给 region_code）"
    )
    region_code: str | None = Field(default=None, max_length=12, description="行政区划代码，如 330109")
    credit_code: str | None = Field(
        default=None, max_length=40, description="统一社会信用代码（18位，含校验位）"
    )
    industry: str | None = Field(default=None, max_length=100)
    industry_tags: list[str] | str | None = None
    founded_on: dt.date | str | None = None
    headcount: int | str | None = None
    annual_revenue: Number | None = Field(default=None, description="年销售收入（万元，也可写 2亿元）")
    total_assets: Number | None = None
    registered_capital: Number | None = None
    rd_expense_ratio: Number | None = None
    rd_staff_ratio: Number | None = None
    qualifications: list[QualificationIn | str] | str | None = Field(
        default=None, description="已获资质；[] 或 “无” 表示没有，不给表示未知"
    )
    legal_person: bool | str | None = None
    credit_ok: bool | str | None = None
    applicant_type: str | None = Field(default=None, max_length=32, description="申报主体类型，默认 企业")
    contact_email: str | None = Field(default=None, max_length=254)
    currency: str | None = Field(
        default=None, max_length=16, description="金额的币种，默认 人民币（或 新台币、港币、澳门元）"
    )

    def profile_data(self) -> dict[str, Any]:
        """The fields given, as the mapping ``parse_profile`` reads."""
        data = self.model_dump(exclude_unset=True, exclude={"reminder_offsets", "digest"})
        if isinstance(self.qualifications, list):
            data["qualifications"] = [
                q.model_dump() if isinstance(q, QualificationIn) else q for q in self.qualifications
            ]
        return data


class CompanyPatch(ProfileIn):
    """The fields to change; fields not given keep their value, ``null`` clears one."""

    reminder_offsets: list[int] | None = Field(default=None, description="提前几天提醒，如 [14, 7, 3, 1, 0]")
    digest: Literal["weekly", "daily", "off"] | None = None


class CompanyRegistered(BaseModel):
    """The new company and its management token: the only time the token is returned."""

    company: CompanyPublic
    token: str
    #: the page to open (sets a cookie, then drops the token from the address)
    management_url: str
    #: the iCal feed to subscribe to
    calendar_url: str
    #: things worth a second look (Chinese), e.g. a region the credit code contradicts
    warnings: list[str] = []


class TokenOut(BaseModel):
    """A new management token (the old one no longer works)."""

    token: str
    management_url: str
    calendar_url: str


class NoticeOut(BaseModel):
    id: int
    title: str
    issuer: str | None
    level: str | None
    published: dt.date | None
    rolling: bool
    #: the region whose enterprises may apply: {"name", "path", "code", "source", "quote"}, None if unknown
    scope: dict[str, Any] | None = None
    next_deadline: DeadlineOut | None
    #: calendar days until next_deadline (0 = today)
    days_left: int | None
    deadlines: list[DeadlineOut]
    #: the label of the largest benefit (CNY first), e.g. "补助 最高 50 万元"; null when none is stated
    top_benefit: str | None = None
    #: the first way to apply as one line, e.g. "网上申报：浙江政务服务网 https://…"; null when not stated
    first_step: str | None = None
    benefits: list[BenefitOut] = []
    how_to_apply: list[ApplyStepOut] = []
    contacts: list[ContactOut] = []
    attachments: list[AttachmentOut] = []


class NoticeDetail(NoticeOut):
    conditions: list[ConditionOut]


class ResultOut(BaseModel):
    """One condition judged against the company's profile."""

    field: str
    #: pass, fail or unknown
    status: str
    hard: bool
    manual: bool
    reason_zh: str
    quote: str
    #: the profile field to fill in, when unknown for lack of data
    missing: str | None


class MatchOut(BaseModel):
    notice: NoticeOut
    #: eligible, possibly_eligible or not_eligible
    status: str
    #: profile fields to fill in (Chinese labels)
    missing: list[str]
    unmet: list[ResultOut]
    manual: list[ResultOut]
    results: list[ResultOut]


class ChannelIn(BoundedInput):
    model_config = ConfigDict(extra="forbid")

    #: a kind of the channel registry (reminder.notify.channels.CHANNELS)
    kind: Annotated[str, Choice(channel_kinds)]
    #: email address or webhook URL
    target: str = Field(min_length=1, max_length=2000)
    #: signing secret (钉钉 SEC…, 飞书, whsec_…)
    secret: str | None = Field(default=None, max_length=500)
    name: str = Field(default="", max_length=100)


class ChannelOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    name: str
    #: address or URL with keys masked
    target: str
    #: masked secret, null when none
    secret: str | None
    enabled: bool
    created_at: dt.datetime
    #: the signing secret made for a generic webhook added without one: returned this once
    new_secret: str | None = None


class TestOut(BaseModel):
    """A test send: queued at once, sent by the outbox (one attempt), then what the receiver answered."""

    __test__ = False  # not a pytest class

    #: read it again at ``GET /api/companies/{company_id}/tests/{id}``
    id: int
    channel_id: int
    #: "queued", "sending", "sent" (the receiver accepted it) or "failed"
    status: TestState
    queued_at: dt.datetime
    #: when the receiver answered or the send was given up; null until then
    finished_at: dt.datetime | None = None
    #: null until the receiver answered
    ok: bool | None = None
    #: the receiver's HTTP status or SMTP reply code
    status_code: int | None = None
    latency_ms: float | None = None
    #: why it failed, in Chinese (the receiver's error code and text kept)
    error: str | None = None
