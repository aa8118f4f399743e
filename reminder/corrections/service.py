"""Operators' corrections of extracted notices: recorded with who/when, re-applied on every re-ingest.

    add_correction ─ check values, find the target ─ Correction row (notice key, selector, values,
                   │                                 author, note, created_at)
                   └─ apply_corrections(notice) ──── current rows → Notice → every correction
                                                      → deadlines synced (moves recorded as
                                                        NoticeChange, so "changed" reminders go out)
                                                      → conditions, notice fields, benefits,
                                                        how to apply and contacts rewritten
    save_corrected ─ save_document (reminder.db.store) with the same corrections applied to each
                     new version before it is stored (what ingest calls)

Callers then run ``workflow.notice_stored`` (matching and reminder planning); nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from reminder.corrections._corrected import (
    apply_to_notice,
    condition_selector,
    correct_extracted,
    corrections_for,
    deadline_selector,
    fact_selector,
)
from reminder.corrections.values import ACTIONS, FACT_TARGETS, TARGETS, normalize_values
from reminder.db.models import ConditionRow, Correction, DeadlineRow, NoticeRow, utcnow
from reminder.db.rows import condition_row, set_notice_fields
from reminder.db.store import IngestResult, save_document, to_notice
from reminder.db.versions import sync_deadlines
from reminder.errors import CorrectionError
from reminder.model import Document, Notice
from reminder.rules.scope import judged_conditions

__all__ = [
    "TARGETS",
    "FACT_TARGETS",
    "ACTIONS",
    "add_correction",
    "apply_corrections",
    "list_corrections",
    "deadline_selector",
    "condition_selector",
    "describe_correction",
    "selector_for",
    "fact_selector",
    "save_corrected",
]

log = logging.getLogger(__name__)


def list_corrections(*, session: Session, notice: NoticeRow) -> Sequence[Correction]:
    """The corrections of a notice (of every version of it), oldest first."""
    return corrections_for(session=session, notice_key=notice.key)


def _current(target: str, selector: dict[str, Any], key: str) -> str | None:
    """The operator or field of the condition corrected, to check a new value against when only it changes."""
    found = selector.get(key) if target == "condition" else None
    return found if isinstance(found, str) else None


def _check_target(
    session: Session, notice: NoticeRow, target: str, action: str, selector: dict[str, Any]
) -> None:
    """A "set" or "delete" must find what it corrects in the notice as it stands."""
    if action == "add" or target == "notice":
        return
    probe = Correction(notice_key=notice.key, target=target, action="delete", selector=selector)
    if not apply_to_notice(to_notice(session=session, row=notice), [probe]).matched[0]:
        what = _ZH.get(target, target)
        raise CorrectionError(
            "selector",
            f"在该通知中找不到要更正的{what}（原文已变？请刷新后重试）/ the {target} to correct is not in this "
            "notice (its text changed?): reload the notice and try again",
        )


def add_correction(
    *,
    session: Session,
    notice: NoticeRow,
    target: str,
    action: str,
    selector: dict[str, Any],
    values: dict[str, Any],
    author: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Correction:
    """Record an operator's correction and apply it to the stored notice.

    Args:
        session: the session (flushed, not committed).
        notice: the notice corrected (the correction is kept under its key, for every version).
        target: "deadline", "condition", "notice", or a fact of issue 13: "benefit", "how_to_apply",
            "contact".
        action: "set", "add" or "delete" ("notice" takes "set" only).
        selector: identifies the deadline, condition or fact corrected, as :func:`deadline_selector` /
            :func:`condition_selector` / :func:`fact_selector` give it; empty for "add" and for the
            notice itself.
        values: the corrected fields (deadline: date, time, kind, batch, approximate, conditional,
            to_be_announced; condition: field, op, value, unit, group, hard; notice: title, level,
            issuer, published, rolling, policy_only; benefit: kind, amount, amount_min, capped,
            currency, rate, rate_base, tier, one_off; how_to_apply: kind, name, url, email, address,
            via, items, copies; contact: name, department, phones, emails, topic).
        author: who made it (kept with the time).
        note: why, in the operator's words.
        now: when (default now); also stamped on the NoticeChange a moved deadline records.

    Returns:
        The stored correction.

    Raises:
        CorrectionError: invalid values, or a selector that finds nothing; names the field.
    """
    assert notice.id is not None
    now = now or utcnow()
    clean = normalize_values(
        target, action, values, _current(target, selector, "op"), _current(target, selector, "field")
    )
    selector = {} if action == "add" or target == "notice" else dict(selector)
    _check_target(session, notice, target, action, selector)
    correction = Correction(
        notice_key=notice.key,
        target=target,
        action=action,
        selector=selector,
        values=clean,
        author=(author or "admin").strip()[:100] or "admin",
        note=note or None,
        created_at=now,
    )
    session.add(correction)
    session.flush()
    apply_corrections(session=session, notice_id=notice.id, now=now)
    log.info(
        "correction %d on notice %d by %s: %s %s", correction.id, notice.id, correction.author, action, target
    )
    return correction


def apply_corrections(*, session: Session, notice_id: int, now: dt.datetime | None = None) -> int:
    """Re-apply every correction of a notice's key to its current deadlines, conditions and fields.

    Applying twice changes nothing; a deadline a correction moves is recorded as a NoticeChange
    (old → new), as a re-ingest would.

    Args:
        session: the session (flushed, not committed).
        notice_id: the stored notice.
        now: the instant stamped on recorded changes (default now).

    Returns:
        How many corrections found what they correct.
    """
    row = session.get(NoticeRow, notice_id)
    if row is None:
        raise CorrectionError("notice_id", f"通知 {notice_id} 不存在 / notice {notice_id} not found")
    corrections = corrections_for(session=session, notice_key=row.key)
    if not corrections:
        return 0
    applied = apply_to_notice(to_notice(session=session, row=row), corrections)
    set_notice_fields(row, applied.notice, row.document_id)
    row.updated_at = now or utcnow()
    changes = sync_deadlines(session, notice_id, applied.notice.deadlines, row.updated_at)
    session.exec(sa.delete(ConditionRow).where(col(ConditionRow.notice_id) == notice_id))
    session.add_all([condition_row(c, notice_id) for c in judged_conditions(applied.notice)])  # scope first
    session.flush()
    if changes:
        log.info("notice %d: corrections moved %d deadlines", notice_id, changes)
    return sum(applied.matched)


_ZH = {
    "deadline": "截止日期",
    "condition": "申报条件",
    "notice": "通知信息",
    "benefit": "支持内容",
    "how_to_apply": "申报方式",
    "contact": "联系人",
    "set": "修改",
    "add": "新增",
    "delete": "删除",
}


def describe_correction(c: Correction) -> str:
    """One line for the history: 修改截止日期「…」→ date=2025-04-15."""
    quote = str(c.selector.get("quote") or "")[:40]
    what = f"{_ZH.get(c.action, c.action)}{_ZH.get(c.target, c.target)}"
    if quote:
        what += f"「{quote}」"
    if c.values:
        what += " → " + ", ".join(f"{k}={v}" for k, v in c.values.items())
    return what


def selector_for(row: DeadlineRow | ConditionRow) -> dict[str, Any]:
    """The selector of a stored deadline or condition row."""
    return deadline_selector(row) if isinstance(row, DeadlineRow) else condition_selector(row)


def save_corrected(
    *, session: Session, doc: Document, status: str = "published", now: dt.datetime | None = None
) -> IngestResult:
    """``save_document`` with the operators' corrections re-applied to each notice before it is stored.

    Args and result as :func:`reminder.db.store.save_document`; the corrections are looked up by notice
    key, so they survive a new version of the document.
    """

    def revise(key: str, notice: Notice) -> Notice:
        return correct_extracted(session=session, key=key, notice=notice)  # operators' edits stay

    return save_document(session=session, doc=doc, status=status, now=now, revise=revise)
