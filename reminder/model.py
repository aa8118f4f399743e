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
    "BENEFIT_KINDS",
    "BENEFIT_KIND_LABELS",
    "APPLY_STEP_KINDS",
    "APPLY_STEP_LABELS",
    "BenefitKind",
    "ApplyStepKind",
    "Benefit",
    "ApplyStep",
    "Contact",
    "Attachment",
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


BenefitKind = Literal["subsidy", "award", "interest_subsidy", "title", "tax", "other"]
BENEFIT_KINDS: tuple[str, ...] = ("subsidy", "award", "interest_subsidy", "title", "tax", "other")
#: benefit kind → its Chinese label
BENEFIT_KIND_LABELS: dict[str, str] = {
    "subsidy": "补助",
    "award": "奖励",
    "interest_subsidy": "贴息",
    "title": "认定称号",
    "tax": "税收优惠",
    "other": "其他",
}


def _span(data: dict[str, Any]) -> tuple[int, int]:
    span = data.get("span") or (0, 0)
    return (int(span[0]), int(span[1]))


@dataclass(frozen=True)
class Benefit:
    """What an applicant gets: 最高补助50万元, 按研发投入的10%给予补助（最高200万元）, 认定称号.

    Amounts are in 万 of ``currency`` (最高补助50万元 → 50; 新臺幣300萬元 → 300, TWD).
    """

    kind: BenefitKind
    quote: str
    span: tuple[int, int] = (0, 0)
    #: the top amount (a cap, the upper end of a range, or a fixed sum), in 万 of ``currency``
    amount: float | None = None
    #: the lower end of a range (10–50万元 → 10)
    amount_min: float | None = None
    #: True when ``amount`` is an upper bound (最高 / 不超过 / 上限 / 以内)
    capped: bool = False
    #: ISO 4217: CNY, TWD, HKD, MOP
    currency: str = "CNY"
    #: a percentage of something (按研发投入的10% → 10)
    rate: float | None = None
    #: what the percentage is of (研发投入, 贷款利息, 设备投资额)
    rate_base: str | None = None
    #: the tier the amount belongs to (国家级 / 省级 / 市级, 一等奖)
    tier: str | None = None
    #: 一次性 (one-off) payment
    one_off: bool = False
    rule: str = ""

    def label(self) -> str:
        """Short Chinese label for cards and messages: 最高 50 万元, 研发投入的 10%（最高 200 万元）."""
        unit = {"CNY": "万元", "TWD": "万新台币", "HKD": "万港元", "MOP": "万澳门元"}.get(
            self.currency, "万元"
        )

        def num(x: float) -> str:
            return f"{x:g}"

        money = ""
        if self.amount is not None:
            if self.amount_min is not None and self.amount_min != self.amount:
                money = f"{num(self.amount_min)}–{num(self.amount)} {unit}"
            else:
                money = f"{'最高 ' if self.capped else ''}{num(self.amount)} {unit}"
        text = ""
        if self.rate is not None:
            text = f"{self.rate_base or ''}的 {num(self.rate)}%" if self.rate_base else f"{num(self.rate)}%"
            if money:
                text += f"（{money}）"
        else:
            text = money
        kind = BENEFIT_KIND_LABELS.get(self.kind, "")
        if not text:
            return kind
        prefix = f"{self.tier}" if self.tier else ""
        return (
            f"{prefix}{kind} {text}".strip() if kind and self.kind != "other" else f"{prefix}{text}".strip()
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "amount": self.amount,
            "amount_min": self.amount_min,
            "capped": self.capped,
            "currency": self.currency,
            "rate": self.rate,
            "rate_base": self.rate_base,
            "tier": self.tier,
            "one_off": self.one_off,
            "label": self.label(),
            "quote": self.quote,
            "span": list(self.span),
            "rule": self.rule,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Benefit:
        kind = data.get("kind") if data.get("kind") in BENEFIT_KINDS else "other"
        return cls(
            kind=kind,  # type: ignore[arg-type]
            quote=str(data.get("quote") or ""),
            span=_span(data),
            amount=data.get("amount"),
            amount_min=data.get("amount_min"),
            capped=bool(data.get("capped")),
            currency=str(data.get("currency") or "CNY"),
            rate=data.get("rate"),
            rate_base=data.get("rate_base"),
            tier=data.get("tier"),
            one_off=bool(data.get("one_off")),
            rule=str(data.get("rule") or ""),
        )


ApplyStepKind = Literal["online", "email", "post", "office", "recommend", "materials", "other"]
APPLY_STEP_KINDS: tuple[str, ...] = ("online", "email", "post", "office", "recommend", "materials", "other")
#: how-to-apply step kind → its Chinese label
APPLY_STEP_LABELS: dict[str, str] = {
    "online": "网上申报",
    "email": "电子邮件报送",
    "post": "邮寄报送",
    "office": "现场报送",
    "recommend": "推荐/受理单位",
    "materials": "申报材料",
    "other": "其他",
}


@dataclass(frozen=True)
class ApplyStep:
    """One part of how to apply: where (a system and its URL, an email, an address), through whom
    (所在区县科技局 recommends), or what to submit (申报书, 承诺书…, 一式N份)."""

    kind: ApplyStepKind
    quote: str
    span: tuple[int, int] = (0, 0)
    #: an online system's or office's name (浙江政务服务网, 科技项目管理系统)
    name: str | None = None
    url: str | None = None
    email: str | None = None
    #: a postal or office address
    address: str | None = None
    #: who recommends or receives (所在区县科技局)
    via: str | None = None
    #: for ``materials``: the documents listed (申报书, 承诺书, 审计报告)
    items: tuple[str, ...] = ()
    #: 一式N份
    copies: int | None = None
    rule: str = ""

    def label(self) -> str:
        """One short Chinese line: 网上申报：浙江政务服务网 https://…; 电子邮件报送：a@b.cn."""
        head = APPLY_STEP_LABELS.get(self.kind, "")
        if self.kind == "materials":
            body = "、".join(self.items)
            if self.copies:
                body += f"（一式{self.copies}份）"
        else:
            parts = [p for p in (self.name, self.url, self.email, self.address, self.via) if p]
            body = " ".join(dict.fromkeys(parts))
        return f"{head}：{body}" if body else head

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "url": self.url,
            "email": self.email,
            "address": self.address,
            "via": self.via,
            "items": list(self.items),
            "copies": self.copies,
            "label": self.label(),
            "quote": self.quote,
            "span": list(self.span),
            "rule": self.rule,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApplyStep:
        kind = data.get("kind") if data.get("kind") in APPLY_STEP_KINDS else "other"
        return cls(
            kind=kind,  # type: ignore[arg-type]
            quote=str(data.get("quote") or ""),
            span=_span(data),
            name=data.get("name"),
            url=data.get("url"),
            email=data.get("email"),
            address=data.get("address"),
            via=data.get("via"),
            items=tuple(str(x) for x in data.get("items") or ()),
            copies=data.get("copies"),
            rule=str(data.get("rule") or ""),
        )


@dataclass(frozen=True)
class Contact:
    """One 联系人 line: name, department, phones (区号-号码 / 11-digit mobile) and emails."""

    quote: str
    span: tuple[int, int] = (0, 0)
    name: str | None = None
    #: the office the person is in (高新处), when given
    department: str | None = None
    #: normalised: 0571-87654321, 13812345678, 010-12345678-8001 for an extension, +852 12345678
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    #: what to call about (业务咨询, 技术支持, 系统操作), when given
    topic: str | None = None
    rule: str = ""

    def label(self) -> str:
        """One short Chinese line: 高新处 张三 0571-87654321 a@b.cn."""
        parts = [self.department, self.name, *self.phones, *self.emails]
        return " ".join(p for p in parts if p)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "department": self.department,
            "phones": list(self.phones),
            "emails": list(self.emails),
            "topic": self.topic,
            "label": self.label(),
            "quote": self.quote,
            "span": list(self.span),
            "rule": self.rule,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Contact:
        return cls(
            quote=str(data.get("quote") or ""),
            span=_span(data),
            name=data.get("name"),
            department=data.get("department"),
            phones=tuple(str(x) for x in data.get("phones") or ()),
            emails=tuple(str(x) for x in data.get("emails") or ()),
            topic=data.get("topic"),
            rule=str(data.get("rule") or ""),
        )


@dataclass(frozen=True)
class Attachment:
    """An attachment the notice names (附件1：申报指南), with its link when the source has one."""

    name: str
    #: 附件1, 附件2 (None when the notice gives no number)
    label: str | None = None
    url: str | None = None
    quote: str = ""
    span: tuple[int, int] = (0, 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "url": self.url,
            "quote": self.quote,
            "span": list(self.span),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attachment:
        return cls(
            name=str(data.get("name") or ""),
            label=data.get("label"),
            url=data.get("url"),
            quote=str(data.get("quote") or ""),
            span=_span(data),
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
    #: what an applicant gets (never conditions)
    benefits: tuple[Benefit, ...] = ()
    #: where and how to apply, and what to submit
    how_to_apply: tuple[ApplyStep, ...] = ()
    contacts: tuple[Contact, ...] = ()
    attachments: tuple[Attachment, ...] = ()

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
            "benefits": [b.to_json() for b in self.benefits],
            "how_to_apply": [a.to_json() for a in self.how_to_apply],
            "contacts": [c.to_json() for c in self.contacts],
            "attachments": [a.to_json() for a in self.attachments],
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
