"""Request and response bodies of the sources API (``/api/admin/sources``, issue 17).

Field-level rules (a blank name, a URL that is not http(s), invalid CSS) are checked by
``reminder.web.admin.source_forms.check_source``, the same checks the admin pages use; each becomes a
422 at its field with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from reminder.web.admin.source_forms import LEVEL_LABELS, MAX_INTERVAL_HOURS, MIN_INTERVAL_HOURS, TRUST_LABELS
from reminder.web.api.bounds import BoundedInput

__all__ = [
    "SourceLevel",
    "SourceTrust",
    "HintsIn",
    "SourceIn",
    "SourcePatch",
    "SourceTestIn",
    "DiscoverIn",
    "SourceOut",
    "PreviewItemOut",
    "PreviewOut",
    "ColumnOut",
]

SourceLevel = Literal["national", "provincial", "municipal", "district"]
#: "auto": new notices are published; "review": they wait as drafts for an operator
SourceTrust = Literal["auto", "review"]
_Strict = ConfigDict(extra="forbid")
_Css = Field(default=None, max_length=500)
#: the interval's bounds, documented in the schema and checked with a Chinese message
_HOURS: JsonDict = {"minimum": MIN_INTERVAL_HOURS, "maximum": MAX_INTERVAL_HOURS}
_LEVELS: JsonDict = {"enum": list(LEVEL_LABELS)}
_TRUSTS: JsonDict = {"enum": list(TRUST_LABELS)}


def _hours(value: float | None) -> float | None:
    if value is not None and not MIN_INTERVAL_HOURS <= value <= MAX_INTERVAL_HOURS:
        raise PydanticCustomError(
            "out_of_range", f"轮询间隔须在 {MIN_INTERVAL_HOURS} 到 {MAX_INTERVAL_HOURS} 小时之间"
        )
    return value


def _choice(value: str | None, labels: dict[str, str], what: str) -> str | None:
    if value is not None and value not in labels:
        choices = "、".join(f"{k}（{v}）" for k, v in labels.items())
        raise PydanticCustomError("choice", f"{what}只能是 {choices}")
    return value


class _Checked(BoundedInput):
    """Level, trust and interval checked with Chinese messages (the schema still lists the choices)."""

    @field_validator("level", check_fields=False)
    @classmethod
    def _level(cls, value: str | None) -> str | None:
        return _choice(value, LEVEL_LABELS, "层级")

    @field_validator("trust", check_fields=False)
    @classmethod
    def _trust(cls, value: str | None) -> str | None:
        return _choice(value, TRUST_LABELS, "发布方式")

    @field_validator("interval_hours", check_fields=False)
    @classmethod
    def _interval(cls, value: float | None) -> float | None:
        return _hours(value)


class HintsIn(BoundedInput):
    """CSS selectors for a site the generic reader misreads (each optional)."""

    model_config = _Strict
    items: str | None = _Css
    title: str | None = _Css
    date: str | None = _Css
    next_page: str | None = _Css
    body: str | None = _Css
    attachments: str | None = _Css


class SourceIn(_Checked):
    """A new watched list page."""

    model_config = _Strict
    name: str = Field(max_length=200, description="e.g. 某市科技局 通知公告")
    issuer: str = Field(max_length=200, description="default issuer of its notices")
    region: str = Field(max_length=64, description="default region of its notices, e.g. 广州市天河区")
    level: str = Field(default="municipal", json_schema_extra=_LEVELS)
    url: str = Field(max_length=2000, description="the list page, http(s)")
    interval_hours: float = Field(default=6.0, json_schema_extra=_HOURS)
    enabled: bool = True
    #: "auto" publishes new notices; "review" keeps them as drafts for an operator
    trust: str = Field(default="review", json_schema_extra=_TRUSTS)
    hints: HintsIn | None = None


class SourcePatch(_Checked):
    """Fields to change (only those given); ``enabled: false`` pauses, ``true`` resumes."""

    model_config = _Strict
    name: str | None = Field(default=None, max_length=200)
    issuer: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=64)
    level: str | None = Field(default=None, json_schema_extra=_LEVELS)
    url: str | None = Field(default=None, max_length=2000)
    interval_hours: float | None = Field(default=None, json_schema_extra=_HOURS)
    enabled: bool | None = None
    trust: str | None = Field(default=None, json_schema_extra=_TRUSTS)
    hints: HintsIn | None = None


class SourceTestIn(BoundedInput):
    """A list page to try before saving it."""

    model_config = _Strict
    url: str = Field(max_length=2000)
    hints: HintsIn | None = None


class DiscoverIn(BoundedInput):
    """A department's home page."""

    model_config = _Strict
    url: str = Field(max_length=2000)


class SourceOut(BaseModel):
    id: int
    name: str
    issuer: str
    region: str
    level: str
    url: str
    interval_hours: float
    enabled: bool
    trust: str
    hints: dict[str, str]
    last_poll_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_new_item_at: dt.datetime | None
    next_poll_at: dt.datetime | None
    consecutive_failures: int
    #: items on the first list page at the last poll
    last_items: int | None
    last_error: str | None
    #: why an operator should look at it; null when healthy
    flagged: str | None


class PreviewItemOut(BaseModel):
    title: str
    published: dt.date | None
    url: str


class PreviewOut(BaseModel):
    """What the list page gives now (nothing stored); ``error`` says why it could not be read."""

    url: str
    ok: bool
    error: str | None
    items: list[PreviewItemOut]
    next_url: str | None


class ColumnOut(BaseModel):
    """A proposed notice column with its preview."""

    name: str
    url: str
    looks_like_list: bool
    preview: PreviewOut
