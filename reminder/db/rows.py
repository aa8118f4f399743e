"""Conversions between the extractor's frozen objects and table rows."""

from __future__ import annotations

from typing import Any

from reminder.db.models import ConditionRow, DeadlineRow, NoticeRow
from reminder.model import ApplyStep, Attachment, Benefit, Condition, Contact, Deadline, Notice

__all__ = [
    "deadline_row",
    "condition_row",
    "set_notice_fields",
    "notice_facts",
    "deadline_json",
    "deadline_from_row",
    "condition_from_row",
]


def deadline_row(d: Deadline, notice_id: int) -> DeadlineRow:
    return DeadlineRow(
        notice_id=notice_id,
        date=d.date,
        time=d.time,
        at=d.at(),
        kind=d.kind,
        grain=d.grain,
        batch=d.batch,
        approximate=d.approximate,
        conditional=d.conditional,
        to_be_announced=d.to_be_announced,
        quote=d.quote,
        span_start=d.span[0],
        span_end=d.span[1],
        rule=d.rule,
        active=True,
    )


def condition_row(c: Condition, notice_id: int) -> ConditionRow:
    return ConditionRow(
        notice_id=notice_id,
        field=c.field,
        op=c.op,
        value=c.value,
        unit=c.unit,
        hard=c.hard,
        group=c.group,
        quote=c.quote,
        span_start=c.span[0],
        span_end=c.span[1],
        rule=c.rule,
    )


def set_notice_fields(row: NoticeRow, notice: Notice, document_id: int) -> None:
    row.document_id = document_id
    row.title = notice.title
    row.level = notice.level
    row.issuer = notice.issuer
    row.published = notice.published
    row.policy_only = notice.policy_only
    row.rolling = notice.rolling
    row.scope = notice.scope.to_json() if notice.scope else None
    row.scope_code = notice.scope.code if notice.scope else None
    row.span_start, row.span_end = notice.span
    row.benefits = [b.to_json() for b in notice.benefits]
    row.how_to_apply = [a.to_json() for a in notice.how_to_apply]
    row.contacts = [c.to_json() for c in notice.contacts]
    row.attachments = [a.to_json() for a in notice.attachments]


def notice_facts(row: NoticeRow) -> dict[str, Any]:
    """The stored benefits, how-to-apply steps, contacts and attachments, as :class:`Notice` fields
    (rows stored before they were read have none)."""
    return {
        "benefits": tuple(Benefit.from_json(b) for b in row.benefits or ()),
        "how_to_apply": tuple(ApplyStep.from_json(a) for a in row.how_to_apply or ()),
        "contacts": tuple(Contact.from_json(c) for c in row.contacts or ()),
        "attachments": tuple(Attachment.from_json(a) for a in row.attachments or ()),
    }


def deadline_json(row: DeadlineRow) -> dict[str, Any]:
    """A deadline row as NoticeChange stores it (ids let reminders find the row)."""
    return {
        "deadline_id": row.id,
        "date": row.date.isoformat() if row.date else None,
        "time": row.time.strftime("%H:%M") if row.time else None,
        "at": row.at.isoformat() if row.at else None,
        "kind": row.kind,
        "batch": row.batch,
        "approximate": row.approximate,
        "conditional": row.conditional,
        "to_be_announced": row.to_be_announced,
        "quote": row.quote,
    }


def deadline_from_row(row: DeadlineRow) -> Deadline:
    return Deadline(
        date=row.date,
        time=row.time,
        kind=row.kind,  # type: ignore[arg-type]
        quote=row.quote,
        span=(row.span_start, row.span_end),
        grain=row.grain,
        batch=row.batch,
        approximate=row.approximate,
        conditional=row.conditional,
        to_be_announced=row.to_be_announced,
        rule=row.rule,
    )


def condition_from_row(row: ConditionRow) -> Condition:
    return Condition(
        field=row.field,
        op=row.op,  # type: ignore[arg-type]
        value=row.value,
        unit=row.unit,
        quote=row.quote,
        span=(row.span_start, row.span_end),
        hard=row.hard,
        group=row.group,
        rule=row.rule,
    )
