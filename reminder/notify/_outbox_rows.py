"""Writing plans into the outbox: insert what is new, revive what was cancelled, cancel what is unwanted.

planned key ─┬─ no row ──────────────── INSERT … ON CONFLICT (key) DO NOTHING  (a racing planner is harmless)
             ├─ cancelled row ───────── pending again, due at the planned instant
             ├─ pending, never tried ── due instant and payload refreshed
             └─ pending retry, sent, dead ── left alone
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from reminder.db.models import Reminder
from reminder.notify.planning import PlannedReminder

__all__ = ["PlanStats", "apply_plans", "cancel_rows"]

#: rows per INSERT statement (SQLite allows 32766 bound parameters)
_CHUNK = 500


@dataclass(frozen=True)
class PlanStats:
    """What one planning pass changed in the outbox."""

    #: new rows
    inserted: int = 0
    #: cancelled rows made pending again
    revived: int = 0
    #: pending rows whose due instant or payload was refreshed
    refreshed: int = 0
    #: pending rows cancelled
    cancelled: int = 0

    def __add__(self, other: PlanStats) -> PlanStats:
        return PlanStats(
            self.inserted + other.inserted,
            self.revived + other.revived,
            self.refreshed + other.refreshed,
            self.cancelled + other.cancelled,
        )


def _values(plan: PlannedReminder, payload: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "key": plan.key,
        "company_id": plan.company_id,
        "channel_id": plan.channel_id,
        "notice_id": plan.notice_id,
        "deadline_id": plan.deadline_id,
        "purpose": plan.purpose,
        "offset_days": plan.offset,
        "due_at": plan.due_at,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": plan.due_at,
        "message_id": plan.message_id,
        "payload": payload,
        "created_at": now,
        "updated_at": now,
    }


def _insert(session: Session, values: list[dict[str, Any]]) -> int:
    """Insert rows whose key is new; returns how many went in."""
    table: sa.Table = Reminder.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # one statement run over the rows (executemany): a multi-row VALUES clause is compiled afresh per batch
    stmt = insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
    done = 0
    for start in range(0, len(values), _CHUNK):
        done += len(session.execute(stmt, values[start : start + _CHUNK]).all())
    return done


def _update(row: Reminder, plan: PlannedReminder, payload: dict[str, Any], now: dt.datetime) -> str | None:
    """Bring an existing row to the plan; returns "revived", "refreshed" or None (untouched)."""
    if row.status == "cancelled":
        row.status, row.cancelled_reason, row.attempts = "pending", None, 0
        row.claimed_by = row.claimed_until = None
        outcome = "revived"
    elif row.status == "pending" and row.attempts == 0 and row.claimed_by is None:
        if row.due_at == plan.due_at and row.payload == payload:
            return None
        outcome = "refreshed"
    else:
        return None
    row.due_at = row.next_attempt_at = plan.due_at
    row.payload, row.updated_at = payload, now
    return outcome


def apply_plans(
    session: Session, plans: Sequence[tuple[PlannedReminder, dict[str, Any]]], now: dt.datetime
) -> PlanStats:
    """Write planned reminders (with their payloads) into the outbox; idempotent by key.

    Args:
        session: the session (flushed, not committed).
        plans: (plan, payload) pairs.
        now: the planning instant.

    Returns:
        How many rows were inserted, revived and refreshed.
    """
    if not plans:
        return PlanStats()
    keys = [p.key for p, _ in plans]
    existing = {r.key: r for r in session.exec(select(Reminder).where(col(Reminder.key).in_(keys))).all()}
    new = [_values(p, payload, now) for p, payload in plans if p.key not in existing]
    revived = refreshed = 0
    for plan, payload in plans:
        row = existing.get(plan.key)
        outcome = _update(row, plan, payload, now) if row is not None else None
        revived += outcome == "revived"
        refreshed += outcome == "refreshed"
        if outcome:
            session.add(row)
    inserted = _insert(session, new) if new else 0
    session.flush()
    return PlanStats(inserted=inserted, revived=revived, refreshed=refreshed)


def cancel_rows(session: Session, rows: Iterable[tuple[Reminder, str]], now: dt.datetime) -> PlanStats:
    """Cancel pending reminders, each with its reason; other statuses are left alone."""
    cancelled = 0
    for row, reason in rows:
        if row.status != "pending":
            continue
        row.status, row.cancelled_reason, row.updated_at = "cancelled", reason[:200], now
        session.add(row)
        cancelled += 1
    session.flush()
    return PlanStats(cancelled=cancelled)
