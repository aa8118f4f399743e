"""Which of a notice's facts a reminder shows, as which lines, in what order (issue 13).

Every message (email text and HTML, 企业微信, 钉钉, 飞书, the webhook's ``data``, digests and the iCal
description) says at most three facts, one line each and only when the notice has them:

    可获支持：补助 最高 50 万元                                   ← the top benefit (Benefit.label)
    申报方式：网上申报 浙江政务服务网 https://… ；推荐/受理单位：所在区县科技局
    联系人：高新处 张三 0571-87654321 gxc@example.cn            ← the first contact (Contact.label)

Each line is at most :data:`FACT_MAX` characters, cut at a word or list separator and never inside a
URL, an email address or a phone number, so a line can be dropped whole but never shows a broken
link. When a chat message must shrink, contacts go first, then how to apply (they are the last
lines of a notice's part of the message); the benefit stays with the deadline and the verdict.

Pure functions over :class:`~reminder.model.Benefit`, :class:`~reminder.model.ApplyStep` and
:class:`~reminder.model.Contact`; :func:`stored_facts` rebuilds them from a stored row's JSON columns.

    >>> from reminder.model import Benefit
    >>> benefit_text([Benefit("subsidy", "", amount=50, capped=True), Benefit("award", "", amount=20)])
    '补助 最高 50 万元'
    >>> clip_clean("高新处 张三 0571-87654321 gaoxinchu@example.cn", 24)
    '高新处 张三 0571-87654321 …'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from reminder.model import APPLY_STEP_LABELS, ApplyStep, Benefit, Contact

__all__ = [
    "FACT_KEYS",
    "FACT_LABELS",
    "FACT_MAX",
    "FactKey",
    "FactLine",
    "NoticeFacts",
    "top_benefit",
    "benefit_text",
    "how_to_apply_text",
    "contact_text",
    "facts_json",
    "fact_lines",
    "stored_facts",
    "row_facts_json",
    "clip_clean",
]

FactKey = Literal["benefit", "how_to_apply", "contact"]
#: the facts a message shows, in the order it shows them (and the reverse of the order they are cut)
FACT_KEYS: Final[tuple[FactKey, ...]] = ("benefit", "how_to_apply", "contact")
#: each fact line's Chinese label
FACT_LABELS: Final[dict[str, str]] = {"benefit": "可获支持", "how_to_apply": "申报方式", "contact": "联系人"}
#: longest text of one fact line, in characters (about 450 UTF-8 bytes: three of them fit many times
#: in 企业微信's 4096 bytes next to the deadline and verdict)
FACT_MAX: Final = 150
#: the steps that say where an application goes
_CHANNEL_STEPS: Final = ("online", "email", "post", "office")
#: where a line may be cut (after these)
_BREAKS: Final = ("；", "、", "，", "。", "; ", ", ", " ")
#: a run of non-space ASCII (a URL, an email address, a phone number): never cut inside one
_ASCII_RUN = re.compile(r"[!-~]+")


@dataclass(frozen=True)
class FactLine:
    """One line of a message: ``label``：``text``."""

    key: FactKey
    label: str
    text: str


@dataclass(frozen=True)
class NoticeFacts:
    """A notice's facts as extraction (or an operator) recorded them."""

    benefits: tuple[Benefit, ...] = ()
    how_to_apply: tuple[ApplyStep, ...] = ()
    contacts: tuple[Contact, ...] = ()


def clip_clean(text: str, limit: int = FACT_MAX) -> str:
    """``text`` on one line within ``limit`` characters, cut cleanly and ending with "…" when cut.

    The cut falls after a separator (；、， or a space) when one is in the second half, and never
    inside a run of ASCII (a URL, an email address, a phone number): such a run is left out whole.
    "" when nothing is left.

    >>> clip_clean("网上申报 https://kj.example.gov.cn/apply?id=1234567890", 20)
    '网上申报…'
    >>> clip_clean("申报书、承诺书、审计报告、知识产权证明、其他材料", 12)
    '申报书、承诺书…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = max(limit - 2, 0)  # "…" and maybe a space before it
    head = text[:room]
    if head and text[room : room + 1].strip() and _ASCII_RUN.fullmatch(text[room]):
        run = _ASCII_RUN.search(head[::-1])
        if run is not None and run.start() == 0:  # the cut would split an ASCII run: leave it out
            head = head[: len(head) - run.end()]
    cut = max((head.rfind(b) + len(b) for b in _BREAKS if b in head), default=-1)
    if cut > len(head) // 2:
        head = head[:cut]
    head = head.rstrip(" 、，；。;,：:")
    if not head:
        return ""
    return f"{head} …" if _ASCII_RUN.fullmatch(head[-1]) else f"{head}…"


def _benefit_label(benefit: Benefit) -> str:
    label = benefit.label().strip()
    return "" if label in ("", "其他") else label  # a kind alone with nothing said about it


def top_benefit(benefits: Iterable[Benefit]) -> Benefit | None:
    """The benefit a reader looks for first, as the enterprise pages pick it: the largest amount in
    CNY (a cap, a range's top, a fixed sum), else the largest in another currency (never converted),
    else the first one with something to say; ties go to the first stated.

    >>> top_benefit([Benefit("title", ""), Benefit("subsidy", "", amount=10), Benefit("subsidy", "", amount=30)]).amount
    30
    >>> top_benefit([Benefit("subsidy", "", amount=300, currency="TWD"), Benefit("award", "", amount=20)]).amount
    20
    """
    candidates = [b for b in benefits if _benefit_label(b)]
    with_amount = [b for b in candidates if b.amount is not None]
    pool = [b for b in with_amount if b.currency == "CNY"] or with_amount
    if pool:
        return max(pool, key=lambda b: float(b.amount or 0.0))  # max keeps the first of equal amounts
    return candidates[0] if candidates else None


def benefit_text(benefits: Iterable[Benefit]) -> str:
    """The top benefit's label, clipped; "" when there is none. A label too long for a line drops
    the tier, then what a percentage is of, before it is cut: the amount is what a reader needs.

    >>> benefit_text([Benefit("subsidy", "", amount=50, capped=True, tier="省级重点研发计划" * 30)])
    '补助 最高 50 万元'
    """
    benefit = top_benefit(benefits)
    if benefit is None:
        return ""
    shorter = (benefit, replace(benefit, tier=None), replace(benefit, tier=None, rate_base=None))
    labels = [_benefit_label(b) for b in shorter]
    return next(
        (label for label in labels if label and len(label) <= FACT_MAX), clip_clean(labels[-1] or labels[0])
    )


def _step_text(step: ApplyStep) -> str:
    """A step's label with its heading followed by a space: 网上申报 浙江政务服务网 https://…"""
    label = step.label()
    head = APPLY_STEP_LABELS.get(step.kind, "")
    if head and label.startswith(head + "："):
        return f"{head} {label[len(head) + 1 :]}"
    return label


def _recommender(step: ApplyStep) -> str:
    return " ".join((step.via or step.name or step.address or "").split())


def how_to_apply_text(steps: Sequence[ApplyStep]) -> str:
    """Where to apply (the first online / email / post / office step: the system and its URL, or
    where to send), plus who recommends (the first recommend step), clipped; "" when neither is known.

    A line too long drops the system's name (its URL stays), then the recommender, before it is cut.

    >>> how_to_apply_text([ApplyStep("materials", "", items=("申报书",)),
    ...                    ApplyStep("online", "", name="科技项目管理系统", url="https://kj.example.cn"),
    ...                    ApplyStep("recommend", "", via="所在区县科技局")])
    '网上申报 科技项目管理系统 https://kj.example.cn ；推荐/受理单位：所在区县科技局'
    """
    channels = [s for s in steps if s.kind in _CHANNEL_STEPS]
    # the first that says where (a system, URL, address); a bare 网上申报 only when none does
    channel = next((s for s in channels if s.label() != APPLY_STEP_LABELS[s.kind]), None)
    channel = channel or next(iter(channels), None)
    recommend = next((s for s in steps if s.kind == "recommend" and _recommender(s)), None)
    where = [_step_text(channel)] if channel is not None else []
    if channel is not None and channel.name:  # without the system's name: its URL or address stays
        where.append(_step_text(replace(channel, name=None)))
    office = _recommender(recommend) if recommend is not None else ""
    whom = f"{APPLY_STEP_LABELS['recommend']}：{office}" if office else ""
    candidates = [_join([w, whom] if whom and office not in w else [w]) for w in where]
    candidates += where  # too long: the system's name goes first, then the recommender
    if not where:
        candidates.append(whom)
    return next((c for c in candidates if c and len(c) <= FACT_MAX), clip_clean(candidates[0]))


def _join(parts: Sequence[str]) -> str:
    """Parts joined by ；, with a space before it after an address (autolinkers read up to a space)."""
    out = ""
    for part in parts:
        if out:
            out += " ；" if _ASCII_RUN.fullmatch(out[-1]) else "；"
        out += part
    return out


def contact_text(contacts: Iterable[Contact]) -> str:
    """The first contact with something to show (Contact.label), clipped; "" when there is none."""
    for contact in contacts:
        label = contact.label().strip()
        if label:
            return clip_clean(label)
    return ""


def facts_json(facts: NoticeFacts) -> dict[str, str]:
    """The fact texts as a message payload carries them: only the facts the notice has (as in payloads
    frozen before issue 13, a notice without facts gives ``{}``).

    >>> facts_json(NoticeFacts(contacts=(Contact("", name="张三", phones=("0571-87654321",)),)))
    {'contact': '张三 0571-87654321'}
    """
    texts = {
        "benefit": benefit_text(facts.benefits),
        "how_to_apply": how_to_apply_text(facts.how_to_apply),
        "contact": contact_text(facts.contacts),
    }
    return {key: texts[key] for key in FACT_KEYS if texts[key]}


def fact_lines(facts: Mapping[str, Any] | None) -> list[FactLine]:
    """The lines a message shows for a payload's ``facts`` (older payloads without it: none), in order;
    a fact without text gives no line (never an empty label).

    >>> [f"{line.label}：{line.text}" for line in fact_lines({"benefit": "奖励 20 万元", "contact": " "})]
    ['可获支持：奖励 20 万元']
    """
    if not isinstance(facts, Mapping):
        return []
    lines = []
    for key in FACT_KEYS:
        value = facts.get(key)
        text = clip_clean(str(value)) if value else ""
        if text:
            lines.append(FactLine(key, FACT_LABELS[key], text))
    return lines


def _rebuild(values: Any, cls: Any) -> tuple[Any, ...]:
    if not isinstance(values, list | tuple):
        return ()
    return tuple(cls.from_json(v) for v in values if isinstance(v, dict))


def stored_facts(benefits: Any, how_to_apply: Any, contacts: Any) -> NoticeFacts:
    """Facts rebuilt from stored JSON lists (``to_json`` dicts); None or anything else reads as none."""
    return NoticeFacts(
        benefits=_rebuild(benefits, Benefit),
        how_to_apply=_rebuild(how_to_apply, ApplyStep),
        contacts=_rebuild(contacts, Contact),
    )


def row_facts_json(row: object) -> dict[str, str]:
    """:func:`facts_json` of a stored notice row's ``benefits`` / ``how_to_apply`` / ``contacts`` columns
    (a row without them, or with None: no facts)."""
    return facts_json(
        stored_facts(
            getattr(row, "benefits", None) or [],
            getattr(row, "how_to_apply", None) or [],
            getattr(row, "contacts", None) or [],
        )
    )
