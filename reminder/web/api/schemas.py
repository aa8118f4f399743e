"""The output schema of each stored object both APIs return: one class per object.

The enterprise API (``/api/notices``…) and the operator API (``/api/admin/notices``…) return the
same deadline and condition objects, read straight from their rows (``model_validate(row)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["DeadlineOut", "ConditionOut", "BenefitOut", "ApplyStepOut", "ContactOut", "AttachmentOut"]


class DeadlineOut(BaseModel):
    """One deadline of a notice."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    notice_id: int
    date: dt.date | None
    #: stated time of day; null = end of the day (23:59:59 Asia/Shanghai)
    time: dt.time | None
    #: the instant it passes (null when to_be_announced)
    at: dt.datetime | None
    #: application, recommendation, materials, window_open or other
    kind: str
    #: "minute", "hour", "day" or "month"
    grain: str
    batch: str | None
    approximate: bool
    conditional: bool
    to_be_announced: bool
    #: the notice's own words
    quote: str
    span_start: int
    span_end: int
    #: the extraction rule that found it
    rule: str
    #: False once a newer version of the notice changed or dropped it
    active: bool


class ConditionOut(BaseModel):
    """One eligibility condition of a notice."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    notice_id: int
    #: a field of the field registry (reminder/data/fields.yaml)
    field: str
    op: str
    #: number (万元, %), text, list of texts or bool
    value: Any
    unit: str | None
    #: False for 原则上 / 优先 / 鼓励
    hard: bool
    #: conditions sharing a group form an any-of group
    group: str | None
    quote: str
    span_start: int
    span_end: int
    rule: str


class BenefitOut(BaseModel):
    """What an applicant gets (issue 13): amounts in 万 of ``currency``."""

    #: subsidy, award, interest_subsidy, title, tax or other
    kind: str
    #: the top amount (a cap, the upper end of a range, or a fixed sum), in 万
    amount: float | None
    #: the lower end of a range (10–50万元 → 10)
    amount_min: float | None
    #: True when ``amount`` is an upper bound (最高 / 不超过)
    capped: bool
    #: CNY, TWD, HKD or MOP
    currency: str
    #: a percentage of ``rate_base`` (按研发投入的10% → 10)
    rate: float | None
    rate_base: str | None
    #: 国家级 / 省级 / 市级 …
    tier: str | None
    one_off: bool
    #: short Chinese label: 补助 最高 50 万元
    label: str
    quote: str
    span: list[int]
    rule: str


class ApplyStepOut(BaseModel):
    """One part of how to apply: a system and its URL, an email, an address, who recommends, or what to submit."""

    #: online, email, post, office, recommend, materials or other
    kind: str
    name: str | None
    url: str | None
    email: str | None
    address: str | None
    via: str | None
    #: for materials: the documents listed
    items: list[str]
    #: 一式N份
    copies: int | None
    #: one Chinese line: 网上申报：浙江政务服务网 https://…
    label: str
    quote: str
    span: list[int]
    rule: str


class ContactOut(BaseModel):
    """One 联系人: phones normalised (0571-87654321, 13812345678)."""

    name: str | None
    department: str | None
    phones: list[str]
    emails: list[str]
    topic: str | None
    label: str
    quote: str
    span: list[int]
    rule: str


class AttachmentOut(BaseModel):
    """An attachment the notice names (附件1：申报指南), with its link when the source has one."""

    name: str
    #: 附件1 (null when unnumbered)
    label: str | None
    url: str | None
    quote: str
    span: list[int]
