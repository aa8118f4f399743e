"""Plain, frozen objects that extraction produces.

    Document ── notices: Notice ── deadlines: Deadline
                                 └─ conditions: Condition
            └─ failures: ParseFailure   (dates we saw but could not read, e.g. 13月40日)

Spans are offsets into ``Document.text`` (the cleaned text: lines re-joined, page numbers dropped,
characters kept verbatim), so ``doc.text[d.span[0]:d.span[1]]`` is a substring of the quote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from reminder.calendar import TZ
from reminder.fields import condition_fields

__all__ = [
    "TZ",
    "DEADLINE_KINDS",
    "DEADLINE_KIND_LABELS",
    "CONDITION_OPS",
    "CONDITION_FIELDS",
    "LEVELS",
    "DeadlineKind",
    "Op",
    "Level",
    "Deadline",
    "Condition",
    "Notice",
    "Document",
    "ParseFailure",
    "Scope",
    "ScopeSource",
]

DeadlineKind = Literal["application", "recommendation", "materials", "window_open", "other"]
DEADLINE_KINDS: tuple[str, ...] = ("application", "recommendation", "materials", "window_open", "other")
#: deadline kind → its short Chinese label, as pages, the API's readers and the CLI show it
DEADLINE_KIND_LABELS: dict[str, str] = {
    "application": "申报截止",
    "recommendation": "推荐/审核截止",
    "materials": "材料报送截止",
    "window_open": "开始受理",
    "other": "其他时间节点",
}

Op = Literal["<=", "<", ">=", ">", "==", "in", "has", "not_has"]
CONDITION_OPS: tuple[str, ...] = ("<=", "<", ">=", ">", "==", "in", "has", "not_has")

#: canonical condition fields (money in 万元, ratios in %, age in years, headcount in 人): the field
#: registry's (``reminder/data/fields.yaml``), read when first used; see :mod:`reminder.fields`
CONDITION_FIELDS: tuple[str, ...]


def __getattr__(name: str) -> tuple[str, ...]:
    # CONDITION_FIELDS follows the registry (an operator's override, a reload in tests) instead of
    # freezing it at import time.
    if name == "CONDITION_FIELDS":
        return condition_fields()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Level = Literal["national", "provincial", "municipal", "district"]
LEVELS: tuple[str, ...] = ("national", "provincial", "municipal", "district")


@dataclass(frozen=True)
class Deadline:
    """One cutoff (or window opening) stated by a notice."""

    #: the calendar day; None only when ``to_be_announced``
    date: dt.date | None
    #: the stated time of day, None when only a day is given (the day then ends at 23:59:59)
    time: dt.time | None
    kind: DeadlineKind
    #: verbatim source sentence (from the cleaned text), for users to check
    quote: str
    #: offsets of the date expression in ``Document.text``
    span: tuple[int, int] = (0, 0)
    #: "minute", "hour", "day" or "month" (e.g. 月底 read as the month's last day)
    grain: str = "day"
    #: batch label such as 第一批, when the notice has batches
    batch: str | None = None
    #: 预计 / 暂定 / 左右: the date may still move
    approximate: bool = False
    #: only for some applicants (如需 / 涉及…的), or computed relative to another deadline
    conditional: bool = False
    #: 另行通知: a deadline exists but has no date yet
    to_be_announced: bool = False
    #: one occurrence of a repeating cut-off (每季度末月10日, 每月20日前)
    recurring: bool = False
    #: read from a damaged date (separators lost in scraping: 2025311): check the source
    low_confidence: bool = False
    #: name of the rule that produced it (debug output, traces)
    rule: str = ""

    def at(self) -> dt.datetime | None:
        """The instant the deadline passes, Asia/Shanghai; end of day when no time was given."""
        if self.date is None:
            return None
        t = self.time if self.time is not None else dt.time(23, 59, 59)
        return dt.datetime.combine(self.date, t, tzinfo=TZ)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "kind": self.kind,
            "batch": self.batch,
            "approximate": self.approximate,
            "conditional": self.conditional,
            "to_be_announced": self.to_be_announced,
            "recurring": self.recurring,
            "low_confidence": self.low_confidence,
            "grain": self.grain,
            "quote": self.quote,
            "span": list(self.span),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Condition:
    """One eligibility condition on the applicant."""

    #: one of CONDITION_FIELDS
    field: str
    #: one of CONDITION_OPS
    op: Op
    #: number (money in 万元, ratios in %), string, list of strings, or bool
    value: Any
    #: "万元", "人", "年", "%", or None
    unit: str | None
    #: verbatim source text
    quote: str
    span: tuple[int, int] = (0, 0)
    #: False for 原则上 / 优先 / 鼓励: never makes a notice ineligible
    hard: bool = True
    #: conditions sharing a group id form an any-of group (e.g. 直通车: any one of four)
    group: str | None = None
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "op": self.op,
            "value": self.value,
            "unit": self.unit,
            "hard": self.hard,
            "group": self.group,
            "quote": self.quote,
            "span": list(self.span),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class ParseFailure:
    """A date-like expression we refused to read (impossible date, reversed range)."""

    quote: str
    span: tuple[int, int]
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"quote": self.quote, "span": list(self.span), "reason": self.reason}


ScopeSource = Literal["explicit", "issuer", "national"]


@dataclass(frozen=True)
class Scope:
    """The region whose enterprises may apply to a notice (苍南县; 全国 for a national call)."""

    #: the region's name: 苍南县, 东湖新技术开发区, 台南市, 全国
    name: str
    #: its full path from the province down: 浙江省温州市苍南县 (全国 for the country)
    path: str
    #: 6-digit region code (000000 for 全国); zones have project-local codes, see reminder.rules.regions
    code: str | None = None
    #: "explicit" (在本市注册…), "issuer" (the office that publishes the call) or "national"
    source: ScopeSource = "issuer"
    #: the words it was read from
    quote: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "code": self.code,
            "source": self.source,
            "quote": self.quote,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scope:
        source = data.get("source") if data.get("source") in ("explicit", "issuer", "national") else "issuer"
        return cls(
            name=str(data["name"]),
            path=str(data.get("path") or data["name"]),
            code=data.get("code"),
            source=source,  # type: ignore[arg-type]
            quote=str(data.get("quote") or ""),
        )


@dataclass(frozen=True)
class Notice:
    """One notice (申报通知, or a policy text with no call) within a document."""

    title: str
    level: Level | None = None
    published: dt.date | None = None
    issuer: str | None = None
    deadlines: tuple[Deadline, ...] = ()
    conditions: tuple[Condition, ...] = ()
    #: offsets of the notice in ``Document.text``
    span: tuple[int, int] = (0, 0)
    #: True when the notice is a policy/news text without an application call
    policy_only: bool = False
    #: 常态化受理 / 常年申报: applications are taken all year
    rolling: bool = False
    #: a call with no dated deadline (另行通知, 常年受理, dates only in an attachment): kept, flagged
    undated: bool = False
    failures: tuple[ParseFailure, ...] = ()
    #: the region whose enterprises may apply; None when the text does not tell
    scope: Scope | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "level": self.level,
            "published": self.published.isoformat() if self.published else None,
            "issuer": self.issuer,
            "policy_only": self.policy_only,
            "rolling": self.rolling,
            "undated": self.undated,
            "span": list(self.span),
            "deadlines": [d.to_json() for d in self.deadlines],
            "conditions": [c.to_json() for c in self.conditions],
            "failures": [f.to_json() for f in self.failures],
            "scope": self.scope.to_json() if self.scope else None,
        }


@dataclass(frozen=True)
class Document:
    """An extracted document: cleaned text plus its notices."""

    #: file path or URL as given, or "<text>"
    source: str
    #: cleaned text every span points into
    text: str
    notices: tuple[Notice, ...] = ()
    #: "compilation", "notice" or "news"
    kind: str = "notice"
    published: dt.date | None = None
    #: sha256 of the raw input bytes (same content ⇒ same document)
    content_hash: str = ""
    format: str = "txt"
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "kind": self.kind,
            "format": self.format,
            "published": self.published.isoformat() if self.published else None,
            "content_hash": self.content_hash,
            "notices": [n.to_json() for n in self.notices],
        }
