"""A new version of a known notice: which deadlines stayed, moved, went or came.

    old active rows ─┬─ same date, time, kind, batch and flags ─ kept (quote and span refreshed)
                     ├─ same kind and batch, other date ──────── "deadline_changed": old row inactive, new row
                     └─ no counterpart ───────────────────────── "deadline_removed": old row inactive
    new deadlines left over ──────────────────────────────────── "deadline_added": new row

Unchanged deadlines keep their row id, so reminders already scheduled against them stay valid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from reminder.db.models import DeadlineRow, NoticeChange
from reminder.db.rows import deadline_json, deadline_row
from reminder.model import Deadline

__all__ = ["sync_deadlines"]

#: (had an old row, has a new row) → NoticeChange.what
_WHAT = {(True, True): "deadline_changed", (True, False): "deadline_removed", (False, True): "deadline_added"}
_Signature = tuple[Any, ...]


def _signature(d: Deadline | DeadlineRow) -> _Signature:
    """What makes two versions of a deadline the same deadline (the quote and span may move)."""
    return (d.date, d.time, d.kind, d.batch, d.approximate, d.conditional, d.to_be_announced)


def _chronological(d: Deadline | DeadlineRow) -> tuple[dt.date, dt.time]:
    return (d.date or dt.date.max, d.time or dt.time.max)


def _refresh(row: DeadlineRow, d: Deadline) -> None:
    """Same deadline in the new text: keep the row (and reminders pointing at it), move its quote."""
    row.quote, row.grain, row.rule = d.quote, d.grain, d.rule
    row.span_start, row.span_end = d.span


def _pop_first(items: list[Deadline], wanted: Any, key: Callable[[Deadline], Any]) -> Deadline | None:
    for i, item in enumerate(items):
        if key(item) == wanted:
            return items.pop(i)
    return None


def _change(
    notice_id: int, what: str, now: dt.datetime, old: DeadlineRow | None, new: DeadlineRow | None
) -> NoticeChange:
    return NoticeChange(
        notice_id=notice_id,
        changed_at=now,
        what=what,
        old=deadline_json(old) if old else None,
        new=deadline_json(new) if new else None,
    )


def _active(session: Session, notice_id: int) -> list[DeadlineRow]:
    query = select(DeadlineRow).where(DeadlineRow.notice_id == notice_id, col(DeadlineRow.active))
    return sorted(session.exec(query.order_by(col(DeadlineRow.id))).all(), key=_chronological)


def sync_deadlines(session: Session, notice_id: int, new: Sequence[Deadline], now: dt.datetime) -> int:
    """Bring the active deadlines of a known notice to ``new`` and record each change.

    Args:
        session: the session (flushed, not committed).
        notice_id: the notice getting a new version.
        new: the deadlines the new version states.
        now: the instant stamped on the changes.

    Returns:
        The number of NoticeChange rows recorded.
    """
    old_rows = _active(session, notice_id)
    pending = sorted(new, key=_chronological)
    moved: list[DeadlineRow] = []
    for row in old_rows:
        same = _pop_first(pending, _signature(row), _signature)
        if same is None:
            moved.append(row)
        else:
            _refresh(row, same)
    pairs: list[tuple[DeadlineRow | None, DeadlineRow | None]] = []
    for row in moved:
        row.active = False
        successor = _pop_first(pending, (row.kind, row.batch), lambda d: (d.kind, d.batch))
        pairs.append((row, deadline_row(successor, notice_id) if successor else None))
    pairs += [(None, deadline_row(d, notice_id)) for d in pending]
    session.add_all([n for _, n in pairs if n is not None])
    session.flush()  # ids for the change records
    for old, added in pairs:
        session.add(_change(notice_id, _WHAT[(old is not None, added is not None)], now, old, added))
    return len(pairs)
