"""Request and response bodies of the admin API (``/api/admin/…``), as Pydantic models.

Corrections are a tagged union on ``target``, so a bad field is reported where it is
(``body → deadline → values → date``) with FastAPI's usual 422 shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reminder.db.models import NoticePublic
from reminder.fields import condition_fields, ops
from reminder.model import DeadlineKind, Level
from reminder.web.api.bounds import BoundedInput, bounded
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
    "DeadlineKind",
    "ConditionField",
    "ConditionOp",
    "DeadlineValues",
    "ConditionValues",
    "NoticeValues",
    "DeadlineCorrection",
    "ConditionCorrection",
    "NoticeCorrection",
    "BenefitValues",
    "ApplyStepValues",
    "ContactValues",
    "BenefitCorrection",
    "ApplyStepCorrection",
    "ContactCorrection",
    "CorrectionIn",
    "CorrectionOut",
    "NoticeListItem",
    "AdminNoticeOut",
    "IngestFailure",
    "IngestedNoticeOut",
    "IngestOut",
    "CompanyMatches",
    "DeliveryOut",
    "ReminderOut",
]

#: a condition field of the field registry (reminder/data/fields.yaml), checked when validated
ConditionField = Annotated[str, Choice(condition_fields)]
#: an operator of the field registry
ConditionOp = Annotated[str, Choice(lambda: tuple(ops()))]
Action = Literal["set", "add", "delete"]
_Strict = ConfigDict(extra="forbid")
#: a row id in a body (PostgreSQL INTEGER range)
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class DeadlineValues(BoundedInput):
    """Fields of a deadline to set (only those given change; null clears date, time or batch)."""

    model_config = _Strict
    date: dt.date | None = None
    #: local time of day (Asia/Shanghai); null: the day ends at 23:59:59
    time: dt.time | None = None
    kind: DeadlineKind | None = None
    batch: str | None = Field(default=None, max_length=64)
    approximate: bool | None = None
    conditional: bool | None = None
    to_be_announced: bool | None = None


class ConditionValues(BoundedInput):
    model_config = _Strict
    field: ConditionField | None = None
    op: ConditionOp | None = None
    #: a number for <, <=, >, >=; a day (YYYY-MM-DD) for a date field (founded_date); text or a list of
    #: texts for in / has / not_has
    value: float | str | list[Annotated[str, Field(min_length=1, max_length=200)]] | bool | None = None
    unit: str | None = Field(default=None, max_length=8)
    group: str | None = Field(default=None, max_length=64)
    hard: bool | None = None


class NoticeValues(BoundedInput):
    model_config = _Strict
    title: str | None = Field(default=None, min_length=1, max_length=500)
    level: Level | None = None
    issuer: str | None = Field(default=None, max_length=200)
    published: dt.date | None = None
    rolling: bool | None = None
    policy_only: bool | None = None


class _CorrectionBase(BaseModel):
    model_config = _Strict
    #: who makes it (kept with the time)
    author: str = Field(default="admin", min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=2000)

    # not BoundedInput: a "*" validator would touch the discriminator ``target``; values are bounded models
    _bounded_text = field_validator("author", "note", mode="before")(bounded)


class DeadlineCorrection(_CorrectionBase):
    target: Literal["deadline"]
    action: Action
    #: the deadline to change or delete (an id from GET /api/admin/notices/{id}); not for "add"
    deadline_id: RowId | None = None
    values: DeadlineValues = Field(default_factory=DeadlineValues)


class ConditionCorrection(_CorrectionBase):
    target: Literal["condition"]
    action: Action
    condition_id: RowId | None = None
    values: ConditionValues = Field(default_factory=ConditionValues)


class NoticeCorrection(_CorrectionBase):
    target: Literal["notice"]
    action: Literal["set"] = "set"
    values: NoticeValues


class BenefitValues(BoundedInput):
    """Fields of a benefit to set (amounts in 万 of ``currency``; null clears)."""

    model_config = _Strict
    kind: Literal["subsidy", "award", "interest_subsidy", "title", "tax", "other"] | None = None
    amount: float | None = Field(default=None, ge=0, le=1e9)
    amount_min: float | None = Field(default=None, ge=0, le=1e9)
    capped: bool | None = None
    currency: Literal["CNY", "TWD", "HKD", "MOP"] | None = None
    rate: float | None = Field(default=None, ge=0, le=1000)
    rate_base: str | None = Field(default=None, max_length=100)
    tier: str | None = Field(default=None, max_length=64)
    one_off: bool | None = None


class ApplyStepValues(BoundedInput):
    model_config = _Strict
    kind: Literal["online", "email", "post", "office", "recommend", "materials", "other"] | None = None
    name: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=500)
    via: str | None = Field(default=None, max_length=200)
    items: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, max_length=50
    )
    copies: int | None = Field(default=None, ge=1, le=100)


class ContactValues(BoundedInput):
    model_config = _Strict
    name: str | None = Field(default=None, max_length=100)
    department: str | None = Field(default=None, max_length=200)
    #: normalised when saved: (0571)8765 4321 → 0571-87654321
    phones: list[Annotated[str, Field(min_length=1, max_length=40)]] | None = Field(
        default=None, max_length=10
    )
    emails: list[Annotated[str, Field(min_length=1, max_length=254)]] | None = Field(
        default=None, max_length=10
    )
    topic: str | None = Field(default=None, max_length=100)


#: which benefit, step or contact: its position (from 1) in GET /api/admin/notices/{id}; not for "add"
FactNumber = Annotated[int, Field(ge=1, le=1000)]


class _FactCorrection(_CorrectionBase):
    """A correction of one benefit, step or contact: they are addressed by position, not by row id."""

    action: Action
    number: FactNumber | None = None


class BenefitCorrection(_FactCorrection):
    target: Literal["benefit"]
    values: BenefitValues = Field(default_factory=BenefitValues)


class ApplyStepCorrection(_FactCorrection):
    target: Literal["how_to_apply"]
    values: ApplyStepValues = Field(default_factory=ApplyStepValues)


class ContactCorrection(_FactCorrection):
    target: Literal["contact"]
    values: ContactValues = Field(default_factory=ContactValues)


CorrectionIn = Annotated[
    DeadlineCorrection
    | ConditionCorrection
    | NoticeCorrection
    | BenefitCorrection
    | ApplyStepCorrection
    | ContactCorrection,
    Field(discriminator="target"),
]


class CorrectionOut(BaseModel):
    id: int
    notice_key: str
    target: str
    action: str
    selector: dict[str, Any]
    values: dict[str, Any]
    author: str
    note: str | None
    created_at: dt.datetime
    #: a one-line description in Chinese
    summary: str


class NextDeadline(BaseModel):
    date: dt.date | None
    time: dt.time | None
    at: dt.datetime | None
    kind: str


class NoticeListItem(BaseModel):
    id: int
    title: str
    status: str
    level: str | None
    issuer: str | None
    published: dt.date | None
    open: bool
    next_deadline: NextDeadline | None
    updated_at: dt.datetime


class AdminNoticeOut(NoticePublic):
    source: str | None
    deadlines: list[DeadlineOut]
    conditions: list[ConditionOut]
    #: the notice's part of the cleaned document text; spans minus source_offset index into it
    source_text: str
    source_offset: int
    corrections: list[CorrectionOut]
    #: issue 13, numbered from 1 in these lists for corrections (``number``)
    benefits: list[BenefitOut] = []
    how_to_apply: list[ApplyStepOut] = []
    contacts: list[ContactOut] = []
    attachments: list[AttachmentOut] = []


class IngestFailure(BaseModel):
    source: str
    reason: str


class IngestedNoticeOut(BaseModel):
    id: int
    title: str
    status: str
    source: str


class IngestOut(BaseModel):
    documents: int
    notices: int
    deadlines: int
    duplicates: int
    changes: int
    failures: list[IngestFailure]
    #: files read fine that hold no call to apply (news, policy texts): nothing stored, nothing wrong
    skipped: list[IngestFailure]
    stored: list[IngestedNoticeOut]


class CompanyMatches(BaseModel):
    id: int
    name: str
    region_name: str | None
    eligible: int
    possibly_eligible: int


class DeliveryOut(BaseModel):
    id: int
    reminder_id: int
    at: dt.datetime
    ok: bool
    attempt: int
    status_code: int | None
    latency_ms: float | None
    error: str | None
    channel_kind: str | None
    channel_name: str | None
    company_id: int | None
    company_name: str | None


class ReminderOut(BaseModel):
    id: int
    company_id: int
    channel_id: int
    notice_id: int | None
    purpose: str
    status: str
    attempts: int
    due_at: dt.datetime
    next_attempt_at: dt.datetime
    last_error: str | None
