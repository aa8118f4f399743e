"""The output schema of each stored object both APIs return: one class per object.

The enterprise API (``/api/notices``…) and the operator API (``/api/admin/notices``…) return the
same deadline and condition objects, read straight from their rows (``model_validate(row)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["DeadlineOut", "ConditionOut"]


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
