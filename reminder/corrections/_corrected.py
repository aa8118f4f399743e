"""Operators' corrections applied to an extracted notice: a plain function over plain objects.

    Notice (as extracted, or as stored) ─┬─ each correction, oldest first
                                         │    ├─ target notice ──── set title, level, issuer…
                                         │    ├─ set / delete ───── find the original by its selector
                                         │    │                     (quote, then rule, kind/field…)
                                         │    └─ add ───────────── append (or refresh the one it added)
                                         └─ corrected Notice, and which corrections found their target

A selector names the extracted original by what survives a re-ingest: its quote (compared without
whitespace, 繁/简 and full/half width folded), then its rule and its kind or field, then its values.
Row ids are never used: a new version of a document gets new rows. Applying the corrections to a
notice that already carries them changes nothing, so the stored notice can be re-corrected at will.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, col, select

from reminder.corrections.values import format_time
from reminder.db.models import ConditionRow, Correction, DeadlineRow
from reminder.extract.normalize import match_view
from reminder.model import ApplyStep, Benefit, Condition, Contact, Deadline, Notice

__all__ = [
    "ADDED_RULE",
    "Applied",
    "deadline_selector",
    "condition_selector",
    "benefit_selector",
    "apply_step_selector",
    "contact_selector",
    "fact_selector",
    "apply_to_notice",
    "corrections_for",
    "correct_extracted",
]

log = logging.getLogger(__name__)

#: the rule name of a deadline or condition an operator added: ``correction:<id>``
ADDED_RULE = "correction:{}"

_DEADLINE_FLAGS = ("approximate", "conditional", "to_be_announced")
_SPACE = re.compile(r"\s+")

Item = Deadline | Condition | Benefit | ApplyStep | Contact
Fact = Benefit | ApplyStep | Contact


@dataclass(frozen=True)
class Applied:
    """A notice with its corrections applied."""

    notice: Notice
    #: per correction, in order: whether it found what it corrects (an "add" always does)
    matched: tuple[bool, ...]


# ── selectors ──────────────────────────────────────────────────────────────────────────────


def deadline_selector(d: Deadline | DeadlineRow) -> dict[str, Any]:
    """What identifies a deadline across versions of its document."""
    return {
        "quote": d.quote,
        "rule": d.rule,
        "kind": d.kind,
        "batch": d.batch,
        "date": d.date.isoformat() if d.date else None,
        "time": format_time(d.time),
    }


def condition_selector(c: Condition | ConditionRow) -> dict[str, Any]:
    """What identifies a condition across versions of its document."""
    return {"quote": c.quote, "rule": c.rule, "field": c.field, "op": c.op, "value": c.value, "unit": c.unit}


def benefit_selector(b: Benefit) -> dict[str, Any]:
    """What identifies a benefit across versions of its document."""
    return {
        "quote": b.quote,
        "rule": b.rule,
        "kind": b.kind,
        "tier": b.tier,
        "amount": b.amount,
        "rate": b.rate,
    }


def apply_step_selector(s: ApplyStep) -> dict[str, Any]:
    """What identifies a how-to-apply step across versions of its document."""
    return {"quote": s.quote, "rule": s.rule, "kind": s.kind, "name": s.name, "url": s.url, "email": s.email}


def contact_selector(c: Contact) -> dict[str, Any]:
    """What identifies a contact across versions of its document."""
    return {"quote": c.quote, "rule": c.rule, "name": c.name, "phones": list(c.phones)}


#: fact target → (Notice field, its class, its selector)
_FACTS: dict[str, tuple[str, type[Fact], Callable[[Any], dict[str, Any]]]] = {
    "benefit": ("benefits", Benefit, benefit_selector),
    "how_to_apply": ("how_to_apply", ApplyStep, apply_step_selector),
    "contact": ("contacts", Contact, contact_selector),
}


def fact_selector(target: str, item: Fact) -> dict[str, Any]:
    """The selector of a benefit, how-to-apply step or contact (``target`` as Correction.target)."""
    return _FACTS[target][2](item)


def _fold(quote: str) -> str:
    return _SPACE.sub("", match_view(quote or ""))


def _find(
    items: Sequence[Item], selector: dict[str, Any], identity: Callable[[Any], dict[str, Any]]
) -> int | None:
    """The index of the item the selector names: same quote, then narrowed by rule, kind/field, values."""
    quote = _fold(str(selector.get("quote") or ""))
    candidates = [i for i, item in enumerate(items) if _fold(item.quote) == quote]
    for key in selector:
        if key == "quote" or len(candidates) <= 1:
            continue
        narrowed = [i for i in candidates if identity(items[i]).get(key) == selector[key]]
        candidates = narrowed or candidates
    return candidates[0] if candidates else None


# ── applying ───────────────────────────────────────────────────────────────────────────────


def _set_deadline(d: Deadline, values: dict[str, Any]) -> Deadline:
    changes: dict[str, Any] = {k: values[k] for k in ("kind", "batch", *_DEADLINE_FLAGS) if k in values}
    if "date" in values:
        changes["date"] = dt.date.fromisoformat(values["date"]) if values["date"] else None
    if "time" in values:
        changes["time"] = dt.time.fromisoformat(values["time"]) if values["time"] else None
    new = replace(d, **changes)
    if new.date is None and not new.to_be_announced:
        new = replace(new, to_be_announced=True, time=None)
    if "date" in values and new.date is not None and "to_be_announced" not in values:
        new = replace(new, to_be_announced=False)
    grain = "minute" if new.time else ("day" if "time" in values or "date" in values else new.grain)
    return replace(new, grain=grain)


def _added_deadline(correction_id: int | None, values: dict[str, Any]) -> Deadline:
    base = Deadline(date=None, time=None, kind="application", quote="", rule=ADDED_RULE.format(correction_id))
    return _set_deadline(base, values)


def _added_condition(correction_id: int | None, values: dict[str, Any]) -> Condition:
    base = Condition(
        field="other", op="==", value=None, unit=None, quote="", rule=ADDED_RULE.format(correction_id)
    )
    return replace(base, **values)


def _fact(target: str, values: dict[str, Any], base: Fact | None, correction_id: int | None) -> Fact:
    """A fact with corrected values: the original's others kept, or (``base`` None) an added one."""
    cls = _FACTS[target][1]
    if base is None:
        return cls.from_json({**values, "quote": "", "rule": ADDED_RULE.format(correction_id)})
    return cls.from_json({**base.to_json(), **values})


def _made(c: Correction) -> Item:
    if c.target == "deadline":
        return _added_deadline(c.id, c.values)
    if c.target == "condition":
        return _added_condition(c.id, c.values)
    return _fact(c.target, c.values, None, c.id)


def _apply_items(items: list[Any], c: Correction, identity: Callable[[Any], dict[str, Any]]) -> bool:
    if c.action == "add":
        rule = ADDED_RULE.format(c.id)
        made = _made(c)
        mine = [i for i, item in enumerate(items) if item.rule == rule]
        if mine:
            items[mine[0]] = made
        else:
            items.append(made)
        return True
    index = _find(items, c.selector, identity)
    if index is None:
        return False
    if c.action == "delete":
        del items[index]
    elif c.target == "deadline":
        items[index] = _set_deadline(items[index], c.values)
    elif c.target in _FACTS:
        items[index] = _fact(c.target, c.values, items[index], c.id)
    else:
        items[index] = replace(items[index], **c.values)
    return True


def _set_notice(notice: Notice, values: dict[str, Any]) -> Notice:
    changes = dict(values)
    if "published" in changes:
        changes["published"] = dt.date.fromisoformat(changes["published"]) if changes["published"] else None
    return replace(notice, **changes)


def apply_to_notice(notice: Notice, corrections: Sequence[Correction]) -> Applied:
    """Apply corrections, oldest first, to a notice as extracted or as stored.

    Args:
        notice: the notice (its deadlines, conditions, benefits, how-to-apply steps and contacts are
            the ones to correct).
        corrections: the corrections of this notice's key, oldest first.

    Returns:
        The corrected notice and, per correction, whether it found its target.
    """
    deadlines, conditions = list(notice.deadlines), list(notice.conditions)
    facts: dict[str, list[Any]] = {name: list(getattr(notice, name)) for name, _, _ in _FACTS.values()}
    matched: list[bool] = []
    for c in corrections:
        if c.target == "notice":
            notice = _set_notice(notice, c.values)
            matched.append(True)
        elif c.target == "deadline":
            matched.append(_apply_items(deadlines, c, deadline_selector))
        elif c.target in _FACTS:
            name, _, identity = _FACTS[c.target]
            matched.append(_apply_items(facts[name], c, identity))
        else:
            matched.append(_apply_items(conditions, c, condition_selector))
    corrected = replace(
        notice,
        deadlines=tuple(deadlines),
        conditions=tuple(conditions),
        benefits=tuple(facts["benefits"]),
        how_to_apply=tuple(facts["how_to_apply"]),
        contacts=tuple(facts["contacts"]),
    )
    return Applied(notice=corrected, matched=tuple(matched))


def corrections_for(*, session: Session, notice_key: str) -> Sequence[Correction]:
    """Every correction of the notice with this key, oldest first."""
    query = select(Correction).where(Correction.notice_key == notice_key).order_by(col(Correction.id))
    return session.exec(query).all()


def correct_extracted(*, session: Session, key: str, notice: Notice) -> Notice:
    """A freshly extracted notice with the corrections stored for its key (used by ``save_document``)."""
    corrections = corrections_for(session=session, notice_key=key)
    if not corrections:
        return notice
    applied = apply_to_notice(notice, corrections)
    stale = [c.id for c, ok in zip(corrections, applied.matched, strict=True) if not ok]
    if stale:
        log.warning(
            "notice %s: corrections %s no longer find what they corrected (the text changed)", key[:12], stale
        )
    return applied.notice
